package io.saltstream.pipeline.fit;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Paths of the real data that {@code bin/fetch-data} downloads: the Debian packages {@code
 * dataset-fashion-mnist} and {@code opencv-doc}, unpacked under {@code <data dir>/root}.
 */
public final class DataFiles {

    /** System property with the data folder; {@code bin/saltstream} sets it. */
    public static final String DATA_DIR_PROPERTY = "saltstream.data.dir";

    /** System property with the project folder; {@code bin/saltstream} sets it. */
    public static final String HOME_PROPERTY = "saltstream.home";

    /** Fashion-MNIST folder, relative to the data folder. */
    public static final String FASHION_MNIST_DIR = "root/usr/share/datasets/fashion-mnist";

    /** OpenCV's sample videos (vtest.avi, Megamind.avi, tree.avi), relative to the data folder. */
    public static final String OPENCV_VIDEO_DIR = "root/usr/share/doc/opencv-doc/examples/data";

    /** The default video of {@code saltstream fit --dataset video}. */
    public static final String DEFAULT_VIDEO = "vtest.avi";

    private static final String FETCH_HINT = "run bin/fetch-data to download it";

    private DataFiles() {}

    /**
     * Returns the data folder: the system property {@value #DATA_DIR_PROPERTY}, else {@code data}
     * under {@value #HOME_PROPERTY}, else {@code data} under the working directory.
     */
    public static Path defaultDataDirectory() {
        String dataDir = System.getProperty(DATA_DIR_PROPERTY);
        if (dataDir != null && !dataDir.isBlank()) {
            return Paths.get(dataDir);
        }
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            return Paths.get(home, "data");
        }
        return Paths.get("data").toAbsolutePath();
    }

    /** Returns the Fashion-MNIST files under {@code dataDir}; they may not exist. */
    public static FashionMnistFiles fashionMnist(Path dataDir) {
        Path folder = dataDir.resolve(FASHION_MNIST_DIR);
        return new FashionMnistFiles(
                folder.resolve("train-images-idx3-ubyte.gz"),
                folder.resolve("train-labels-idx1-ubyte.gz"),
                folder.resolve("t10k-images-idx3-ubyte.gz"),
                folder.resolve("t10k-labels-idx1-ubyte.gz"));
    }

    /** Returns the path of {@value #DEFAULT_VIDEO} under {@code dataDir}; it may not exist. */
    public static Path defaultVideo(Path dataDir) {
        return dataDir.resolve(OPENCV_VIDEO_DIR).resolve(DEFAULT_VIDEO);
    }

    /**
     * Checks that {@code file} is a regular file.
     *
     * @param what what the file is, for the message, such as "Fashion-MNIST training images"
     * @throws NoSuchFileException naming the path and {@code bin/fetch-data} when it is missing
     */
    public static void requireFile(Path file, String what) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(
                    file.toString(),
                    null,
                    what
                            + (Files.exists(file) ? " is not a regular file" : " not found")
                            + "; "
                            + FETCH_HINT
                            + ", or pass --data-dir with the folder that bin/fetch-data filled");
        }
    }

    /** The four IDX files of Fashion-MNIST: 60 000 training and 10 000 test images. */
    public record FashionMnistFiles(
            Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

        /**
         * Checks that all four files exist.
         *
         * @throws NoSuchFileException naming the first missing file and {@code bin/fetch-data}
         */
        public void requireAll() throws NoSuchFileException {
            requireFile(trainImages, "Fashion-MNIST training images");
            requireFile(trainLabels, "Fashion-MNIST training labels");
            requireFile(testImages, "Fashion-MNIST test images");
            requireFile(testLabels, "Fashion-MNIST test labels");
        }
    }
}
