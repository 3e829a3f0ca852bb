package io.saltstream.operators.parse;

import static io.saltstream.operators.TestFrames.bytes;
import static io.saltstream.operators.TestFrames.encode;
import static io.saltstream.operators.TestFrames.raw;
import static io.saltstream.operators.TestFrames.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.TestFrames;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import io.saltstream.schemas.codec.MalformedRecordException;
import io.saltstream.schemas.codec.NotSingleObjectEncodedException;
import io.saltstream.schemas.codec.TruncatedRecordException;
import io.saltstream.schemas.codec.UnknownSchemaException;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.SchemaNormalization;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParseFrameTest {

    private static final long NOW = 1_700_000_000_000L;

    private OneInputStreamOperatorTestHarness<RawRecord, Frame> harness;
    private ParseFrame parse;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void open(ParseFrame function) throws Exception {
        parse = function;
        harness = ProcessFunctionTestHarnesses.forProcessFunction(function);
        harness.setProcessingTime(NOW);
    }

    private List<DeadLetter> deadLetters() {
        return TestFrames.sideOutput(harness, DeadLetters.OUTPUT_TAG);
    }

    /** Sends one bad record followed by a good one and returns the single dead letter. */
    private DeadLetter rejectOne(RawRecord bad) throws Exception {
        Frame good = raw("cam", 1, 10, 2, 2, 1, new byte[] {1, 2, 3, 4});
        harness.processElement(bad, 5);
        harness.processElement(record(99, encode(good)), 6);

        assertThat(harness.extractOutputValues()).containsExactly(good);
        assertThat(deadLetters()).hasSize(1);
        assertThat(parse.getDeadLetterCount()).isEqualTo(1);
        assertThat(parse.getFramesParsedCount()).isEqualTo(1);
        return deadLetters().get(0);
    }

    @Test
    void validFramesPassUnchanged() throws Exception {
        open(ParseFrame.builder().build());
        Frame grey = raw("cam", 0, 1000, 28, 28, 1, new byte[784]);
        Frame rgb = raw("cam", 1, 1040, 4, 3, 3, new byte[36]);
        rgb.setLabel(7);
        rgb.setSource("file.avi");
        byte[] png = TestFrames.write(new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB), "png");
        Frame encodedPng = TestFrames.encoded("img-1", 0, FrameEncoding.PNG, 3, png, 5, 4);
        byte[] jpeg =
                TestFrames.write(new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
        Frame encodedJpeg = TestFrames.encoded("img-2", 0, FrameEncoding.JPEG, 1, jpeg, 5, 4);

        harness.processElement(record(0, encode(grey)), 1);
        harness.processElement(record(1, encode(rgb)), 2);
        harness.processElement(record(2, encode(encodedPng)), 3);
        harness.processElement(record(3, encode(encodedJpeg)), 4);

        assertThat(harness.extractOutputValues())
                .containsExactly(grey, rgb, encodedPng, encodedJpeg);
        assertThat(deadLetters()).isEmpty();
        assertThat(parse.getFramesParsedCount()).isEqualTo(4);
        assertThat(parse.getDeadLetterCount()).isZero();
    }

    @Test
    void notAvroGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        byte[] text = "hello, this is not avro".getBytes(StandardCharsets.US_ASCII);

        DeadLetter letter = rejectOne(record(41, text));

        assertThat(letter.getReason())
                .startsWith("not single-object Avro: ")
                .contains("0xC3 0x01")
                .contains("0x68 0x65 0x6C 0x6C 0x6F");
        assertThat(letter.getErrorClass())
                .isEqualTo(NotSingleObjectEncodedException.class.getName());
        assertThat(letter.getSourceTopic()).isEqualTo(TestFrames.TOPIC);
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(41);
        assertThat(bytes(letter.getPayload())).isEqualTo(text);
        assertThat(letter.getPayloadSize()).isEqualTo(text.length);
        assertThat(letter.getEventTime()).isEqualTo(Instant.ofEpochMilli(NOW));
    }

    @Test
    void unknownFingerprintGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        Embedding embedding =
                Embedding.newBuilder()
                        .setId("cam:0-15")
                        .setStreamId("cam")
                        .setFirstSequence(0)
                        .setLastSequence(15)
                        .setEventTime(Instant.ofEpochMilli(1))
                        .setModelVersion("v1")
                        .setModelStep(10)
                        .setVector(List.of(1f, 2f))
                        .build();
        long embeddingFingerprint =
                SchemaNormalization.parsingFingerprint64(Embedding.getClassSchema());
        long frameFingerprint = SchemaNormalization.parsingFingerprint64(Frame.getClassSchema());

        DeadLetter letter = rejectOne(record(7, encode(embedding)));

        assertThat(letter.getReason())
                .startsWith(
                        String.format(
                                "unknown schema fingerprint %016x: Cannot decode Frame record:",
                                embeddingFingerprint))
                .contains(String.format("Frame %016x", frameFingerprint))
                .contains("Embedding record");
        assertThat(letter.getErrorClass()).isEqualTo(UnknownSchemaException.class.getName());
    }

    @Test
    void truncatedRecordGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        byte[] full = encode(raw("cam", 0, 1000, 28, 28, 1, new byte[784]));
        byte[] truncated = Arrays.copyOf(full, full.length - 100);

        DeadLetter letter = rejectOne(record(8, truncated));

        assertThat(letter.getReason())
                .startsWith("truncated Frame record of " + truncated.length + " bytes: ")
                .contains("truncated in field data");
        assertThat(letter.getErrorClass()).isEqualTo(TruncatedRecordException.class.getName());
        assertThat(letter.getPayloadSize()).isEqualTo(truncated.length);
    }

    @Test
    void trailingBytesGoToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        byte[] full = encode(raw("cam", 0, 1000, 2, 2, 1, new byte[4]));
        byte[] padded = Arrays.copyOf(full, full.length + 3);

        DeadLetter letter = rejectOne(record(8, padded));

        assertThat(letter.getReason())
                .startsWith("malformed Frame record of " + padded.length + " bytes: ")
                .contains("3 unexpected bytes");
        assertThat(letter.getErrorClass()).isEqualTo(MalformedRecordException.class.getName());
    }

    @Test
    void rawSizeMismatchGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        Frame frame = raw("cam", 17, 1000, 28, 28, 1, new byte[700]);

        DeadLetter letter = rejectOne(record(9, encode(frame)));

        assertThat(letter.getReason())
                .isEqualTo(
                        "RAW_U8 frame 28x28x1 needs 784 bytes but has 700 (stream 'cam',"
                                + " sequence 17)");
        assertThat(letter.getErrorClass()).isEqualTo(ParseFrame.RULE_DATA_SIZE);
    }

    @Test
    void jpegWithPngMagicGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        byte[] png = TestFrames.write(new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB), "png");
        Frame frame = TestFrames.encoded("cam", 2, FrameEncoding.JPEG, 3, png, 3, 3);

        DeadLetter letter = rejectOne(record(10, encode(frame)));

        assertThat(letter.getReason())
                .isEqualTo(
                        "JPEG data must start with FF D8 FF but starts with 89 50 4E (stream"
                                + " 'cam', sequence 2)");
        assertThat(letter.getErrorClass()).isEqualTo(ParseFrame.RULE_MAGIC_BYTES);
    }

    @Test
    void pngWithJpegMagicGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        byte[] jpeg = TestFrames.write(new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB), "jpeg");
        Frame frame = TestFrames.encoded("cam", 2, FrameEncoding.PNG, 3, jpeg, 3, 3);

        DeadLetter letter = rejectOne(record(10, encode(frame)));

        assertThat(letter.getReason())
                .startsWith(
                        "PNG data must start with 89 50 4E 47 0D 0A 1A 0A but starts with FF D8 FF");
        assertThat(letter.getErrorClass()).isEqualTo(ParseFrame.RULE_MAGIC_BYTES);
    }

    @Test
    void emptyJpegDataGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());
        Frame frame = TestFrames.encoded("cam", 2, FrameEncoding.JPEG, 3, new byte[0], 3, 3);

        DeadLetter letter = rejectOne(record(10, encode(frame)));

        assertThat(letter.getReason())
                .startsWith("JPEG data must start with FF D8 FF but starts with nothing (no data)");
    }

    @Test
    void oversizedRecordIsRejectedBeforeDecoding() throws Exception {
        open(
                ParseFrame.builder()
                        .optMaxPayloadBytes(200)
                        .optDeadLetters(DeadLetters.builder().optMaxPayloadBytes(16).build())
                        .build());
        byte[] large = encode(raw("cam", 0, 1000, 16, 16, 1, new byte[256]));

        DeadLetter letter = rejectOne(record(11, large));

        assertThat(letter.getReason())
                .isEqualTo(
                        "record of "
                                + large.length
                                + " bytes exceeds parse.max-payload-bytes = 200");
        assertThat(letter.getErrorClass()).isEqualTo(ParseFrame.RULE_PAYLOAD_TOO_LARGE);
        assertThat(bytes(letter.getPayload())).isEqualTo(Arrays.copyOf(large, 16));
        assertThat(letter.getPayloadSize()).isEqualTo(large.length);
    }

    @Test
    void tombstoneGoesToDeadLetters() throws Exception {
        open(ParseFrame.builder().build());

        DeadLetter letter = rejectOne(record(12, null));

        assertThat(letter.getReason())
                .isEqualTo(
                        "record has no value (a tombstone) but must carry a single-object Avro"
                                + " Frame");
        assertThat(letter.getErrorClass()).isEqualTo(ParseFrame.RULE_TOMBSTONE);
        assertThat(letter.getPayload().remaining()).isZero();
        assertThat(letter.getPayloadSize()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "empty streamId | streamId is empty but must name the stream (stream '', sequence"
                        + " 4)",
                "negative sequence | sequence is -4 but must be 0 or more (stream 'cam', sequence"
                        + " -4)",
                "zero width | width is 0 but must be in [1, 64] (parse.max-width) (stream 'cam',"
                        + " sequence 4)",
                "wide | width is 65 but must be in [1, 64] (parse.max-width) (stream 'cam',"
                        + " sequence 4)",
                "tall | height is 33 but must be in [1, 32] (parse.max-height) (stream 'cam',"
                        + " sequence 4)",
                "two channels | channels is 2 but must be 1 (grey) or 3 (RGB) (stream 'cam',"
                        + " sequence 4)",
            })
    void invalidFieldGoesToDeadLetters(String field, String expectedReason) throws Exception {
        open(ParseFrame.builder().optMaxWidth(64).optMaxHeight(32).build());
        Frame frame = raw("cam", 4, 1000, 2, 2, 1, new byte[4]);
        Consumer<Frame> change =
                switch (field) {
                    case "empty streamId" -> f -> f.setStreamId("");
                    case "negative sequence" -> f -> f.setSequence(-4);
                    case "zero width" -> f -> f.setWidth(0);
                    case "wide" -> f -> f.setWidth(65);
                    case "tall" -> f -> f.setHeight(33);
                    case "two channels" -> f -> f.setChannels(2);
                    default -> throw new IllegalArgumentException(field);
                };
        change.accept(frame);

        DeadLetter letter = rejectOne(record(13, encode(frame)));

        assertThat(letter.getReason()).isEqualTo(expectedReason);
        assertThat(letter.getErrorClass()).isEqualTo(ParseFrame.RULE_INVALID_FIELD);
    }

    @Test
    void producesAvroTypeInformation() {
        assertThat(ParseFrame.builder().build().getProducedType()).isEqualTo(OperatorTypes.FRAME);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "max-payload-bytes | parse.max-payload-bytes is 0 but must be 1 or more",
                "max-width | parse.max-width is 0 but must be 1 or more",
                "max-height | parse.max-height is 0 but must be 1 or more",
            })
    void builderRejectsZeroLimits(String key, String message) {
        ParseFrame.Builder builder = ParseFrame.builder();
        switch (key) {
            case "max-payload-bytes" -> builder.optMaxPayloadBytes(0);
            case "max-width" -> builder.optMaxWidth(0);
            case "max-height" -> builder.optMaxHeight(0);
            default -> throw new IllegalArgumentException(key);
        }

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void builderRejectsMissingDeadLetters() {
        assertThatThrownBy(() -> ParseFrame.builder().optDeadLetters(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadLetters is null but must be set");
    }
}
