package io.saltstream.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private static byte[] littleEndian(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    /** Float values whose bits a lossy copy would change: NaN payloads, -0, subnormals. */
    private static float[] awkwardFloats() {
        return new float[] {
            Float.intBitsToFloat(0x7fc00001),
            -0.0f,
            Float.MIN_VALUE,
            Float.MAX_VALUE,
            Float.NEGATIVE_INFINITY,
            1.0f / 3.0f
        };
    }

    private static Checkpoint sample() {
        return new Checkpoint(
                "{\"kind\":\"training\",\"note\":\"grüße\"}",
                List.of(
                        new CheckpointEntry(
                                "student",
                                "blocks.00.attention.qkv.weight",
                                DataType.FLOAT32,
                                new long[] {2, 3},
                                littleEndian(awkwardFloats())),
                        new CheckpointEntry(
                                "optimizer",
                                "step",
                                DataType.INT64,
                                new long[] {},
                                ByteBuffer.allocate(8)
                                        .order(ByteOrder.LITTLE_ENDIAN)
                                        .putLong(123_456_789_012L)
                                        .array()),
                        new CheckpointEntry(
                                "teacher",
                                "empty",
                                DataType.FLOAT32,
                                new long[] {0, 4},
                                new byte[0])));
    }

    @Test
    void bytesRoundTripIsExact() {
        Checkpoint original = sample();
        Checkpoint copy = Checkpoint.fromBytes(original.toBytes());
        assertThat(copy.getConfigJson()).isEqualTo(original.getConfigJson());
        assertThat(copy.getEntries()).containsExactlyElementsOf(original.getEntries());
        assertThat(copy.find("student", "blocks.00.attention.qkv.weight").orElseThrow().getData())
                .isEqualTo(littleEndian(awkwardFloats()));
    }

    @Test
    void layoutStartsWithMagicAndVersion() {
        byte[] bytes = sample().toBytes();
        assertThat(new String(bytes, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("SALTCKPT");
        assertThat(ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt())
                .isEqualTo(Checkpoint.FORMAT_VERSION);
    }

    @Test
    void fileRoundTripIsExact(@TempDir Path folder) throws IOException {
        Path file = folder.resolve("nested/model.ckpt");
        sample().writeFile(file);
        assertThat(Checkpoint.readFile(file).getEntries())
                .containsExactlyElementsOf(sample().getEntries());
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void streamReadStopsAfterChecksum() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sample().write(out);
        new Checkpoint("{}", List.of()).write(out);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(Checkpoint.read(in).getEntries()).hasSize(3);
        assertThat(Checkpoint.read(in).getConfigJson()).isEqualTo("{}");
        assertThat(in.available()).isZero();
    }

    @Test
    void arrayRoundTripIsBitwise() {
        NDArray array = manager.create(awkwardFloats(), new Shape(3, 2));
        CheckpointEntry entry = CheckpointEntry.of("student", "w", array);
        assertThat(entry.getShape()).isEqualTo(new Shape(3, 2));
        assertThat(entry.getData()).isEqualTo(littleEndian(awkwardFloats()));
        NDArray restored = entry.toNDArray(manager);
        assertThat(bits(restored)).isEqualTo(bits(array));
    }

    private static int[] bits(NDArray array) {
        float[] values = array.toFloatArray();
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    @Test
    void wrongMagicRejected() {
        byte[] bytes = sample().toBytes();
        bytes[0] = 'X';
        assertThatThrownBy(() -> Checkpoint.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "not a saltstream checkpoint: the first bytes are not \"SALTCKPT\"");
    }

    @Test
    void newerVersionRejected() {
        byte[] bytes = sample().toBytes();
        bytes[8] = 7;
        assertThatThrownBy(() -> Checkpoint.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "checkpoint format version 7 is not supported; this build reads version 1");
    }

    @Test
    void truncatedRejected() {
        byte[] bytes = sample().toBytes();
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 10);
        assertThatThrownBy(() -> Checkpoint.fromBytes(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint is truncated: the data ends before the checksum");
    }

    @Test
    void flippedDataBitRejected() {
        byte[] bytes = sample().toBytes();
        int configLength = ByteBuffer.wrap(bytes, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        // The last byte of the first entry's data is 16 + config + 64 bytes of header into the
        // file.
        int dataEnd = 16 + configLength + 1 + 2 + 7 + 2 + 30 + 1 + 7 + 1 + 16 + 8 + 24;
        bytes[dataEnd - 1] ^= 0x01;
        assertThatThrownBy(() -> Checkpoint.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("checkpoint is corrupt: CRC-32 mismatch");
    }

    @Test
    void corruptLengthRejectedBeforeAllocating() {
        byte[] bytes = sample().toBytes();
        int configLength = ByteBuffer.wrap(bytes, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int lengthOffset = 16 + configLength + 1 + 2 + 7 + 2 + 30 + 1 + 7 + 1 + 16;
        ByteBuffer.wrap(bytes, lengthOffset, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 30);
        assertThatThrownBy(() -> Checkpoint.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "checkpoint is corrupt: entry student.blocks.00.attention.qkv.weight has"
                                + " 1073741824 data bytes, but its shape [2, 3] and type float32"
                                + " need 24");
    }

    @Test
    void duplicateKeyRejected() {
        CheckpointEntry entry =
                new CheckpointEntry(
                        "student", "w", DataType.FLOAT32, new long[] {1}, littleEndian(1f));
        assertThatThrownBy(() -> new Checkpoint("{}", List.of(entry, entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint entry student.w appears twice");
    }

    @Test
    void dataLengthMismatchRejected() {
        assertThatThrownBy(
                        () ->
                                new CheckpointEntry(
                                        "student",
                                        "w",
                                        DataType.FLOAT32,
                                        new long[] {2, 2},
                                        littleEndian(1f, 2f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "entry student.w of shape (2, 2) and type float32 needs 16 bytes but has 8");
    }

    @Test
    void loadGroupCopiesIntoTargets() {
        Checkpoint checkpoint =
                new Checkpoint(
                        "{}",
                        List.of(
                                new CheckpointEntry(
                                        "student",
                                        "a",
                                        DataType.FLOAT32,
                                        new long[] {2},
                                        littleEndian(1f, 2f)),
                                new CheckpointEntry(
                                        "student",
                                        "b",
                                        DataType.FLOAT32,
                                        new long[] {1},
                                        littleEndian(3f))));
        Map<String, NDArray> targets = new LinkedHashMap<>();
        targets.put("a", manager.zeros(new Shape(2)));
        targets.put("b", manager.zeros(new Shape(1)));
        checkpoint.loadGroup("parameter", "the model", "student", targets);
        assertThat(targets.get("a").toFloatArray()).containsExactly(1f, 2f);
        assertThat(targets.get("b").toFloatArray()).containsExactly(3f);
    }

    @Test
    void loadGroupNamesShapeMismatchAndWritesNothing() {
        Checkpoint checkpoint =
                new Checkpoint(
                        "{}",
                        List.of(
                                new CheckpointEntry(
                                        "student",
                                        "a",
                                        DataType.FLOAT32,
                                        new long[] {1},
                                        littleEndian(5f)),
                                new CheckpointEntry(
                                        "student",
                                        "blocks.03.attention.qkv.weight",
                                        DataType.FLOAT32,
                                        new long[] {1, 2},
                                        littleEndian(1f, 2f))));
        Map<String, NDArray> targets = new LinkedHashMap<>();
        targets.put("a", manager.zeros(new Shape(1)));
        targets.put("blocks.03.attention.qkv.weight", manager.zeros(new Shape(2, 1)));
        assertThatThrownBy(() -> checkpoint.loadGroup("parameter", "the model", "student", targets))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "parameter student.blocks.03.attention.qkv.weight has shape (1, 2) in the"
                                + " checkpoint but (2, 1) in the model");
        assertThat(targets.get("a").toFloatArray()).containsExactly(0f);
    }

    @Test
    void loadGroupNamesMissingEntry() {
        Checkpoint checkpoint = new Checkpoint("{}", List.of());
        Map<String, NDArray> targets = Map.of("norm.gamma", manager.zeros(new Shape(1)));
        assertThatThrownBy(() -> checkpoint.loadGroup("parameter", "the model", "teacher", targets))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "parameter teacher.norm.gamma of the model is missing from the checkpoint");
    }

    @Test
    void loadGroupNamesExtraEntry() {
        Checkpoint checkpoint =
                new Checkpoint(
                        "{}",
                        List.of(
                                new CheckpointEntry(
                                        "decoder",
                                        "head.bias",
                                        DataType.FLOAT32,
                                        new long[] {1},
                                        littleEndian(1f))));
        assertThatThrownBy(
                        () -> checkpoint.loadGroup("parameter", "the model", "decoder", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "parameter decoder.head.bias is in the checkpoint but not in the model");
    }

    @Test
    void loadGroupNamesDataTypeMismatch() {
        Checkpoint checkpoint =
                new Checkpoint(
                        "{}",
                        List.of(
                                new CheckpointEntry(
                                        "student",
                                        "w",
                                        DataType.FLOAT32,
                                        new long[] {1},
                                        littleEndian(1f))));
        Map<String, NDArray> targets = Map.of("w", manager.zeros(new Shape(1), DataType.FLOAT64));
        assertThatThrownBy(() -> checkpoint.loadGroup("parameter", "the model", "student", targets))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "parameter student.w has data type float32 in the checkpoint but float64 in"
                                + " the model");
    }
}
