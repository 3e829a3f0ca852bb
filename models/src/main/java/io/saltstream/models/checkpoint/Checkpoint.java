package io.saltstream.models.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The saltstream checkpoint: a configuration JSON plus named arrays, in a versioned binary format
 * that contains data only, never code (no Java serialization).
 *
 * <p>Layout, every number little-endian:
 *
 * <pre>
 * 8 bytes   magic "SALTCKPT" (ASCII)
 * int32     format version, currently {@value #FORMAT_VERSION}
 * int32     length of the configuration JSON in bytes, then that many bytes of UTF-8
 * entries, each:
 *   int8    1 (an entry follows)
 *   uint16  length, then UTF-8 bytes of the group
 *   uint16  length, then UTF-8 bytes of the name
 *   uint8   length, then ASCII bytes of the data type as DJL names it ("float32")
 *   uint8   rank, then rank x int64 dimensions
 *   int64   length of the data in bytes, then the elements in row-major order
 * int8      0 (no more entries)
 * int32     CRC-32 of every byte before it
 * </pre>
 *
 * <p>The configuration JSON is opaque here; the trainer and {@link EncoderSnapshot} define and
 * check its contents. Entry keys ({@code group.name}) are unique and keep their order.
 *
 * <p>An entry's data is held in a Java array, so one entry is limited to 2 GiB; the whole
 * checkpoint is limited to 2 GiB only through {@link #toBytes()}.
 */
public final class Checkpoint {

    /** The first eight bytes of every checkpoint. */
    public static final String MAGIC = "SALTCKPT";

    /** The format version this class writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_CONFIG_BYTES = 64 * 1024 * 1024;
    private static final int MAX_TEXT_BYTES = 0xFFFF;
    private static final int MAX_RANK = 32;

    private final String configJson;
    private final Map<String, CheckpointEntry> entries;

    /**
     * Creates a checkpoint.
     *
     * @param configJson the configuration JSON, non-null
     * @param entries the arrays; their keys must be unique
     * @throws IllegalArgumentException if a key repeats or a text field is too long to encode
     */
    public Checkpoint(String configJson, List<CheckpointEntry> entries) {
        if (configJson == null) {
            throw new IllegalArgumentException("checkpoint configuration JSON must not be null");
        }
        this.configJson = configJson;
        Map<String, CheckpointEntry> byKey = new LinkedHashMap<>();
        for (CheckpointEntry entry : entries) {
            if (utf8Length(entry.getGroup()) > MAX_TEXT_BYTES
                    || utf8Length(entry.getName()) > MAX_TEXT_BYTES) {
                throw new IllegalArgumentException(
                        "entry key "
                                + entry.key()
                                + " is too long: group and name are limited to "
                                + MAX_TEXT_BYTES
                                + " UTF-8 bytes each");
            }
            if (byKey.put(entry.key(), entry) != null) {
                throw new IllegalArgumentException(
                        "checkpoint entry " + entry.key() + " appears twice");
            }
        }
        this.entries = Collections.unmodifiableMap(byKey);
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    public String getConfigJson() {
        return configJson;
    }

    /** Returns every entry in file order. */
    public List<CheckpointEntry> getEntries() {
        return new ArrayList<>(entries.values());
    }

    /** Returns the entries of one group in file order. */
    public List<CheckpointEntry> getEntries(String group) {
        List<CheckpointEntry> selected = new ArrayList<>();
        for (CheckpointEntry entry : entries.values()) {
            if (entry.getGroup().equals(group)) {
                selected.add(entry);
            }
        }
        return selected;
    }

    /** Returns the entry with this group and name, if present. */
    public Optional<CheckpointEntry> find(String group, String name) {
        return Optional.ofNullable(entries.get(group + "." + name));
    }

    /**
     * Checks that a group of the checkpoint matches {@code targets} exactly: the same names, and
     * for each the same shape and data type. The first mismatch in the order of {@code targets} is
     * reported: a missing entry, a different shape or data type, then an entry of the group that no
     * target takes.
     *
     * @param kind what the arrays are, for messages ({@code parameter}, {@code optimizer slot})
     * @param owner where the targets come from, for messages ({@code the model})
     * @param group the group to check
     * @param targets arrays by name
     * @throws IllegalArgumentException naming the first mismatch
     */
    public void checkGroup(String kind, String owner, String group, Map<String, NDArray> targets) {
        for (Map.Entry<String, NDArray> target : targets.entrySet()) {
            CheckpointEntry entry = entries.get(group + "." + target.getKey());
            if (entry == null) {
                throw new IllegalArgumentException(
                        kind
                                + " "
                                + group
                                + "."
                                + target.getKey()
                                + " of "
                                + owner
                                + " is missing from the checkpoint");
            }
            entry.checkCompatible(kind, owner, target.getValue());
        }
        for (CheckpointEntry entry : getEntries(group)) {
            if (!targets.containsKey(entry.getName())) {
                throw new IllegalArgumentException(
                        kind + " " + entry.key() + " is in the checkpoint but not in " + owner);
            }
        }
    }

    /**
     * Checks a group with {@link #checkGroup}, then copies it into {@code targets} in place.
     * Nothing is written unless every entry matches, so a failed load leaves the targets unchanged.
     *
     * @throws IllegalArgumentException naming the first mismatch
     */
    public void loadGroup(String kind, String owner, String group, Map<String, NDArray> targets) {
        checkGroup(kind, owner, group, targets);
        for (Map.Entry<String, NDArray> target : targets.entrySet()) {
            entries.get(group + "." + target.getKey()).copyInto(kind, owner, target.getValue());
        }
    }

    /**
     * Writes the checkpoint to a stream. The stream is flushed, not closed.
     *
     * @throws IOException if the stream fails
     */
    public void write(OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        CheckedOutputStream checked = new CheckedOutputStream(new NonClosingStream(out), crc);
        try (DataOutputStream data =
                new DataOutputStream(new BufferedOutputStream(checked, 1 << 16))) {
            data.write(MAGIC_BYTES);
            data.writeInt(Integer.reverseBytes(FORMAT_VERSION));
            byte[] config = configJson.getBytes(StandardCharsets.UTF_8);
            data.writeInt(Integer.reverseBytes(config.length));
            data.write(config);
            for (CheckpointEntry entry : entries.values()) {
                data.writeByte(1);
                writeText(data, entry.getGroup(), MAX_TEXT_BYTES);
                writeText(data, entry.getName(), MAX_TEXT_BYTES);
                writeText(data, entry.getDataType().toString(), 0xFF);
                long[] shape = entry.getShape().getShape();
                data.writeByte(shape.length);
                for (long dimension : shape) {
                    data.writeLong(Long.reverseBytes(dimension));
                }
                byte[] bytes = entry.rawData();
                data.writeLong(Long.reverseBytes(bytes.length));
                data.write(bytes);
            }
            data.writeByte(0);
            data.flush();
            // The checksum covers everything written so far; it is not part of itself.
            int checksum = (int) crc.getValue();
            data.writeInt(Integer.reverseBytes(checksum));
        }
    }

    private static void writeText(DataOutputStream data, String text, int maxBytes)
            throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException(
                    "text '" + text + "' is longer than " + maxBytes + " UTF-8 bytes");
        }
        if (maxBytes > 0xFF) {
            data.writeShort(Short.reverseBytes((short) bytes.length));
        } else {
            data.writeByte(bytes.length);
        }
        data.write(bytes);
    }

    /** Returns the checkpoint as bytes, for example for Flink operator state. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * Writes the checkpoint to a file through a temporary file in the same folder and an atomic
     * rename where the file system supports it, so a crash never leaves half a checkpoint under the
     * final name.
     *
     * @throws IOException if writing or renaming fails
     */
    public void writeFile(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
        Path temporary =
                Files.createTempFile(folder, absolute.getFileName().toString() + ".", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                write(out);
            }
            try {
                Files.move(
                        temporary,
                        absolute,
                        StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Reads a checkpoint from bytes.
     *
     * @throws IllegalArgumentException if the bytes are not a valid checkpoint of this format
     *     version, are truncated or fail the checksum
     */
    public static Checkpoint fromBytes(byte[] bytes) {
        try {
            return read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory failed", e);
        }
    }

    /**
     * Reads a checkpoint file.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is not a valid checkpoint; the message names the
     *     file
     */
    public static Checkpoint readFile(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads one checkpoint from a stream, up to and including its checksum. The stream is not
     * closed.
     *
     * @throws IOException if the stream fails
     * @throws IllegalArgumentException if the data is not a valid checkpoint of this format
     *     version, is truncated or fails the checksum
     */
    public static Checkpoint read(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
        try {
            byte[] magic = new byte[MAGIC_BYTES.length];
            data.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC_BYTES)) {
                throw new IllegalArgumentException(
                        "not a saltstream checkpoint: the first bytes are not \""
                                + MAGIC
                                + "\"; expected a file written by saltstream");
            }
            int version = Integer.reverseBytes(data.readInt());
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException(
                        "checkpoint format version "
                                + version
                                + " is not supported; this build reads version "
                                + FORMAT_VERSION);
            }
            int configLength = Integer.reverseBytes(data.readInt());
            if (configLength < 0 || configLength > MAX_CONFIG_BYTES) {
                throw new IllegalArgumentException(
                        "checkpoint is corrupt: configuration length " + configLength);
            }
            byte[] config = new byte[configLength];
            data.readFully(config);
            List<CheckpointEntry> entries = new ArrayList<>();
            while (true) {
                int tag = data.readUnsignedByte();
                if (tag == 0) {
                    break;
                }
                if (tag != 1) {
                    throw new IllegalArgumentException(
                            "checkpoint is corrupt: unexpected entry tag " + tag);
                }
                entries.add(readEntry(data));
            }
            long computed = crc.getValue();
            int stored = Integer.reverseBytes(data.readInt());
            if ((int) computed != stored) {
                throw new IllegalArgumentException(
                        "checkpoint is corrupt: CRC-32 mismatch (stored "
                                + Integer.toHexString(stored)
                                + ", computed "
                                + Long.toHexString(computed)
                                + ")");
            }
            return new Checkpoint(new String(config, StandardCharsets.UTF_8), entries);
        } catch (EOFException e) {
            throw new IllegalArgumentException(
                    "checkpoint is truncated: the data ends before the checksum", e);
        }
    }

    private static CheckpointEntry readEntry(DataInputStream data) throws IOException {
        String group = readText(data, true);
        String name = readText(data, true);
        String typeName = readText(data, false);
        DataType type;
        try {
            type = DataType.valueOf(typeName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "entry " + group + "." + name + " has unknown data type '" + typeName + "'", e);
        }
        int rank = data.readUnsignedByte();
        if (rank > MAX_RANK) {
            throw new IllegalArgumentException(
                    "checkpoint is corrupt: entry " + group + "." + name + " has rank " + rank);
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = Long.reverseBytes(data.readLong());
        }
        long length = Long.reverseBytes(data.readLong());
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "checkpoint is corrupt: entry "
                            + group
                            + "."
                            + name
                            + " has data length "
                            + length);
        }
        long expected = type.getNumOfBytes();
        for (long dimension : shape) {
            expected = dimension < 0 ? -1 : multiplyOrNegative(expected, dimension);
            if (expected < 0) {
                break;
            }
        }
        if (expected != length) {
            // Checked before allocating, so a corrupt length cannot exhaust the heap.
            throw new IllegalArgumentException(
                    "checkpoint is corrupt: entry "
                            + group
                            + "."
                            + name
                            + " has "
                            + length
                            + " data bytes, but its shape "
                            + java.util.Arrays.toString(shape)
                            + " and type "
                            + type
                            + " need "
                            + expected);
        }
        byte[] bytes = new byte[(int) length];
        data.readFully(bytes);
        return CheckpointEntry.adopt(group, name, type, shape, bytes);
    }

    private static long multiplyOrNegative(long left, long right) {
        try {
            return Math.multiplyExact(left, right);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private static String readText(DataInputStream data, boolean wide) throws IOException {
        int length =
                wide
                        ? Short.toUnsignedInt(Short.reverseBytes(data.readShort()))
                        : data.readUnsignedByte();
        byte[] bytes = new byte[length];
        data.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Lets the buffered writer close without closing the caller's stream. */
    private static final class NonClosingStream extends java.io.FilterOutputStream {
        NonClosingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
