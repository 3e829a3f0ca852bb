package io.saltstream.pipeline.fit;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small gzip-compressed IDX files in the Fashion-MNIST layout for tests: 28x28 grey images
 * of 10 classes. Class c is a bright horizontal bar at rows 2c + 4 to 2c + 6 on a dark, noisy
 * background, so a classifier on raw pixels separates the classes.
 */
public final class IdxTestFiles {

    /** Image side in pixels. */
    public static final int SIDE = 28;

    /** Number of classes. */
    public static final int CLASSES = 10;

    private IdxTestFiles() {}

    /**
     * Writes the four Fashion-MNIST files under {@code dataDir} as {@code bin/fetch-data} lays them
     * out.
     */
    public static DataFiles.FashionMnistFiles writeFashionMnist(
            Path dataDir, int trainCount, int testCount) throws IOException {
        DataFiles.FashionMnistFiles files = DataFiles.fashionMnist(dataDir);
        Files.createDirectories(files.trainImages().getParent());
        writeSplit(files.trainImages(), files.trainLabels(), trainCount, 1);
        writeSplit(files.testImages(), files.testLabels(), testCount, 2);
        return files;
    }

    private static void writeSplit(Path imagesFile, Path labelsFile, int count, long seed)
            throws IOException {
        Random random = new Random(seed);
        byte[] labels = new byte[count];
        byte[] pixels = new byte[count * SIDE * SIDE];
        for (int i = 0; i < count; i++) {
            int label = i % CLASSES;
            labels[i] = (byte) label;
            for (int y = 0; y < SIDE; y++) {
                boolean bar = y >= 2 * label + 4 && y <= 2 * label + 6;
                for (int x = 0; x < SIDE; x++) {
                    int value = bar ? 200 + random.nextInt(56) : random.nextInt(40);
                    pixels[(i * SIDE + y) * SIDE + x] = (byte) value;
                }
            }
        }
        writeIdx(imagesFile, 0x00000803, new int[] {count, SIDE, SIDE}, pixels);
        writeIdx(labelsFile, 0x00000801, new int[] {count}, labels);
    }

    /** Writes one gzip-compressed IDX file with unsigned-byte data. */
    public static void writeIdx(Path file, int magic, int[] dimensions, byte[] data)
            throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(magic);
            for (int dimension : dimensions) {
                out.writeInt(dimension);
            }
            out.write(data);
        }
    }
}
