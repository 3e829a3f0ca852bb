package io.saltstream.operators.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.operators.TestFrames;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Frame;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void recordKeepsCoordinatesAndTruncatesPayload() {
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 7);
        RawRecord record = new RawRecord("camera-frames", 4, 1234, 55, null, value);
        DeadLetters deadLetters = DeadLetters.builder().optMaxPayloadBytes(10).build();

        DeadLetter letter = deadLetters.forRecord(record, "too large", "payload-too-large", 77);

        assertThat(letter.getSourceTopic()).isEqualTo("camera-frames");
        assertThat(letter.getPartition()).isEqualTo(4);
        assertThat(letter.getOffset()).isEqualTo(1234);
        assertThat(letter.getReason()).isEqualTo("too large");
        assertThat(letter.getErrorClass()).isEqualTo("payload-too-large");
        assertThat(TestFrames.bytes(letter.getPayload())).isEqualTo(Arrays.copyOf(value, 10));
        assertThat(letter.getPayloadSize()).isEqualTo(100);
        assertThat(letter.getEventTime()).isEqualTo(Instant.ofEpochMilli(77));
    }

    @Test
    void shortPayloadIsKeptWhole() {
        RawRecord record = TestFrames.record(1, new byte[] {1, 2, 3});

        DeadLetter letter = DeadLetters.defaults().forRecord(record, "bad", "rule", 0);

        assertThat(TestFrames.bytes(letter.getPayload())).containsExactly(1, 2, 3);
        assertThat(letter.getPayloadSize()).isEqualTo(3);
    }

    @Test
    void zeroLimitKeepsNoPayload() {
        RawRecord record = TestFrames.record(1, new byte[] {1, 2, 3});

        DeadLetter letter =
                DeadLetters.builder().optMaxPayloadBytes(0).build().forRecord(record, "x", "y", 0);

        assertThat(letter.getPayload().remaining()).isZero();
        assertThat(letter.getPayloadSize()).isEqualTo(3);
    }

    @Test
    void frameIsReencodedWithUnknownCoordinates() throws Exception {
        Frame frame = TestFrames.frame("cam", 12, 3400);
        DeadLetters deadLetters = DeadLetters.builder().optFramesTopic("camera-frames").build();

        DeadLetter letter = deadLetters.forFrame(frame, "duplicate", "duplicate-sequence", 9);

        assertThat(letter.getSourceTopic()).isEqualTo("camera-frames");
        assertThat(letter.getPartition()).isEqualTo(DeadLetters.UNKNOWN_PARTITION);
        assertThat(letter.getOffset()).isEqualTo(DeadLetters.UNKNOWN_OFFSET);
        assertThat(Frame.getDecoder().decode(letter.getPayload())).isEqualTo(frame);
        assertThat(letter.getPayloadSize()).isEqualTo(TestFrames.encode(frame).length);
    }

    @Test
    void outputTagIsShared() {
        assertThat(DeadLetters.OUTPUT_TAG.getId()).isEqualTo("dead-letters");
    }

    @Test
    void builderRejectsInvalidSettings() {
        assertThatThrownBy(() -> DeadLetters.builder().optMaxPayloadBytes(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dead-letter.max-payload-bytes is -1 but must be 0 or more");
        assertThatThrownBy(() -> DeadLetters.builder().optFramesTopic(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dead-letter.frames-topic is ' ' but must be a non-empty topic name");
    }
}
