package io.saltstream.pipeline.ingest;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams grey images, and optionally their labels, from IDX files such as those of MNIST and
 * Fashion-MNIST. Files may be plain or gzip-compressed; gzip is detected by its magic bytes 0x1f8b,
 * not by the file name.
 *
 * <p>IDX layout (big-endian): a 4-byte magic number {@code 0x0000TTDD} where TT is the data type
 * (only 0x08, unsigned byte, is supported) and DD the number of dimensions, then one 4-byte size
 * per dimension, then the data. Images files have magic 0x00000803 and dimensions (count, rows,
 * columns); labels files have magic 0x00000801 and one dimension (count).
 *
 * <p>{@link #open} reads and checks both headers and that the counts match. For a plain file it
 * also checks that the file length matches the header. A gzip file's length is only known after
 * decompressing it, so truncation or trailing data in a gzip file is reported by {@link #next()}
 * when the reader reaches it: reading only the first N images of a damaged file succeeds when those
 * N images are complete. The reader keeps only the current image in memory; use {@link
 * #readDataset} for an in-memory copy.
 *
 * <p>Not thread-safe. Close the reader to close the files.
 */
public final class IdxReader implements Iterator<IdxImage>, Closeable {

    /** Magic number of an IDX images file: unsigned bytes, 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** Magic number of an IDX labels file: unsigned bytes, 1 dimension. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final Logger LOG = LoggerFactory.getLogger(IdxReader.class);
    private static final int UNSIGNED_BYTE_TYPE = 0x08;
    private static final int BUFFER_SIZE = 1 << 16;
    // The largest array length that every JVM allocates.
    private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final IdxFile images;
    private final IdxFile labels;
    private final int count;
    private final int rows;
    private final int columns;
    private int nextIndex;

    private IdxReader(IdxFile images, IdxFile labels) {
        this.images = images;
        this.labels = labels;
        this.count = images.dimensions[0];
        this.rows = images.dimensions[1];
        this.columns = images.dimensions[2];
    }

    /** Opens an images file without labels; {@link IdxImage#label()} is then always empty. */
    public static IdxReader open(Path imagesFile) throws IOException {
        return open(imagesFile, null);
    }

    /**
     * Opens an images file and, when {@code labelsFile} is not null, the labels file that belongs
     * to it, and checks their headers.
     *
     * @throws NoSuchFileException when a file does not exist
     * @throws IdxFormatException when a header is invalid, a plain file's length does not match its
     *     header, or the two files have different counts
     */
    public static IdxReader open(Path imagesFile, Path labelsFile) throws IOException {
        IdxFile images = IdxFile.open(imagesFile, IMAGES_MAGIC, "images");
        IdxFile labels = null;
        try {
            validateImageDimensions(images);
            if (labelsFile != null) {
                labels = IdxFile.open(labelsFile, LABELS_MAGIC, "labels");
                int imageCount = images.dimensions[0];
                int labelCount = labels.dimensions[0];
                if (imageCount != labelCount) {
                    throw new IdxFormatException(
                            images.name()
                                    + " has "
                                    + imageCount
                                    + " images but "
                                    + labels.name()
                                    + " has "
                                    + labelCount
                                    + " labels; pass the labels file that belongs to these images");
                }
            }
        } catch (IOException | RuntimeException e) {
            images.closeQuietly(e);
            if (labels != null) {
                labels.closeQuietly(e);
            }
            throw e;
        }
        IdxReader reader = new IdxReader(images, labels);
        LOG.debug(
                "Opened {} ({} images of {}x{} pixels{}){}",
                imagesFile,
                reader.count,
                reader.columns,
                reader.rows,
                images.gzip ? ", gzip" : "",
                labels == null ? " without labels" : " with labels from " + labelsFile);
        return reader;
    }

    /**
     * Reads the first {@code limit} images (all of them when the file has fewer) and their labels
     * into memory.
     *
     * @param labelsFile the labels file, or {@code null} for a dataset without labels
     * @param limit the maximum number of images to read; at least 1
     * @throws IllegalArgumentException when {@code limit} is less than 1
     * @throws IdxFormatException when a file is invalid or ends before {@code limit} images
     */
    public static IdxDataset readDataset(Path imagesFile, Path labelsFile, int limit)
            throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, but got " + limit);
        }
        try (IdxReader reader = open(imagesFile, labelsFile)) {
            int size = Math.min(limit, reader.count);
            long imageBytes = (long) reader.rows * reader.columns;
            if (size * imageBytes > MAX_ARRAY_LENGTH) {
                throw new IllegalArgumentException(
                        "limit "
                                + limit
                                + " needs "
                                + size * imageBytes
                                + " bytes, more than one Java array can hold ("
                                + MAX_ARRAY_LENGTH
                                + "); pass a smaller limit");
            }
            byte[] pixels = new byte[(int) (size * imageBytes)];
            int[] labelValues = reader.hasLabels() ? new int[size] : null;
            for (int i = 0; i < size; i++) {
                IdxImage image = reader.readNext();
                System.arraycopy(
                        image.pixels(), 0, pixels, (int) (i * imageBytes), (int) imageBytes);
                if (labelValues != null) {
                    labelValues[i] = image.label().getAsInt();
                }
            }
            return new IdxDataset(size, reader.rows, reader.columns, pixels, labelValues);
        }
    }

    /** Returns the images file. */
    public Path imagesFile() {
        return images.path;
    }

    /** Returns the labels file, or empty when the reader was opened without one. */
    public Optional<Path> labelsFile() {
        return labels == null ? Optional.empty() : Optional.of(labels.path);
    }

    /** Returns the number of images the header declares. */
    public int imageCount() {
        return count;
    }

    /** Returns the image height in pixels. */
    public int rows() {
        return rows;
    }

    /** Returns the image width in pixels. */
    public int columns() {
        return columns;
    }

    /** Returns whether the reader was opened with a labels file. */
    public boolean hasLabels() {
        return labels != null;
    }

    @Override
    public boolean hasNext() {
        return nextIndex < count;
    }

    /**
     * Reads the next image and its label.
     *
     * @throws NoSuchElementException when all images were read
     * @throws UncheckedIOException when reading fails; its cause is an {@link IdxFormatException}
     *     when a file is truncated or has more data than its header declares
     */
    @Override
    public IdxImage next() {
        if (!hasNext()) {
            throw new NoSuchElementException(
                    "all " + count + " images of " + images.name() + " were read");
        }
        try {
            return readNext();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            images.in.close();
        } finally {
            if (labels != null) {
                labels.in.close();
            }
        }
    }

    private IdxImage readNext() throws IOException {
        int index = nextIndex;
        byte[] pixels = new byte[rows * columns];
        images.readItem(pixels, index, count, "images of " + columns + "x" + rows);
        OptionalInt label = OptionalInt.empty();
        if (labels != null) {
            byte[] labelByte = new byte[1];
            labels.readItem(labelByte, index, count, "labels");
            label = OptionalInt.of(labelByte[0] & 0xFF);
        }
        nextIndex++;
        if (nextIndex == count) {
            images.checkAtEnd(count, "images of " + columns + "x" + rows);
            if (labels != null) {
                labels.checkAtEnd(count, "labels");
            }
        }
        return new IdxImage(index, rows, columns, pixels, label);
    }

    private static void validateImageDimensions(IdxFile images) throws IOException {
        int count = images.dimensions[0];
        int rows = images.dimensions[1];
        int columns = images.dimensions[2];
        if (rows < 1 || columns < 1 || (long) rows * columns > MAX_ARRAY_LENGTH) {
            throw new IdxFormatException(
                    images.name()
                            + " declares images of "
                            + Integer.toUnsignedString(rows)
                            + " rows and "
                            + Integer.toUnsignedString(columns)
                            + " columns; rows and columns must be at least 1 and rows*columns at"
                            + " most "
                            + MAX_ARRAY_LENGTH
                            + ". Is this an IDX images file?");
        }
        images.checkPlainLength(count, (long) rows * columns, "images of " + columns + "x" + rows);
    }

    /** One open IDX file: its stream positioned after the header, and the header's dimensions. */
    private static final class IdxFile {
        private final Path path;
        private final DataInputStream in;
        private final boolean gzip;
        private final int headerBytes;
        private final int[] dimensions;

        private IdxFile(
                Path path, DataInputStream in, boolean gzip, int headerBytes, int[] dimensions) {
            this.path = path;
            this.in = in;
            this.gzip = gzip;
            this.headerBytes = headerBytes;
            this.dimensions = dimensions;
        }

        static IdxFile open(Path path, int expectedMagic, String kind) throws IOException {
            if (!Files.isRegularFile(path)) {
                throw new NoSuchFileException(
                        path.toString(), null, "IDX " + kind + " file not found");
            }
            BufferedInputStream buffered =
                    new BufferedInputStream(Files.newInputStream(path), BUFFER_SIZE);
            try {
                String name = String.valueOf(path.getFileName());
                boolean gzip = startsWithGzipMagic(buffered);
                int expectedDimensions = expectedMagic & 0xFF;
                int headerBytes = 4 * (1 + expectedDimensions);
                byte[] header = new byte[headerBytes];
                DataInputStream in;
                int headerRead;
                try {
                    in =
                            new DataInputStream(
                                    gzip
                                            ? new BufferedInputStream(
                                                    new GZIPInputStream(buffered, BUFFER_SIZE),
                                                    BUFFER_SIZE)
                                            : buffered);
                    headerRead = in.readNBytes(header, 0, headerBytes);
                } catch (EOFException | ZipException e) {
                    throw new IdxFormatException(
                            name
                                    + " starts like a gzip file but its gzip stream is truncated or"
                                    + " corrupt ("
                                    + e.getMessage()
                                    + ")",
                            e);
                }
                if (headerRead >= 4) {
                    checkMagic(name, kind, ByteBuffer.wrap(header).getInt(), expectedMagic);
                }
                if (headerRead < headerBytes) {
                    throw new IdxFormatException(
                            name
                                    + " is too short for an IDX "
                                    + kind
                                    + " header: expected "
                                    + headerBytes
                                    + " bytes, found "
                                    + headerRead);
                }
                ByteBuffer headerBuffer = ByteBuffer.wrap(header, 4, headerBytes - 4);
                int[] dimensions = new int[expectedDimensions];
                for (int i = 0; i < expectedDimensions; i++) {
                    dimensions[i] = headerBuffer.getInt();
                }
                if (dimensions[0] < 0) {
                    throw new IdxFormatException(
                            name
                                    + " declares "
                                    + Integer.toUnsignedString(dimensions[0])
                                    + " "
                                    + kind
                                    + ", more than the maximum of "
                                    + Integer.MAX_VALUE);
                }
                IdxFile file = new IdxFile(path, in, gzip, headerBytes, dimensions);
                if (expectedMagic == LABELS_MAGIC) {
                    file.checkPlainLength(dimensions[0], 1, "labels");
                }
                return file;
            } catch (IOException | RuntimeException e) {
                try {
                    buffered.close();
                } catch (IOException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
                throw e;
            }
        }

        String name() {
            return String.valueOf(path.getFileName());
        }

        /**
         * Checks that a plain file is exactly as long as its header declares. Gzip files are
         * checked while reading instead.
         */
        void checkPlainLength(int count, long itemBytes, String items) throws IOException {
            if (gzip) {
                return;
            }
            long expected = headerBytes + count * itemBytes;
            long actual = Files.size(path);
            if (actual < expected) {
                long completeItems = Math.max(0, actual - headerBytes) / itemBytes;
                throw new IdxFormatException(
                        name()
                                + " is truncated: the header declares "
                                + count
                                + " "
                                + items
                                + " ("
                                + expected
                                + " bytes with the header), but the file has "
                                + actual
                                + " bytes ("
                                + completeItems
                                + " complete "
                                + items
                                + ")");
            }
            if (actual > expected) {
                throw new IdxFormatException(
                        name()
                                + " is longer than its header declares: "
                                + count
                                + " "
                                + items
                                + " take "
                                + expected
                                + " bytes with the header, but the file has "
                                + actual
                                + " bytes");
            }
        }

        /** Reads item {@code index} of {@code count} into {@code target}, or reports truncation. */
        void readItem(byte[] target, int index, int count, String items) throws IOException {
            int read;
            try {
                read = in.readNBytes(target, 0, target.length);
            } catch (EOFException | ZipException e) {
                throw new IdxFormatException(
                        name()
                                + " is truncated or corrupt: the gzip stream failed at "
                                + items
                                + " index "
                                + index
                                + " of the "
                                + count
                                + " the header declares ("
                                + e.getMessage()
                                + ")",
                        e);
            }
            if (read < target.length) {
                long dataBytes = (long) index * target.length + read;
                throw new IdxFormatException(
                        name()
                                + " is truncated: the header declares "
                                + count
                                + " "
                                + items
                                + " ("
                                + (long) count * target.length
                                + " data bytes), but the data ends after "
                                + dataBytes
                                + " bytes ("
                                + index
                                + " complete "
                                + items
                                + ")");
            }
        }

        /** Checks that the stream ends after the last item the header declares. */
        void checkAtEnd(int count, String items) throws IOException {
            int extra;
            try {
                extra = in.read();
            } catch (EOFException | ZipException e) {
                throw new IdxFormatException(
                        name()
                                + " is corrupt: the gzip stream failed after the last of "
                                + count
                                + " "
                                + items
                                + " ("
                                + e.getMessage()
                                + ")",
                        e);
            }
            if (extra != -1) {
                throw new IdxFormatException(
                        name()
                                + " is longer than its header declares: data continues after the"
                                + " last of the "
                                + count
                                + " "
                                + items);
            }
        }

        void closeQuietly(Exception failure) {
            try {
                in.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }

        private static boolean startsWithGzipMagic(BufferedInputStream in) throws IOException {
            in.mark(2);
            int first = in.read();
            int second = in.read();
            in.reset();
            return first == 0x1f && second == 0x8b;
        }

        private static void checkMagic(String name, String kind, int magic, int expectedMagic)
                throws IdxFormatException {
            if (magic == expectedMagic) {
                return;
            }
            String expected =
                    "expected magic number "
                            + hex(expectedMagic)
                            + " (unsigned bytes, "
                            + (expectedMagic & 0xFF)
                            + " dimensions) at the start of an IDX "
                            + kind
                            + " file, found "
                            + hex(magic);
            String hint;
            if (magic == IMAGES_MAGIC) {
                hint = ", the magic number of an images file; did you swap images and labels?";
            } else if (magic == LABELS_MAGIC) {
                hint = ", the magic number of a labels file; did you swap images and labels?";
            } else if ((magic >>> 16) == 0 && ((magic >>> 8) & 0xFF) != UNSIGNED_BYTE_TYPE) {
                hint =
                        String.format(
                                ": data type 0x%02x is not supported, only 0x08 (unsigned byte)",
                                (magic >>> 8) & 0xFF);
            } else {
                hint = "; this is not an IDX file";
            }
            throw new IdxFormatException(name + ": " + expected + hint);
        }

        private static String hex(int value) {
            return String.format("0x%08x", value);
        }
    }
}
