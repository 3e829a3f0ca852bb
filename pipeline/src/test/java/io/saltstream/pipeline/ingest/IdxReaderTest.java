package io.saltstream.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static final int ROWS = 3;
    private static final int COLUMNS = 2;

    @TempDir Path folder;

    @Test
    void readsPlainImagesAndLabels() throws IOException {
        Path images = write("images.idx", imagesFile(5, ROWS, COLUMNS, pixels(5)), false);
        Path labels = write("labels.idx", labelsFile(5, labels(5)), false);

        try (IdxReader reader = IdxReader.open(images, labels)) {
            assertThat(reader.imageCount()).isEqualTo(5);
            assertThat(reader.rows()).isEqualTo(ROWS);
            assertThat(reader.columns()).isEqualTo(COLUMNS);
            assertThat(reader.hasLabels()).isTrue();
            for (int i = 0; i < 5; i++) {
                IdxImage image = reader.next();
                assertThat(image.index()).isEqualTo(i);
                assertThat(image.pixels()).isEqualTo(imagePixels(i));
                assertThat(image.label()).hasValue(labels(5)[i] & 0xFF);
            }
            assertThat(reader.hasNext()).isFalse();
        }
    }

    @Test
    void readsGzipFilesByMagicNotName() throws IOException {
        Path images = write("images.idx", imagesFile(4, ROWS, COLUMNS, pixels(4)), true);
        Path labels = write("labels.idx", labelsFile(4, labels(4)), true);

        try (IdxReader reader = IdxReader.open(images, labels)) {
            int read = 0;
            while (reader.hasNext()) {
                IdxImage image = reader.next();
                assertThat(image.pixels()).isEqualTo(imagePixels(image.index()));
                assertThat(image.label()).hasValue(labels(4)[image.index()] & 0xFF);
                read++;
            }
            assertThat(read).isEqualTo(4);
        }
    }

    @Test
    void readsImagesWithoutLabels() throws IOException {
        Path images = write("images.idx.gz", imagesFile(2, ROWS, COLUMNS, pixels(2)), true);

        try (IdxReader reader = IdxReader.open(images)) {
            assertThat(reader.hasLabels()).isFalse();
            assertThat(reader.labelsFile()).isEmpty();
            assertThat(reader.next().label()).isEmpty();
        }
    }

    @Test
    void nextAfterLastImageThrows() throws IOException {
        Path images = write("images.idx", imagesFile(1, ROWS, COLUMNS, pixels(1)), false);

        try (IdxReader reader = IdxReader.open(images)) {
            reader.next();
            assertThatThrownBy(reader::next)
                    .isInstanceOf(NoSuchElementException.class)
                    .hasMessage("all 1 images of images.idx were read");
        }
    }

    @Test
    void truncatedPlainImagesRejectedAtOpen() throws IOException {
        byte[] complete = imagesFile(10, ROWS, COLUMNS, pixels(10));
        // 7 complete images and half of the 8th.
        byte[] truncated = Arrays.copyOf(complete, 16 + 7 * ROWS * COLUMNS + 3);
        Path images = write("train-images", truncated, false);

        assertThatThrownBy(() -> IdxReader.open(images))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "train-images is truncated: the header declares 10 images of 2x3 (76"
                                + " bytes with the header), but the file has 61 bytes (7 complete"
                                + " images of 2x3)");
    }

    @Test
    void truncatedGzipImagesRejectedWhenReached() throws IOException {
        byte[] complete = imagesFile(10, ROWS, COLUMNS, pixels(10));
        byte[] truncated = Arrays.copyOf(complete, 16 + 7 * ROWS * COLUMNS + 3);
        Path images = write("train-images.gz", truncated, true);

        try (IdxReader reader = IdxReader.open(images)) {
            for (int i = 0; i < 7; i++) {
                assertThat(reader.next().pixels()).isEqualTo(imagePixels(i));
            }
            assertThatThrownBy(reader::next)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(IdxFormatException.class)
                    .hasMessage(
                            "train-images.gz is truncated: the header declares 10 images of 2x3"
                                    + " (60 data bytes), but the data ends after 45 bytes (7"
                                    + " complete images of 2x3)");
        }
    }

    @Test
    void cutGzipStreamReportedAsCorrupt() throws IOException {
        byte[] gzip = gzip(imagesFile(200, 28, 28, new byte[200 * 28 * 28]));
        Path images = folder.resolve("cut-images.gz");
        Files.write(images, Arrays.copyOf(gzip, gzip.length - 10));

        assertThatThrownBy(() -> IdxReader.readDataset(images, null, 200))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith("cut-images.gz is ")
                .hasMessageContaining("the gzip stream failed");
    }

    @Test
    void trailingDataInPlainFileRejected() throws IOException {
        byte[] complete = imagesFile(2, ROWS, COLUMNS, pixels(2));
        Path images = write("images.idx", Arrays.copyOf(complete, complete.length + 5), false);

        assertThatThrownBy(() -> IdxReader.open(images))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "images.idx is longer than its header declares: 2 images of 2x3 take 28"
                                + " bytes with the header, but the file has 33 bytes");
    }

    @Test
    void trailingDataInGzipFileRejectedAtEnd() throws IOException {
        byte[] complete = labelsFile(3, labels(3));
        Path labels = write("labels.gz", Arrays.copyOf(complete, complete.length + 1), true);
        Path images = write("images.gz", imagesFile(3, ROWS, COLUMNS, pixels(3)), true);

        try (IdxReader reader = IdxReader.open(images, labels)) {
            reader.next();
            reader.next();
            assertThatThrownBy(reader::next)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(IdxFormatException.class)
                    .hasMessage(
                            "labels.gz is longer than its header declares: data continues after"
                                    + " the last of the 3 labels");
        }
    }

    @Test
    void swappedFilesRejected() throws IOException {
        Path images = write("images.idx", imagesFile(2, ROWS, COLUMNS, pixels(2)), false);
        Path labels = write("labels.idx", labelsFile(2, labels(2)), false);

        assertThatThrownBy(() -> IdxReader.open(labels, images))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "labels.idx: expected magic number 0x00000803 (unsigned bytes, 3"
                                + " dimensions) at the start of an IDX images file, found"
                                + " 0x00000801, the magic number of a labels file; did you swap"
                                + " images and labels?");
    }

    @Test
    void wrongMagicRejected() throws IOException {
        Path text = folder.resolve("notes.txt");
        Files.writeString(text, "these are not the images you are looking for");

        assertThatThrownBy(() -> IdxReader.open(text))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "notes.txt: expected magic number 0x00000803 (unsigned bytes, 3"
                                + " dimensions) at the start of an IDX images file, found"
                                + " 0x74686573; this is not an IDX file");
    }

    @Test
    void unsupportedDataTypeRejected() throws IOException {
        byte[] floats = imagesFile(1, ROWS, COLUMNS, pixels(1));
        floats[2] = 0x0D; // IDX type 0x0D is 4-byte float
        Path images = write("floats.idx", floats, false);

        assertThatThrownBy(() -> IdxReader.open(images))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "floats.idx: expected magic number 0x00000803 (unsigned bytes, 3"
                                + " dimensions) at the start of an IDX images file, found"
                                + " 0x00000d03: data type 0x0d is not supported, only 0x08"
                                + " (unsigned byte)");
    }

    @Test
    void headerTooShortRejected() throws IOException {
        Path images = write("short.idx", Arrays.copyOf(imagesFile(1, 1, 1, new byte[1]), 9), false);

        assertThatThrownBy(() -> IdxReader.open(images))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "short.idx is too short for an IDX images header: expected 16 bytes,"
                                + " found 9");
    }

    @Test
    void zeroRowsRejected() throws IOException {
        Path images = write("flat.idx", imagesFile(1, 0, 2, new byte[0]), false);

        assertThatThrownBy(() -> IdxReader.open(images))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(
                        "flat.idx declares images of 0 rows and 2 columns; rows and columns"
                                + " must be at least 1");
    }

    @Test
    void mismatchedCountsRejected() throws IOException {
        Path images = write("train-images", imagesFile(6, ROWS, COLUMNS, pixels(6)), true);
        Path labels = write("t10k-labels", labelsFile(4, labels(4)), true);

        assertThatThrownBy(() -> IdxReader.open(images, labels))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "train-images has 6 images but t10k-labels has 4 labels; pass the"
                                + " labels file that belongs to these images");
    }

    @Test
    void missingFileNamed() {
        Path missing = folder.resolve("nowhere.idx");

        assertThatThrownBy(() -> IdxReader.open(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing + ": IDX images file not found");
    }

    @Test
    void readDatasetStopsAtLimit() throws IOException {
        Path images = write("images.idx", imagesFile(6, ROWS, COLUMNS, pixels(6)), true);
        Path labels = write("labels.idx", labelsFile(6, labels(6)), true);

        IdxDataset dataset = IdxReader.readDataset(images, labels, 4);

        assertThat(dataset.count()).isEqualTo(4);
        assertThat(dataset.rows()).isEqualTo(ROWS);
        assertThat(dataset.columns()).isEqualTo(COLUMNS);
        assertThat(dataset.pixels()).isEqualTo(Arrays.copyOf(pixels(6), 4 * ROWS * COLUMNS));
        for (int i = 0; i < 4; i++) {
            assertThat(dataset.label(i)).isEqualTo(labels(6)[i] & 0xFF);
        }
    }

    @Test
    void readDatasetLimitAboveCountReadsAll() throws IOException {
        Path images = write("images.idx", imagesFile(3, ROWS, COLUMNS, pixels(3)), false);

        IdxDataset dataset = IdxReader.readDataset(images, null, 1000);

        assertThat(dataset.count()).isEqualTo(3);
        assertThat(dataset.hasLabels()).isFalse();
        assertThat(dataset.image(2)).isEqualTo(imagePixels(2));
    }

    @Test
    void readDatasetRejectsZeroLimit() throws IOException {
        Path images = write("images.idx", imagesFile(3, ROWS, COLUMNS, pixels(3)), false);

        assertThatThrownBy(() -> IdxReader.readDataset(images, null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be at least 1, but got 0");
    }

    @Test
    void fashionMnistTrainSet() throws IOException {
        Path folder = fashionMnistFolder();
        Path images = folder.resolve("train-images-idx3-ubyte.gz");
        Path labels = folder.resolve("train-labels-idx1-ubyte.gz");

        try (IdxReader reader = IdxReader.open(images, labels)) {
            assertThat(reader.imageCount()).isEqualTo(60_000);
            assertThat(reader.rows()).isEqualTo(28);
            assertThat(reader.columns()).isEqualTo(28);
            int[] perClass = new int[10];
            int first = -1;
            int read = 0;
            while (reader.hasNext()) {
                IdxImage image = reader.next();
                int label = image.label().orElseThrow();
                assertThat(label).isBetween(0, 9);
                perClass[label]++;
                if (read == 0) {
                    first = label;
                }
                read++;
            }
            assertThat(read).isEqualTo(60_000);
            // Class 9 is "ankle boot"; the first training image is one.
            assertThat(first).isEqualTo(9);
            // Fashion-MNIST's training set is balanced.
            assertThat(perClass).containsOnly(6_000);
        }
    }

    @Test
    void fashionMnistMismatchedLabels() {
        Path folder = fashionMnistFolder();
        Path images = folder.resolve("train-images-idx3-ubyte.gz");
        Path labels = folder.resolve("t10k-labels-idx1-ubyte.gz");

        assertThatThrownBy(() -> IdxReader.open(images, labels))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage(
                        "train-images-idx3-ubyte.gz has 60000 images but"
                                + " t10k-labels-idx1-ubyte.gz has 10000 labels; pass the labels"
                                + " file that belongs to these images");
    }

    @Test
    void fashionMnistDatasetHasAllClasses() throws IOException {
        Path folder = fashionMnistFolder();

        IdxDataset dataset =
                IdxReader.readDataset(
                        folder.resolve("t10k-images-idx3-ubyte.gz"),
                        folder.resolve("t10k-labels-idx1-ubyte.gz"),
                        1000);

        assertThat(dataset.count()).isEqualTo(1000);
        Set<Integer> classes = new HashSet<>();
        for (int label : dataset.labels()) {
            classes.add(label);
        }
        assertThat(classes).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        float[] floats = dataset.pixelsAsFloats();
        assertThat(floats).hasSize(1000 * 28 * 28);
        for (float value : floats) {
            assertThat(value).isBetween(0f, 1f);
        }
    }

    static Path fashionMnistFolder() {
        String dataDir = System.getProperty("saltstream.data.dir", "data");
        Path folder = Path.of(dataDir, "root/usr/share/datasets/fashion-mnist");
        Assumptions.assumeTrue(
                Files.isRegularFile(folder.resolve("train-images-idx3-ubyte.gz")),
                "skipping: Fashion-MNIST not found under " + folder + "; run bin/fetch-data");
        return folder;
    }

    /** Pixel values that differ per image and per position, wrapping at 256. */
    private static byte[] pixels(int count) {
        byte[] pixels = new byte[count * ROWS * COLUMNS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 + 3);
        }
        return pixels;
    }

    private static byte[] imagePixels(int index) {
        int size = ROWS * COLUMNS;
        return Arrays.copyOfRange(pixels(index + 1), index * size, (index + 1) * size);
    }

    private static byte[] labels(int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) ((i * 3) % 10);
        }
        return labels;
    }

    static byte[] imagesFile(int count, int rows, int columns, byte[] pixels) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + pixels.length);
        buffer.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(columns);
        buffer.put(pixels);
        return buffer.array();
    }

    static byte[] labelsFile(int count, byte[] labels) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
        buffer.putInt(IdxReader.LABELS_MAGIC).putInt(count).put(labels);
        return buffer.array();
    }

    private Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, gzip ? gzip(content) : content);
        return file;
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }
}
