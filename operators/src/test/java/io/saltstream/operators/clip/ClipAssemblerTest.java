package io.saltstream.operators.clip;

import static io.saltstream.operators.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.TestFrames;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Frame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClipAssemblerTest {

    private static final String STREAM = "cam";
    private static final Duration IDLE = Duration.ofSeconds(10);

    private KeyedOneInputStreamOperatorTestHarness<String, Frame, Clip> harness;
    private ClipAssembler assembler;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static ClipAssembler.Builder clips(int length) {
        return ClipAssembler.builder().setClipLength(length).optIdleTimeout(IDLE);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Frame, Clip> newHarness(
            ClipAssembler function) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(function), Frame::getStreamId, Types.STRING);
    }

    private void open(ClipAssembler function) throws Exception {
        assembler = function;
        harness = newHarness(function);
        harness.setProcessingTime(0);
        harness.open();
    }

    private static long eventTime(long sequence) {
        return 1000 + 40 * sequence;
    }

    private void send(String streamId, long... sequences) throws Exception {
        for (long sequence : sequences) {
            harness.processElement(
                    frame(streamId, sequence, eventTime(sequence)), eventTime(sequence));
        }
    }

    private void send(long... sequences) throws Exception {
        send(STREAM, sequences);
    }

    private List<Clip> clipsOut() {
        return harness.extractOutputValues();
    }

    /** Returns the frame sequences of each emitted clip. */
    private List<List<Long>> emitted() {
        return clipsOut().stream()
                .map(clip -> clip.frames.stream().map(f -> f.sequence).collect(Collectors.toList()))
                .collect(Collectors.toList());
    }

    private List<DeadLetter> deadLetters() {
        return TestFrames.sideOutput(harness, DeadLetters.OUTPUT_TAG);
    }

    private Map<String, Long> counts() {
        return assembler.counts();
    }

    @Test
    void nonOverlappingClipsInOrder() throws Exception {
        open(clips(4).build());

        send(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);

        assertThat(emitted()).containsExactly(List.of(0L, 1L, 2L, 3L), List.of(4L, 5L, 6L, 7L));
        Clip first = clipsOut().get(0);
        assertThat(first.streamId).isEqualTo(STREAM);
        assertThat(first.firstSequence).isZero();
        assertThat(first.lastSequence).isEqualTo(3);
        assertThat(first.eventTime).isEqualTo(eventTime(3));
        assertThat(first.label).isNull();
        for (ClipFrame frame : first.frames) {
            // TestFrames.frame fills the 2x2 data with the sequence number.
            assertThat(frame.data).containsOnly((byte) frame.sequence).hasSize(4);
            assertThat(frame.eventTime).isEqualTo(eventTime(frame.sequence));
        }
        assertThat(counts()).containsEntry("clipsEmitted", 2L).containsEntry("deadLetters", 0L);
    }

    @Test
    void halfOverlappingClips() throws Exception {
        open(clips(4).optStride(2).build());

        send(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);

        assertThat(emitted())
                .containsExactly(
                        List.of(0L, 1L, 2L, 3L),
                        List.of(2L, 3L, 4L, 5L),
                        List.of(4L, 5L, 6L, 7L),
                        List.of(6L, 7L, 8L, 9L));
    }

    @Test
    void strideLongerThanClipSkipsFrames() throws Exception {
        open(clips(2).optStride(3).build());

        send(0, 1, 2, 3, 4, 5, 6, 7, 8);

        assertThat(emitted()).containsExactly(List.of(0L, 1L), List.of(3L, 4L), List.of(6L, 7L));
        // Frame 8 is the only one kept: 2 and 5 were skipped and removed on release.
        assertThat(counts()).containsEntry("framesDropped", 0L);
    }

    @Test
    void imageStreamsGiveOneClipPerImage() throws Exception {
        open(clips(1).build());
        Frame labelled = frame("img-7", 0, 500);
        labelled.setLabel(7);

        harness.processElement(labelled, 500);
        send("img-8", 0);
        send("series", 0, 1);

        assertThat(clipsOut())
                .extracting(
                        clip -> clip.streamId + ":" + clip.firstSequence + "-" + clip.lastSequence)
                .containsExactly("img-7:0-0", "img-8:0-0", "series:0-0", "series:1-1");
        assertThat(clipsOut().get(0).label).isEqualTo(7);
        assertThat(clipsOut().get(0).eventTime).isEqualTo(500);
    }

    @Test
    void labelComesFromFirstFrame() throws Exception {
        open(clips(2).build());
        Frame first = frame(STREAM, 0, eventTime(0));
        first.setLabel(3);
        Frame second = frame(STREAM, 1, eventTime(1));
        second.setLabel(4);

        harness.processElement(first, eventTime(0));
        harness.processElement(second, eventTime(1));

        assertThat(clipsOut()).singleElement().extracting(clip -> clip.label).isEqualTo(3);
    }

    @Test
    void streamsAreAssembledIndependently() throws Exception {
        open(clips(2).build());

        send("a", 0);
        send("b", 0);
        send("b", 1);
        send("a", 1);

        assertThat(clipsOut())
                .extracting(
                        clip -> clip.streamId + ":" + clip.firstSequence + "-" + clip.lastSequence)
                .containsExactly("b:0-1", "a:0-1");
    }

    @Test
    void outOfOrderFramesAreReordered() throws Exception {
        open(clips(4).build());

        send(1, 0, 3, 2, 5, 4, 7, 6);

        assertThat(emitted()).containsExactly(List.of(0L, 1L, 2L, 3L), List.of(4L, 5L, 6L, 7L));
        assertThat(deadLetters()).isEmpty();
        assertThat(counts()).containsEntry("framesMissing", 0L);
    }

    @Test
    void streamStartingAboveZeroWaitsForWatermark() throws Exception {
        open(clips(2).build());

        send(6, 5, 7);
        assertThat(emitted()).isEmpty();

        harness.processWatermark(eventTime(5));

        assertThat(emitted()).containsExactly(List.of(5L, 6L));
        assertThat(counts()).containsEntry("framesMissing", 0L);
    }

    @Test
    void lateFrameAfterGapIsRejected() throws Exception {
        open(clips(2).build());
        send(0, 1, 2, 4, 5);
        assertThat(emitted()).containsExactly(List.of(0L, 1L));

        harness.processWatermark(eventTime(4));
        send(3);

        assertThat(emitted()).containsExactly(List.of(0L, 1L), List.of(4L, 5L));
        DeadLetter late = deadLetters().get(0);
        assertThat(late.getReason())
                .isEqualTo(
                        "late frame: sequence 3 of stream 'cam' arrived after the stream moved on"
                                + " to sequence 6 (watermark "
                                + eventTime(4)
                                + "); earlier sequences were already released or declared lost");
        assertThat(late.getErrorClass()).isEqualTo(ClipAssembler.RULE_LATE);
        assertThat(late.getSourceTopic()).isEqualTo(DeadLetters.DEFAULT_FRAMES_TOPIC);
        assertThat(late.getPartition()).isEqualTo(DeadLetters.UNKNOWN_PARTITION);
        assertThat(Frame.getDecoder().decode(late.getPayload()))
                .isEqualTo(frame(STREAM, 3, eventTime(3)));
        assertThat(counts())
                .containsEntry("lateFrames", 1L)
                .containsEntry("framesMissing", 1L)
                .containsEntry("framesDropped", 1L)
                .containsEntry("deadLetters", 1L);
    }

    @Test
    void frameBehindWatermarkBreaksGap() throws Exception {
        open(clips(2).build());
        send(0, 1);
        harness.processWatermark(eventTime(10));

        send(3, 4);

        assertThat(emitted()).containsExactly(List.of(0L, 1L), List.of(3L, 4L));
        assertThat(counts()).containsEntry("framesMissing", 1L);
    }

    @Test
    void duplicatesGoToDeadLetters() throws Exception {
        open(clips(4).build());

        send(0, 1, 1, 3, 3, 2);

        assertThat(emitted()).containsExactly(List.of(0L, 1L, 2L, 3L));
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        "duplicate sequence 1 in stream 'cam': a frame with this sequence is"
                                + " already in the current clip",
                        "duplicate sequence 3 in stream 'cam': a frame with this sequence is"
                                + " already waiting");
        assertThat(deadLetters())
                .extracting(DeadLetter::getErrorClass)
                .containsOnly(ClipAssembler.RULE_DUPLICATE);
        assertThat(counts()).containsEntry("duplicateFrames", 2L);
    }

    @Test
    void gapDropsPartialClip() throws Exception {
        open(clips(4).optGapPolicy(GapPolicy.DROP).build());

        send(0, 1, 2, 4, 5, 6, 7, 8);
        harness.processWatermark(eventTime(4));

        assertThat(emitted()).containsExactly(List.of(4L, 5L, 6L, 7L));
        assertThat(counts())
                .containsEntry("framesDropped", 3L)
                .containsEntry("framesMissing", 1L)
                .containsEntry("clipsFlushed", 0L);
    }

    @Test
    void gapFlushesPartialClip() throws Exception {
        open(clips(4).optGapPolicy(GapPolicy.FLUSH).optMinFlushLength(3).build());

        send(0, 1, 2, 4, 5, 6, 7, 8);
        harness.processWatermark(eventTime(4));

        assertThat(emitted()).containsExactly(List.of(0L, 1L, 2L), List.of(4L, 5L, 6L, 7L));
        Clip flushed = clipsOut().get(0);
        assertThat(flushed.lastSequence).isEqualTo(2);
        assertThat(flushed.eventTime).isEqualTo(eventTime(2));
        assertThat(counts())
                .containsEntry("clipsFlushed", 1L)
                .containsEntry("clipsEmitted", 2L)
                .containsEntry("framesDropped", 0L);
    }

    @Test
    void gapFlushDropsClipShorterThanMinimum() throws Exception {
        open(clips(4).optGapPolicy(GapPolicy.FLUSH).optMinFlushLength(3).build());

        send(0, 1, 3, 4, 5, 6);
        harness.processWatermark(eventTime(3));

        assertThat(emitted()).containsExactly(List.of(3L, 4L, 5L, 6L));
        assertThat(counts()).containsEntry("framesDropped", 2L).containsEntry("clipsFlushed", 0L);
    }

    @Test
    void gapFlushSkipsPartialOfAlreadyEmittedFrames() throws Exception {
        open(clips(4).optStride(2).optGapPolicy(GapPolicy.FLUSH).build());

        // Clip 0-3 is emitted; the unfinished clip from 2 holds only frames 2 and 3, both in it.
        send(0, 1, 2, 3, 5, 6, 7, 8);
        harness.processWatermark(eventTime(5));

        assertThat(emitted()).containsExactly(List.of(0L, 1L, 2L, 3L), List.of(5L, 6L, 7L, 8L));
        assertThat(counts()).containsEntry("framesDropped", 0L).containsEntry("clipsFlushed", 0L);
    }

    @Test
    void bufferLimitDeclaresGap() throws Exception {
        open(clips(4).optMaxBufferedFrames(2).build());

        send(0, 2, 3);
        assertThat(emitted()).isEmpty();
        send(4, 5);

        assertThat(emitted()).containsExactly(List.of(2L, 3L, 4L, 5L));
        assertThat(counts()).containsEntry("framesMissing", 1L).containsEntry("framesDropped", 1L);
    }

    @Test
    void idleStreamFlushesAndClearsState() throws Exception {
        open(clips(4).optGapPolicy(GapPolicy.FLUSH).build());
        send(0, 1, 2);

        harness.setProcessingTime(IDLE.toMillis() - 1);
        assertThat(emitted()).isEmpty();
        harness.setProcessingTime(IDLE.toMillis());

        assertThat(emitted()).containsExactly(List.of(0L, 1L, 2L));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void idleTimeoutCountsFromLatestFrame() throws Exception {
        open(clips(4).optGapPolicy(GapPolicy.FLUSH).build());
        send(0);
        harness.setProcessingTime(6000);
        send(1);

        harness.setProcessingTime(IDLE.toMillis());
        assertThat(emitted()).isEmpty();
        harness.setProcessingTime(6000 + IDLE.toMillis());

        assertThat(emitted()).containsExactly(List.of(0L, 1L));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void idleStreamReleasesWaitingFramesAcrossGaps() throws Exception {
        open(clips(4).optGapPolicy(GapPolicy.FLUSH).build());
        send(0, 1, 3, 4);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.setProcessingTime(IDLE.toMillis());

        assertThat(emitted()).containsExactly(List.of(0L, 1L), List.of(3L, 4L));
        assertThat(counts()).containsEntry("framesMissing", 1L).containsEntry("clipsFlushed", 2L);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void idleStreamDropsPartialClip() throws Exception {
        open(clips(4).optGapPolicy(GapPolicy.DROP).build());
        send(0, 1, 2, 3, 4, 5);

        harness.setProcessingTime(IDLE.toMillis());

        assertThat(emitted()).containsExactly(List.of(0L, 1L, 2L, 3L));
        assertThat(counts()).containsEntry("framesDropped", 2L);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void streamRestartsAfterIdleTimeout() throws Exception {
        open(clips(2).build());
        send(0, 1);
        harness.setProcessingTime(IDLE.toMillis());

        send(0, 1);

        assertThat(emitted()).containsExactly(List.of(0L, 1L), List.of(0L, 1L));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void restoredClipIsCompleteAndCorrect() throws Exception {
        ClipAssembler.Builder settings = clips(4).optStride(2);
        open(settings.build());
        send(0, 1, 3);
        send("other", 0);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 100L);
        harness.close();

        assembler = settings.build();
        harness = newHarness(assembler);
        harness.setProcessingTime(0);
        harness.initializeState(snapshot);
        harness.open();
        send(2, 4, 5);
        send(1);
        send("other", 1, 2, 3);

        assertThat(clipsOut())
                .extracting(
                        clip -> clip.streamId + ":" + clip.firstSequence + "-" + clip.lastSequence)
                .containsExactly("cam:0-3", "cam:2-5", "other:0-3");
        Clip restored = clipsOut().get(0);
        assertThat(restored.frames)
                .extracting(frame -> ByteBuffer.wrap(frame.data).get(0))
                .containsExactly((byte) 0, (byte) 1, (byte) 2, (byte) 3);
        assertThat(restored.eventTime).isEqualTo(eventTime(3));
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        "late frame: sequence 1 of stream 'cam' arrived after the stream moved on"
                                + " to sequence 6 (watermark "
                                + Long.MIN_VALUE
                                + "); earlier sequences were already released or declared lost");
    }

    @Test
    void restoredTimersStillDeclareGaps() throws Exception {
        ClipAssembler.Builder settings = clips(2).optGapPolicy(GapPolicy.FLUSH);
        open(settings.build());
        send(0, 2, 3);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 100L);
        harness.close();

        assembler = settings.build();
        harness = newHarness(assembler);
        harness.setProcessingTime(0);
        harness.initializeState(snapshot);
        harness.open();
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        harness.processWatermark(eventTime(2));

        assertThat(emitted()).containsExactly(List.of(0L), List.of(2L, 3L));

        harness.setProcessingTime(IDLE.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void producesPojoTypeInformation() {
        assertThat(clips(1).build().getProducedType()).isEqualTo(OperatorTypes.CLIP);
    }

    @Test
    void strideDefaultsToClipLength() {
        assertThat(clips(16).build().getStride()).isEqualTo(16);
        assertThat(clips(16).optStride(8).build().getStride()).isEqualTo(8);
    }

    @Test
    void builderRejectsInvalidSettings() {
        assertThatThrownBy(() -> ClipAssembler.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "clip.length is 0 but must be 1 or more; set it to the model's frame"
                                + " count (1 for images)");
        assertThatThrownBy(() -> clips(4).optStride(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clip.stride is 0 but must be 1 or more");
        assertThatThrownBy(() -> clips(4).optMaxBufferedFrames(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clip.max-buffered-frames is 0 but must be 1 or more");
        assertThatThrownBy(() -> clips(4).optMinFlushLength(5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clip.min-flush-length is 5 but must be in [1, clip.length = 4]");
        assertThatThrownBy(() -> clips(4).optIdleTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clip.idle-timeout is PT0S but must be at least 1 ms");
        assertThatThrownBy(() -> clips(4).optGapPolicy(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clip.gap-policy is null but must be drop or flush");
    }

    @Test
    void gapPolicyParsesOptionValues() {
        assertThat(GapPolicy.parse("drop")).isEqualTo(GapPolicy.DROP);
        assertThat(GapPolicy.parse(" FLUSH ")).isEqualTo(GapPolicy.FLUSH);
        assertThat(GapPolicy.FLUSH).hasToString("flush");
        assertThatThrownBy(() -> GapPolicy.parse("pad"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clip.gap-policy is 'pad' but must be one of: drop, flush");
    }
}
