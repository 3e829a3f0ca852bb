package io.saltstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import io.saltstream.schemas.SampleRecords;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroCodecTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.saltstream.schemas.SampleRecords#all")
    void roundTripKeepsEveryField(String name, SpecificRecord record) {
        AvroCodec<SpecificRecord> codec = codecFor(record);

        byte[] bytes = codec.encode(record);
        SpecificRecord decoded = codec.decode(bytes);

        assertThat(decoded).isInstanceOf(record.getClass());
        assertThat(decoded).isEqualTo(record);
        for (int i = 0; i < record.getSchema().getFields().size(); i++) {
            assertThat(decoded.get(i))
                    .as("field %s", record.getSchema().getFields().get(i).name())
                    .isEqualTo(record.get(i));
        }
    }

    @Test
    void encodeWritesMarkerAndFingerprint() {
        byte[] bytes = AvroCodecs.FRAME.encode(SampleRecords.cameraFrame());

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long expected = SchemaNormalization.parsingFingerprint64(Frame.getClassSchema());
        assertThat(ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
                .isEqualTo(expected);
        assertThat(AvroCodecs.FRAME.getFingerprint()).isEqualTo(expected);
    }

    @Test
    void encodeMatchesAvroGeneratedEncoder() throws IOException {
        Frame frame = SampleRecords.cameraFrame();

        ByteBuffer avroBytes = Frame.getEncoder().encode(frame);

        byte[] expected = new byte[avroBytes.remaining()];
        avroBytes.get(expected);
        assertThat(AvroCodecs.FRAME.encode(frame)).isEqualTo(expected);
    }

    @Test
    void decodeRejectsRandomBytes() {
        byte[] bytes = new byte[64];
        new Random(42).nextBytes(bytes);
        bytes[0] = 0x5A;

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(NotSingleObjectEncodedException.class)
                .hasMessageStartingWith(
                        "Cannot decode Frame record: the bytes are not Avro single-object encoded.")
                .hasMessageContaining("Expected the marker 0xC3 0x01")
                .hasMessageContaining("found 64 bytes starting with " + leadingHex(bytes, 10));
    }

    @Test
    void decodeRejectsPlainAvroBinary() throws IOException {
        Frame frame = SampleRecords.cameraFrame();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Frame.class).write(frame, encoder);
        encoder.flush();
        byte[] plain = out.toByteArray();

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(plain))
                .isInstanceOf(NotSingleObjectEncodedException.class)
                .hasMessageContaining(
                        "found " + plain.length + " bytes starting with " + leadingHex(plain, 10))
                .hasMessageContaining("plain Avro binary and JSON are not accepted");
    }

    @Test
    void decodeRejectsEmptyArray() {
        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(new byte[0]))
                .isInstanceOf(NotSingleObjectEncodedException.class)
                .hasMessageContaining("Cannot decode Frame record")
                .hasMessageContaining("but found 0 bytes.");
    }

    @Test
    void decodeRejectsNull() {
        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(null))
                .isInstanceOf(NotSingleObjectEncodedException.class)
                .hasMessageContaining("Cannot decode Frame record")
                .hasMessageContaining("found null (no value, for example a Kafka tombstone)");
    }

    @Test
    void decodeRejectsBytesShorterThanHeader() {
        byte[] bytes = {(byte) 0xC3, 0x01, 0x12};

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(NotSingleObjectEncodedException.class)
                .hasMessageContaining("(10 bytes at least), but found 3 bytes: 0xC3 0x01 0x12.");
    }

    @Test
    void decodeRejectsRecordOfAnotherType() {
        byte[] embeddingBytes = AvroCodecs.EMBEDDING.encode(SampleRecords.labelledEmbedding());
        long embeddingFingerprint = AvroCodecs.EMBEDDING.getFingerprint();
        String embeddingHex = String.format("%016x", embeddingFingerprint);
        String frameHex = String.format("%016x", AvroCodecs.FRAME.getFingerprint());

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(embeddingBytes))
                .isInstanceOfSatisfying(
                        UnknownSchemaException.class,
                        e -> {
                            assertThat(e.getFingerprint()).isEqualTo(embeddingFingerprint);
                            assertThat(e.getFingerprintHex()).isEqualTo(embeddingHex);
                            assertThat(e.getKnownTypes()).containsExactly("Frame");
                            assertThat(e.getExpectedTypes()).containsExactly("Frame");
                        })
                .hasMessageStartingWith(
                        "Cannot decode Frame record: unknown schema fingerprint "
                                + embeddingHex
                                + " (CRC-64-AVRO of the writer schema).")
                .hasMessageContaining("This reader accepts Frame " + frameHex + ".")
                .hasMessageContaining(
                        "The fingerprint is the schema of saltstream's Embedding record")
                .hasMessageContaining("check that the topic or file contains Frame records.");
    }

    @Test
    void decodeRejectsFingerprintOfNoKnownSchema() {
        byte[] frameBytes = AvroCodecs.FRAME.encode(SampleRecords.cameraFrame());
        long unknown = 0x0123456789abcdefL;
        ByteBuffer.wrap(frameBytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(unknown);

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(frameBytes))
                .isInstanceOfSatisfying(
                        UnknownSchemaException.class,
                        e -> assertThat(e.getFingerprint()).isEqualTo(unknown))
                .hasMessageContaining("unknown schema fingerprint 0123456789abcdef")
                .hasMessageContaining("The writer used a schema this reader does not know");
    }

    @Test
    void decodeRejectsEveryStrictPrefix() {
        byte[] bytes = AvroCodecs.FRAME.encode(SampleRecords.cameraFrame());

        for (int length = 0; length < SingleObjectFormat.HEADER_LENGTH; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> AvroCodecs.FRAME.decode(prefix))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(NotSingleObjectEncodedException.class);
        }
        for (int length = SingleObjectFormat.HEADER_LENGTH; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> AvroCodecs.FRAME.decode(prefix))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(TruncatedRecordException.class)
                    .hasMessageStartingWith(
                            "Cannot decode Frame record: the record is truncated in field ");
        }
    }

    @Test
    void decodeNamesFieldWhereBytesEnd() {
        byte[] bytes = FrameBytes.valid().data(out -> out.writeBytes(new byte[36])).build();
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 30);

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(cut))
                .isInstanceOfSatisfying(
                        TruncatedRecordException.class,
                        e -> assertThat(e.getExpectedTypes()).containsExactly("Frame"))
                .hasMessage(
                        "Cannot decode Frame record: the record is truncated in field data: the"
                                + " bytes value declares 36 bytes but only 8 of the "
                                + cut.length
                                + " bytes remain. The bytes were cut short, for example by a size"
                                + " limit on the way.");
    }

    @Test
    void decodeRejectsHugeDeclaredLengthWithoutAllocating() {
        // Avro's own decoder would allocate a 2 GB buffer for this length before failing.
        byte[] bytes =
                FrameBytes.valid()
                        .data(
                                out -> {
                                    out.writeLong(Integer.MAX_VALUE - 8);
                                    out.writeFixed(new byte[] {1, 2, 3});
                                })
                        .build();

        // 5 bytes remain: the 3 data bytes and the union indexes of label and source.
        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(TruncatedRecordException.class)
                .hasMessageContaining(
                        "in field data: the bytes value declares "
                                + (Integer.MAX_VALUE - 8)
                                + " bytes but only 5 of the "
                                + bytes.length
                                + " bytes remain");
    }

    @Test
    void decodeRejectsNegativeLength() {
        byte[] bytes = FrameBytes.valid().data(out -> out.writeLong(-3)).build();

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage(
                        "Cannot decode Frame record: the record is corrupt in field data: the bytes"
                                + " value declares a negative length: -3.");
    }

    @Test
    void decodeRejectsEnumIndexOutOfRange() {
        byte[] bytes = FrameBytes.valid().encoding(out -> out.writeEnum(5)).build();

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage(
                        "Cannot decode Frame record: the record is corrupt in field encoding: enum"
                                + " index 5 is out of range: FrameEncoding has 3 symbols [JPEG,"
                                + " PNG, RAW_U8].");
    }

    @Test
    void decodeRejectsUnionIndexOutOfRange() {
        byte[] bytes = FrameBytes.valid().label(out -> out.writeIndex(7)).build();

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage(
                        "Cannot decode Frame record: the record is corrupt in field label: union"
                                + " branch index 7 is out of range: the union has 2 branches"
                                + " [null, int].");
    }

    @Test
    void decodeRejectsOverlongVarint() {
        byte[] elevenBytes = new byte[11];
        Arrays.fill(elevenBytes, (byte) 0xFF);
        byte[] bytes = FrameBytes.valid().data(out -> out.writeFixed(elevenBytes)).build();

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining(
                        "corrupt in field data: a length prefix is not a valid variable-length"
                                + " integer: it has more than 10 bytes.");
    }

    @Test
    void decodeRejectsBytesAfterRecord() {
        byte[] valid = AvroCodecs.FRAME.encode(SampleRecords.cameraFrame());
        byte[] bytes = Arrays.copyOf(valid, valid.length + 2);

        assertThatThrownBy(() -> AvroCodecs.FRAME.decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage(
                        "Cannot decode Frame record: the record is corrupt: 2 unexpected bytes"
                                + " follow the end of the record, which ends at byte "
                                + valid.length
                                + " of "
                                + bytes.length
                                + ".");
    }

    @Test
    void handWrittenFrameBytesDecode() {
        // Proves that FrameBytes lays out the fields as Avro does, so the corrupt variants above
        // differ from a valid record in the one field they change.
        Frame frame = AvroCodecs.FRAME.decode(FrameBytes.valid().build());

        assertThat(frame.getStreamId()).isEqualTo("camera-1");
        assertThat(frame.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
        assertThat(frame.getData()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        assertThat(frame.getLabel()).isNull();
        assertThat(frame.getSource()).isNull();
    }

    @Test
    void encodeRejectsMissingRequiredField() {
        Frame frame = SampleRecords.cameraFrame();
        frame.setStreamId(null);

        assertThatThrownBy(() -> AvroCodecs.FRAME.encode(frame))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot encode Frame record: ")
                .hasMessageContaining("Frame.streamId");
    }

    @Test
    void encodeRejectsNullRecord() {
        assertThatThrownBy(() -> AvroCodecs.FRAME.encode(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot encode Frame record: the record is null.");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void ofRejectsClassWithoutAvroSchema() {
        assertThatThrownBy(() -> AvroCodec.of((Class) String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "Cannot create an AvroCodec for java.lang.String: it is not a record class"
                                + " generated from an Avro schema");
    }

    @Test
    void codecSurvivesJavaSerialization() throws Exception {
        byte[] bytes = AvroCodecs.EMBEDDING.encode(SampleRecords.labelledEmbedding());

        AvroCodec<Embedding> copy = serializeAndReadBack(AvroCodecs.EMBEDDING);

        assertThat(copy.getType()).isEqualTo(Embedding.class);
        assertThat(copy.getFingerprint()).isEqualTo(AvroCodecs.EMBEDDING.getFingerprint());
        assertThat(copy.decode(bytes)).isEqualTo(SampleRecords.labelledEmbedding());
    }

    @Test
    void sharedCodecsWorkFromManyThreads() throws Exception {
        List<SpecificRecord> records = SampleRecords.records();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                tasks.add(
                        () -> {
                            int checked = 0;
                            for (int i = 0; i < 300; i++) {
                                SpecificRecord record = records.get((i + offset) % records.size());
                                AvroCodec<SpecificRecord> codec = codecFor(record);
                                assertThat(codec.decode(codec.encode(record))).isEqualTo(record);
                                checked++;
                            }
                            return checked;
                        });
            }
            // The timeout only guards against a hang; the checks are the assertions inside.
            for (Future<Integer> result : pool.invokeAll(tasks, 2, TimeUnit.MINUTES)) {
                assertThat(result.get()).isEqualTo(300);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @SuppressWarnings("unchecked")
    static AvroCodec<SpecificRecord> codecFor(SpecificRecord record) {
        return AvroCodecs.ALL.stream()
                .filter(codec -> codec.getType() == record.getClass())
                .map(codec -> (AvroCodec<SpecificRecord>) codec)
                .findFirst()
                .orElseThrow();
    }

    static String leadingHex(byte[] bytes, int count) {
        List<String> hex = new ArrayList<>();
        for (int i = 0; i < Math.min(count, bytes.length); i++) {
            hex.add(String.format("0x%02X", bytes[i]));
        }
        return String.join(" ", hex);
    }

    /** Writes the value with Java serialization and reads it back, as Flink does with functions. */
    static <T> T serializeAndReadBack(T value) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            @SuppressWarnings("unchecked")
            T copy = (T) in.readObject();
            return copy;
        }
    }
}
