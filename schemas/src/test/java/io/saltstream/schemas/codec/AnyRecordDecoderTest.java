package io.saltstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.SampleRecords;
import io.saltstream.schemas.TrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AnyRecordDecoderTest {
    private static final String ALL_TYPES =
            "record of type Frame, Embedding, TrainingMetrics, ModelSnapshot or DeadLetter";

    private final AnyRecordDecoder decoder = AnyRecordDecoder.create();

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.saltstream.schemas.SampleRecords#all")
    void decodesEveryRecordType(String name, SpecificRecord record) {
        byte[] bytes = AvroCodecTest.codecFor(record).encode(record);

        SpecificRecord decoded = decoder.decode(bytes);

        assertThat(decoded).isInstanceOf(record.getClass());
        assertThat(decoded).isEqualTo(record);
    }

    @Test
    void listsTheFiveRecordTypes() {
        assertThat(decoder.getRecordTypes())
                .containsExactly(
                        Frame.class,
                        Embedding.class,
                        TrainingMetrics.class,
                        ModelSnapshot.class,
                        DeadLetter.class);
        assertThat(decoder.getRecordTypeNames())
                .containsExactly(
                        "Frame", "Embedding", "TrainingMetrics", "ModelSnapshot", "DeadLetter");
    }

    @Test
    void rejectsUnknownFingerprintListingKnownTypes() {
        byte[] bytes = AvroCodecs.FRAME.encode(SampleRecords.cameraFrame());
        System.arraycopy(FrameBytes.header(0x7777_0000_1111_2222L), 0, bytes, 0, 10);

        assertThatThrownBy(() -> decoder.decode(bytes))
                .isInstanceOfSatisfying(
                        UnknownSchemaException.class,
                        e -> {
                            assertThat(e.getFingerprintHex()).isEqualTo("7777000011112222");
                            assertThat(e.getKnownTypes())
                                    .containsExactlyElementsOf(decoder.getRecordTypeNames());
                        })
                .hasMessageStartingWith(
                        "Cannot decode "
                                + ALL_TYPES
                                + ": unknown schema fingerprint 7777000011112222")
                .hasMessageContaining("This reader accepts " + knownTypesWithFingerprints() + ".")
                .hasMessageContaining("The writer used a schema this reader does not know");
    }

    @Test
    void rejectsBytesWithoutHeader() {
        byte[] json = "{\"streamId\": \"camera-1\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> decoder.decode(json))
                .isInstanceOfSatisfying(
                        NotSingleObjectEncodedException.class,
                        e -> assertThat(e.getExpectedTypes()).hasSize(5))
                .hasMessageStartingWith(
                        "Cannot decode "
                                + ALL_TYPES
                                + ": the bytes are not Avro single-object encoded.")
                .hasMessageContaining(
                        "found " + json.length + " bytes starting with 0x7B 0x22 0x73 0x74");
    }

    @Test
    void reportsTruncationAgainstTheTypeInTheHeader() {
        byte[] bytes = AvroCodecs.MODEL_SNAPSHOT.encode(SampleRecords.inlineSnapshot());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 100);

        assertThatThrownBy(() -> decoder.decode(cut))
                .isInstanceOfSatisfying(
                        TruncatedRecordException.class,
                        e -> assertThat(e.getExpectedTypes()).containsExactly("ModelSnapshot"))
                .hasMessageStartingWith(
                        "Cannot decode ModelSnapshot record: the record is truncated in field"
                                + " parameters.checkpoint: the bytes value declares 256 bytes");
    }

    @Test
    void serializationKeepsTheSharedInstance() throws Exception {
        assertThat(AvroCodecTest.serializeAndReadBack(decoder)).isSameAs(decoder);
    }

    private static String knownTypesWithFingerprints() {
        StringBuilder known = new StringBuilder();
        for (AvroCodec<?> codec : AvroCodecs.ALL) {
            if (known.length() > 0) {
                known.append(", ");
            }
            known.append(codec.getSchema().getName())
                    .append(' ')
                    .append(String.format("%016x", codec.getFingerprint()));
        }
        return known.toString();
    }
}
