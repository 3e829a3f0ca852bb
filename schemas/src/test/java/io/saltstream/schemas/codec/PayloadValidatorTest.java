package io.saltstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.schemas.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class PayloadValidatorTest {
    private static final List<String> EXPECTED = List.of("Sample");

    /** A record with the block-encoded types that the saltstream records use little or not. */
    private static final Schema SAMPLE =
            new SchemaParser()
                    .parse(
                            "{\"type\": \"record\", \"name\": \"Sample\", \"fields\": ["
                                    + "{\"name\": \"vector\", \"type\": {\"type\": \"array\","
                                    + " \"items\": \"float\"}},"
                                    + "{\"name\": \"counts\", \"type\": {\"type\": \"map\","
                                    + " \"values\": \"long\"}},"
                                    + "{\"name\": \"items\", \"type\": {\"type\": \"array\","
                                    + " \"items\": {\"type\": \"record\", \"name\": \"Item\","
                                    + " \"fields\": [{\"name\": \"name\", \"type\": \"string\"}]}}},"
                                    + "{\"name\": \"gaps\", \"type\": {\"type\": \"array\","
                                    + " \"items\": {\"type\": \"record\", \"name\": \"Gap\","
                                    + " \"fields\": [{\"name\": \"marker\", \"type\":"
                                    + " \"null\"}]}}}]}")
                    .mainSchema();

    @Test
    void acceptsBlocksWithByteSizes() throws IOException {
        // A negative item count is followed by the block's size in bytes (Avro specification,
        // "Complex Types: Arrays").
        byte[] bytes =
                encode(
                        out -> {
                            out.writeLong(-2);
                            out.writeLong(8);
                            out.writeFloat(1.5f);
                            out.writeFloat(-2.5f);
                            out.writeLong(1);
                            out.writeFloat(3.0f);
                            out.writeLong(0);
                            writeCounts(out);
                            writeItems(out, "first", "second");
                            out.writeLong(0);
                        });

        assertThatCode(() -> PayloadValidator.validate(SAMPLE, bytes, 0, EXPECTED))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsHugeCountOfEmptyItemsQuickly() throws IOException {
        // Gap items (a record of one null field) take no bytes, so their count cannot be checked
        // against the bytes left.
        // The walk must skip them instead of looping a billion times.
        byte[] bytes =
                encode(
                        out -> {
                            out.writeLong(0);
                            writeCounts(out);
                            writeItems(out);
                            out.writeLong(1_000_000_000L);
                            out.writeLong(0);
                        });

        assertThatCode(() -> PayloadValidator.validate(SAMPLE, bytes, 0, EXPECTED))
                .doesNotThrowAnyException();
    }

    @Test
    void rejectsFloatBlockLongerThanBytes() throws IOException {
        byte[] bytes =
                encode(
                        out -> {
                            out.writeLong(1_000_000);
                            out.writeFloat(1.0f);
                            out.writeFloat(2.0f);
                        });

        assertThatThrownBy(() -> PayloadValidator.validate(SAMPLE, bytes, 0, EXPECTED))
                .isInstanceOf(TruncatedRecordException.class)
                .hasMessage(
                        "Cannot decode Sample record: the record is truncated in field vector[2]:"
                                + " the block has 1000000 items of 4 bytes but only 8 of the "
                                + bytes.length
                                + " bytes remain. The bytes were cut short, for example by a size"
                                + " limit on the way.");
    }

    @Test
    void rejectsTruncatedMapKey() throws IOException {
        byte[] bytes =
                encode(
                        out -> {
                            out.writeLong(0);
                            out.writeLong(1);
                            out.writeLong(50);
                            out.writeFixed(
                                    "step".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        });

        assertThatThrownBy(() -> PayloadValidator.validate(SAMPLE, bytes, 0, EXPECTED))
                .isInstanceOf(TruncatedRecordException.class)
                .hasMessageContaining(
                        "truncated in field counts[0]: the string declares 50 bytes but only 4");
    }

    @Test
    void namesFieldInsideArrayItem() throws IOException {
        byte[] bytes =
                encode(
                        out -> {
                            out.writeLong(0);
                            writeCounts(out);
                            out.writeLong(2);
                            out.writeString("first");
                            out.writeLong(-1);
                        });

        assertThatThrownBy(() -> PayloadValidator.validate(SAMPLE, bytes, 0, EXPECTED))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage(
                        "Cannot decode Sample record: the record is corrupt in field"
                                + " items[1].name: the string declares a negative length: -1.");
    }

    @Test
    void rejectsMostNegativeBlockCount() throws IOException {
        byte[] bytes = encode(out -> out.writeLong(Long.MIN_VALUE));

        assertThatThrownBy(() -> PayloadValidator.validate(SAMPLE, bytes, 0, EXPECTED))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining(
                        "corrupt in field vector: the block item count "
                                + Long.MIN_VALUE
                                + " is out of range.");
    }

    @Test
    void rejectsNegativeBlockSize() throws IOException {
        byte[] bytes =
                encode(
                        out -> {
                            out.writeLong(-1);
                            out.writeLong(-4);
                        });

        assertThatThrownBy(() -> PayloadValidator.validate(SAMPLE, bytes, 0, EXPECTED))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("corrupt in field vector: the block size is negative: -4.");
    }

    @Test
    void rejectsTruncatedEmbeddingVector() {
        byte[] bytes = AvroCodecs.EMBEDDING.encode(SampleRecords.labelledEmbedding());
        // The vector's 8 floats are followed by the end-of-blocks byte and 2 bytes of label.
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 3 - 4 * 3);

        assertThatThrownBy(() -> AvroCodecs.EMBEDDING.decode(cut))
                .isInstanceOf(TruncatedRecordException.class)
                .hasMessageContaining(
                        "Cannot decode Embedding record: the record is truncated in field"
                                + " vector[5]: the block has 8 items of 4 bytes but only 20 of");
    }

    private interface Writer {
        void write(BinaryEncoder out) throws IOException;
    }

    private static byte[] encode(Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        writer.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeCounts(BinaryEncoder out) throws IOException {
        out.writeLong(2);
        out.writeString("steps");
        out.writeLong(1200);
        out.writeString("samples");
        out.writeLong(76_800);
        out.writeLong(0);
    }

    private static void writeItems(BinaryEncoder out, String... names) throws IOException {
        if (names.length > 0) {
            out.writeLong(names.length);
            for (String name : names) {
                out.writeString(name);
            }
        }
        out.writeLong(0);
    }
}
