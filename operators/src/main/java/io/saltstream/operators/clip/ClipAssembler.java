package io.saltstream.operators.clip;

import io.saltstream.operators.OperatorMetrics;
import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.operators.deadletter.RateLimitedLogger;
import io.saltstream.schemas.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles the frames of each stream into clips of T consecutive frames, one clip starting every s
 * frames; keyed by {@code streamId}.
 *
 * <p><b>Clips.</b> With clip length T ({@code clip.length}) and stride s ({@code clip.stride}), the
 * clips of a run of consecutive frames starting at sequence a cover [a, a + T - 1], [a + s, a + s +
 * T - 1], and so on. s = T gives non-overlapping clips, s = T / 2 half-overlapping ones, and s &gt;
 * T skips s - T frames between clips. T = 1 and s = 1 gives one clip per frame, which is how image
 * streams are assembled. Frames are emitted in sequence order; a clip's event time is that of its
 * last frame and its label that of its first frame.
 *
 * <p><b>Ordering.</b> Frames are released strictly in sequence order. A frame whose sequence is the
 * next expected one is released at once; a later one waits in keyed state until its predecessors
 * arrive. A stream's first frame is expected at sequence 0; a stream that starts elsewhere waits,
 * as after a gap, until one of the rules below releases its lowest frame.
 *
 * <p><b>Gaps.</b> Missing frames are declared lost, and the frames after them released, when
 *
 * <ul>
 *   <li>the watermark passes the event time of a waiting frame: a frame before it would now be
 *       late, so it will never arrive;
 *   <li>more than {@code clip.max-buffered-frames} frames wait;
 *   <li>the stream goes idle (below).
 * </ul>
 *
 * At a gap the partial clip (the frames of the earliest unfinished clip) is dropped or flushed by
 * {@code clip.gap-policy} ({@link GapPolicy}), and the clip grid restarts at the first frame after
 * the gap. Only the earliest unfinished clip is flushed, because every later unfinished clip
 * contains a subset of its frames.
 *
 * <p><b>Rejected frames</b> go to {@link DeadLetters#OUTPUT_TAG}: a frame whose sequence is already
 * waiting or in the current clip is a duplicate ({@value #RULE_DUPLICATE}); a frame whose sequence
 * is behind the next expected one, because it was released or declared lost, is late ({@value
 * #RULE_LATE}). Sequences that were released and have left the current clip are no longer
 * remembered, so a repeat of one is reported as late, not as duplicate.
 *
 * <p><b>Idle streams.</b> A stream that receives no frame for {@code clip.idle-timeout} (processing
 * time) releases its waiting frames across their gaps, drops or flushes its partial clip by the gap
 * policy, and clears all its state. A frame that arrives later starts the stream afresh, so an old
 * sequence is then no longer recognised as late.
 *
 * <p>Metrics in the {@code saltstream} group: {@code clipsEmitted}, {@code clipsFlushed} (the
 * shorter ones, included in clipsEmitted), {@code framesDropped} (frames of discarded partial clips
 * that no emitted clip contains), {@code framesMissing} (sequence numbers declared lost), {@code
 * lateFrames}, {@code duplicateFrames} and {@code deadLetters}.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Clip> clips =
 *         frames.keyBy(Frame::getStreamId)
 *                 .process(ClipAssembler.builder().setClipLength(16).optStride(8).build())
 *                 .name("clip-assembler").uid("clip-assembler");
 * }</pre>
 */
public class ClipAssembler extends KeyedProcessFunction<String, Frame, Clip>
        implements ResultTypeQueryable<Clip> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(ClipAssembler.class);

    /** Default of {@code clip.max-buffered-frames}. */
    public static final int DEFAULT_MAX_BUFFERED_FRAMES = 64;

    /** Default of {@code clip.idle-timeout}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** Default of {@code clip.gap-policy}. */
    public static final GapPolicy DEFAULT_GAP_POLICY = GapPolicy.DROP;

    /** Rule name stored as the dead letter's {@code errorClass} for a duplicate sequence. */
    public static final String RULE_DUPLICATE = "duplicate-sequence";

    /** Rule name stored as the dead letter's {@code errorClass} for a late frame. */
    public static final String RULE_LATE = "late-frame";

    private final int clipLength;
    private final int stride;
    private final int maxBufferedFrames;
    private final GapPolicy gapPolicy;
    private final int minFlushLength;
    private final long idleTimeoutMillis;
    private final DeadLetters deadLetters;

    /** Received frames by sequence: released ones of the current clip and waiting ones. */
    private transient MapState<Long, Frame> frames;

    /** Next sequence to release; every frame below it was released or declared lost. */
    private transient ValueState<Long> nextSequence;

    /** First sequence of the earliest unfinished clip; may exceed nextSequence when s > T. */
    private transient ValueState<Long> clipStart;

    /** Last sequence of the latest emitted clip since the last gap, or null. */
    private transient ValueState<Long> lastEmitted;

    /** Number of frames in {@link #frames} at or above nextSequence. */
    private transient ValueState<Integer> waitingCount;

    /** Processing time of the latest frame. */
    private transient ValueState<Long> lastSeen;

    /** Registered idle timer, or null. */
    private transient ValueState<Long> idleTimer;

    private transient RateLimitedLogger rejections;
    private transient RateLimitedLogger gaps;
    private transient Counter clipsEmitted;
    private transient Counter clipsFlushed;
    private transient Counter framesDropped;
    private transient Counter framesMissing;
    private transient Counter lateFrames;
    private transient Counter duplicateFrames;
    private transient Counter deadLetterCounter;

    private ClipAssembler(Builder builder) {
        this.clipLength = builder.clipLength;
        this.stride = builder.stride == null ? builder.clipLength : builder.stride;
        this.maxBufferedFrames = builder.maxBufferedFrames;
        this.gapPolicy = builder.gapPolicy;
        this.minFlushLength = builder.minFlushLength;
        this.idleTimeoutMillis = builder.idleTimeout.toMillis();
        this.deadLetters = builder.deadLetters;
    }

    /** Returns a builder; the clip length must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the clip length T. */
    public int getClipLength() {
        return clipLength;
    }

    /** Returns the stride s: frames between the starts of two consecutive clips. */
    public int getStride() {
        return stride;
    }

    @Override
    public void open(OpenContext openContext) {
        frames =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "frames", Types.LONG, OperatorTypes.FRAME));
        nextSequence = getRuntimeContext().getState(longState("next-sequence"));
        clipStart = getRuntimeContext().getState(longState("clip-start"));
        lastEmitted = getRuntimeContext().getState(longState("last-emitted"));
        waitingCount =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("waiting-count", Types.INT));
        lastSeen = getRuntimeContext().getState(longState("last-seen"));
        idleTimer = getRuntimeContext().getState(longState("idle-timer"));

        rejections = new RateLimitedLogger(LOG, RateLimitedLogger.DEFAULT_INTERVAL);
        gaps = new RateLimitedLogger(LOG, RateLimitedLogger.DEFAULT_INTERVAL);
        MetricGroup metrics = OperatorMetrics.group(getRuntimeContext());
        clipsEmitted = metrics.counter("clipsEmitted");
        clipsFlushed = metrics.counter("clipsFlushed");
        framesDropped = metrics.counter("framesDropped");
        framesMissing = metrics.counter("framesMissing");
        lateFrames = metrics.counter("lateFrames");
        duplicateFrames = metrics.counter("duplicateFrames");
        deadLetterCounter = metrics.counter(OperatorMetrics.DEAD_LETTERS);
        LOG.info(
                "ClipAssembler started: clip.length={}, clip.stride={},"
                        + " clip.max-buffered-frames={}, clip.gap-policy={},"
                        + " clip.min-flush-length={}, clip.idle-timeout={} ms",
                clipLength,
                stride,
                maxBufferedFrames,
                gapPolicy,
                minFlushLength,
                idleTimeoutMillis);
    }

    private static ValueStateDescriptor<Long> longState(String name) {
        return new ValueStateDescriptor<>(name, Types.LONG);
    }

    @Override
    public void processElement(Frame frame, Context ctx, Collector<Clip> out) throws Exception {
        touchIdleTimer(ctx);
        long sequence = frame.getSequence();
        Long next = nextSequence.value();
        if (frames.contains(sequence)) {
            duplicateFrames.inc();
            reject(
                    frame,
                    ctx,
                    "duplicate sequence "
                            + sequence
                            + " in stream '"
                            + frame.getStreamId()
                            + "': a frame with this sequence is already "
                            + (next != null && sequence < next ? "in the current clip" : "waiting"),
                    RULE_DUPLICATE);
            return;
        }
        if (next != null && sequence < next) {
            lateFrames.inc();
            reject(
                    frame,
                    ctx,
                    "late frame: sequence "
                            + sequence
                            + " of stream '"
                            + frame.getStreamId()
                            + "' arrived after the stream moved on to sequence "
                            + next
                            + " (watermark "
                            + ctx.timerService().currentWatermark()
                            + "); earlier sequences were already released or declared lost",
                    RULE_LATE);
            return;
        }

        frames.put(sequence, frame);
        waitingCount.update(waiting() + 1);
        releaseInOrder(out);

        long watermark = ctx.timerService().currentWatermark();
        long eventTime = frame.getEventTime().toEpochMilli();
        Long released = nextSequence.value();
        boolean stillWaiting = released == null || sequence >= released;
        if (stillWaiting && eventTime > watermark) {
            // Fires when the watermark passes this frame, so its missing predecessors are lost.
            ctx.timerService().registerEventTimeTimer(eventTime);
        }
        while (waiting() > maxBufferedFrames) {
            skipToLowestWaiting(
                    ctx.getCurrentKey(),
                    out,
                    "more than clip.max-buffered-frames = " + maxBufferedFrames + " frames wait");
        }
        releaseExpired(ctx.getCurrentKey(), watermark, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Clip> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            releaseExpired(ctx.getCurrentKey(), ctx.timerService().currentWatermark(), out);
            return;
        }
        Long registered = idleTimer.value();
        if (registered == null || registered != timestamp) {
            return;
        }
        long idleSince = lastSeen.value();
        if (timestamp - idleSince < idleTimeoutMillis) {
            long nextCheck = idleSince + idleTimeoutMillis;
            ctx.timerService().registerProcessingTimeTimer(nextCheck);
            idleTimer.update(nextCheck);
            return;
        }
        closeIdleStream(ctx, out);
    }

    @Override
    public TypeInformation<Clip> getProducedType() {
        return OperatorTypes.CLIP;
    }

    /** Registers the idle timer if none is pending and records the time of this frame. */
    private void touchIdleTimer(Context ctx) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        lastSeen.update(now);
        if (idleTimer.value() == null) {
            long due = now + idleTimeoutMillis;
            ctx.timerService().registerProcessingTimeTimer(due);
            idleTimer.update(due);
        }
    }

    /** Releases waiting frames while the next expected sequence has arrived. */
    private void releaseInOrder(Collector<Clip> out) throws Exception {
        Long next = nextSequence.value();
        if (next == null) {
            // A stream's sequence starts at 0, so nothing can precede a frame 0.
            if (!frames.contains(0L)) {
                return;
            }
            next = 0L;
            clipStart.update(0L);
        }
        while (frames.contains(next)) {
            release(next, out);
            next++;
        }
        nextSequence.update(next);
    }

    /**
     * Releases the frame at {@code sequence}, which is the next expected one: it joins the current
     * clip, completes it, or is skipped when it lies between clips.
     */
    private void release(long sequence, Collector<Clip> out) throws Exception {
        waitingCount.update(waiting() - 1);
        long start = clipStart.value();
        if (sequence < start) {
            // Between two clips when the stride exceeds the clip length.
            frames.remove(sequence);
            return;
        }
        if (sequence - start + 1 < clipLength) {
            return;
        }
        out.collect(buildClip(start, sequence));
        clipsEmitted.inc();
        lastEmitted.update(sequence);
        long newStart = start + stride;
        for (long s = start; s < Math.min(newStart, sequence + 1); s++) {
            frames.remove(s);
        }
        clipStart.update(newStart);
    }

    /**
     * Declares every missing sequence below the highest waiting frame whose event time is at or
     * before the watermark as lost, and releases the frames up to that one.
     */
    private void releaseExpired(String streamId, long watermark, Collector<Clip> out)
            throws Exception {
        if (waiting() == 0) {
            return;
        }
        Long next = nextSequence.value();
        long highestExpired = -1;
        for (Frame frame : frames.values()) {
            boolean isWaiting = next == null || frame.getSequence() >= next;
            if (isWaiting && frame.getEventTime().toEpochMilli() <= watermark) {
                highestExpired = Math.max(highestExpired, frame.getSequence());
            }
        }
        while (highestExpired >= 0
                && (nextSequence.value() == null || nextSequence.value() <= highestExpired)) {
            skipToLowestWaiting(
                    streamId, out, "the watermark " + watermark + " passed a waiting frame");
        }
    }

    /**
     * Declares the sequences between the next expected one and the lowest waiting frame lost, ends
     * the partial clip by the gap policy, and releases from the lowest waiting frame on.
     */
    private void skipToLowestWaiting(String streamId, Collector<Clip> out, String cause)
            throws Exception {
        Long next = nextSequence.value();
        long lowest = Long.MAX_VALUE;
        for (Long sequence : frames.keys()) {
            if ((next == null || sequence >= next) && sequence < lowest) {
                lowest = sequence;
            }
        }
        if (lowest == Long.MAX_VALUE) {
            throw new IllegalStateException(
                    "stream '" + streamId + "' has no waiting frame to skip to");
        }
        if (next != null) {
            endPartialClip(streamId, out);
            long missing = lowest - next;
            framesMissing.inc(missing);
            gaps.warn(
                    "Stream '"
                            + streamId
                            + "' misses sequences "
                            + next
                            + " to "
                            + (lowest - 1)
                            + " ("
                            + missing
                            + " frames) because "
                            + cause
                            + "; clip.gap-policy = "
                            + gapPolicy
                            + ", the next clip starts at sequence "
                            + lowest);
        } else {
            LOG.debug("Stream '{}' starts at sequence {} because {}", streamId, lowest, cause);
        }
        nextSequence.update(lowest);
        clipStart.update(lowest);
        lastEmitted.clear();
        releaseInOrder(out);
    }

    /**
     * Ends the earliest unfinished clip, the released frames from clipStart to nextSequence - 1, by
     * the gap policy, and removes its frames from state.
     */
    private void endPartialClip(String streamId, Collector<Clip> out) throws Exception {
        long start = clipStart.value();
        long end = nextSequence.value() - 1;
        if (start > end) {
            return;
        }
        Long emittedUpTo = lastEmitted.value();
        long alreadyEmitted = emittedUpTo == null ? 0 : Math.max(0, emittedUpTo - start + 1);
        long length = end - start + 1;
        long unseen = length - alreadyEmitted;
        if (unseen > 0) {
            if (gapPolicy == GapPolicy.FLUSH && length >= minFlushLength) {
                out.collect(buildClip(start, end));
                clipsEmitted.inc();
                clipsFlushed.inc();
                LOG.debug(
                        "Stream '{}' flushed a partial clip of {} frames ({} to {})",
                        streamId,
                        length,
                        start,
                        end);
            } else {
                framesDropped.inc(unseen);
                LOG.debug(
                        "Stream '{}' dropped a partial clip of {} frames ({} to {})",
                        streamId,
                        length,
                        start,
                        end);
            }
        }
        for (long s = start; s <= end; s++) {
            frames.remove(s);
        }
    }

    /** Releases everything across its gaps, ends the partial clip and clears all state. */
    private void closeIdleStream(OnTimerContext ctx, Collector<Clip> out) throws Exception {
        String streamId = ctx.getCurrentKey();
        for (Frame frame : frames.values()) {
            ctx.timerService().deleteEventTimeTimer(frame.getEventTime().toEpochMilli());
        }
        while (waiting() > 0) {
            skipToLowestWaiting(streamId, out, "the stream went idle");
        }
        if (nextSequence.value() != null) {
            endPartialClip(streamId, out);
        }
        LOG.debug(
                "Stream '{}' idle for {} ms: state cleared at sequence {}",
                streamId,
                idleTimeoutMillis,
                nextSequence.value());
        frames.clear();
        nextSequence.clear();
        clipStart.clear();
        lastEmitted.clear();
        waitingCount.clear();
        lastSeen.clear();
        idleTimer.clear();
    }

    private Clip buildClip(long first, long last) throws Exception {
        List<ClipFrame> clipFrames = new ArrayList<>((int) (last - first + 1));
        Frame firstFrame = null;
        Frame lastFrame = null;
        for (long s = first; s <= last; s++) {
            Frame frame = frames.get(s);
            if (frame == null) {
                throw new IllegalStateException(
                        "frame " + s + " of clip " + first + "-" + last + " is not in state");
            }
            if (firstFrame == null) {
                firstFrame = frame;
            }
            lastFrame = frame;
            clipFrames.add(ClipFrame.of(frame));
        }
        return new Clip(
                firstFrame.getStreamId(),
                first,
                last,
                lastFrame.getEventTime().toEpochMilli(),
                firstFrame.getLabel(),
                clipFrames);
    }

    private int waiting() throws Exception {
        Integer count = waitingCount.value();
        return count == null ? 0 : count;
    }

    private void reject(Frame frame, Context ctx, String reason, String rule) {
        ctx.output(
                DeadLetters.OUTPUT_TAG,
                deadLetters.forFrame(
                        frame, reason, rule, ctx.timerService().currentProcessingTime()));
        deadLetterCounter.inc();
        rejections.warn("Rejected frame: " + reason);
    }

    /** Returns the counter values of this instance since open, by metric name; for tests. */
    Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("clipsEmitted", clipsEmitted.getCount());
        counts.put("clipsFlushed", clipsFlushed.getCount());
        counts.put("framesDropped", framesDropped.getCount());
        counts.put("framesMissing", framesMissing.getCount());
        counts.put("lateFrames", lateFrames.getCount());
        counts.put("duplicateFrames", duplicateFrames.getCount());
        counts.put(OperatorMetrics.DEAD_LETTERS, deadLetterCounter.getCount());
        return counts;
    }

    /**
     * Builder of {@link ClipAssembler}.
     *
     * <pre>{@code
     * ClipAssembler assembler =
     *         ClipAssembler.builder()
     *                 .setClipLength(16)
     *                 .optStride(8)
     *                 .optGapPolicy(GapPolicy.FLUSH)
     *                 .optMinFlushLength(8)
     *                 .optIdleTimeout(Duration.ofMinutes(1))
     *                 .build();
     * }</pre>
     */
    public static final class Builder {

        private int clipLength;
        private Integer stride;
        private int maxBufferedFrames = DEFAULT_MAX_BUFFERED_FRAMES;
        private GapPolicy gapPolicy = DEFAULT_GAP_POLICY;
        private int minFlushLength = 1;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private DeadLetters deadLetters = DeadLetters.defaults();

        private Builder() {}

        /**
         * Sets {@code clip.length}: frames per clip, T. Required; 1 for image streams.
         *
         * @param clipLength 1 or more
         * @return this builder
         */
        public Builder setClipLength(int clipLength) {
            this.clipLength = clipLength;
            return this;
        }

        /**
         * Sets {@code clip.stride}: frames between the starts of two consecutive clips, s. Default:
         * the clip length, so clips do not overlap.
         *
         * @param stride 1 or more
         * @return this builder
         */
        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        /**
         * Sets {@code clip.max-buffered-frames}: how many out-of-order frames a stream may hold
         * while it waits for a missing one; one more declares the missing ones lost. Default
         * {@value ClipAssembler#DEFAULT_MAX_BUFFERED_FRAMES}.
         *
         * @param maxBufferedFrames 1 or more
         * @return this builder
         */
        public Builder optMaxBufferedFrames(int maxBufferedFrames) {
            this.maxBufferedFrames = maxBufferedFrames;
            return this;
        }

        /**
         * Sets {@code clip.gap-policy}: what happens to a partial clip at a gap or an idle timeout.
         * Default {@link GapPolicy#DROP}.
         *
         * @param gapPolicy the policy
         * @return this builder
         */
        public Builder optGapPolicy(GapPolicy gapPolicy) {
            this.gapPolicy = gapPolicy;
            return this;
        }

        /**
         * Sets {@code clip.min-flush-length}: the fewest frames a partial clip needs to be flushed
         * under {@link GapPolicy#FLUSH}. Default 1.
         *
         * @param minFlushLength in [1, clip length]
         * @return this builder
         */
        public Builder optMinFlushLength(int minFlushLength) {
            this.minFlushLength = minFlushLength;
            return this;
        }

        /**
         * Sets {@code clip.idle-timeout}: the processing time without frames after which a stream
         * ends its partial clip and clears its state. Default 30 s.
         *
         * @param idleTimeout at least 1 ms
         * @return this builder
         */
        public Builder optIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Sets how dead letters are built. Default {@link DeadLetters#defaults()}.
         *
         * @param deadLetters the dead-letter settings
         * @return this builder
         */
        public Builder optDeadLetters(DeadLetters deadLetters) {
            this.deadLetters = deadLetters;
            return this;
        }

        /**
         * Validates the settings and builds the function.
         *
         * @return the function
         * @throws IllegalArgumentException if a setting is missing or out of range
         */
        public ClipAssembler build() {
            if (clipLength < 1) {
                throw new IllegalArgumentException(
                        "clip.length is "
                                + clipLength
                                + " but must be 1 or more; set it to the model's frame count"
                                + " (1 for images)");
            }
            if (stride != null && stride < 1) {
                throw new IllegalArgumentException(
                        "clip.stride is " + stride + " but must be 1 or more");
            }
            if (maxBufferedFrames < 1) {
                throw new IllegalArgumentException(
                        "clip.max-buffered-frames is "
                                + maxBufferedFrames
                                + " but must be 1 or more");
            }
            if (gapPolicy == null) {
                throw new IllegalArgumentException(
                        "clip.gap-policy is null but must be drop or flush");
            }
            if (minFlushLength < 1 || minFlushLength > clipLength) {
                throw new IllegalArgumentException(
                        "clip.min-flush-length is "
                                + minFlushLength
                                + " but must be in [1, clip.length = "
                                + clipLength
                                + "]");
            }
            if (idleTimeout == null || idleTimeout.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "clip.idle-timeout is " + idleTimeout + " but must be at least 1 ms");
            }
            if (deadLetters == null) {
                throw new IllegalArgumentException("deadLetters is null but must be set");
            }
            return new ClipAssembler(this);
        }
    }
}
