package io.saltstream.operators.clip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Consecutive frames of one stream, in sequence order, as {@link ClipAssembler} emits them.
 *
 * <p>A full clip has the configured clip length T; a clip flushed at a gap or at an idle timeout
 * may be shorter (see {@link GapPolicy#FLUSH}). An image stream assembled with clip length 1 gives
 * one clip per image.
 *
 * <p>A Flink POJO (public no-argument constructor, public fields); Flink serializes the frame list
 * with its list serializer and each {@link ClipFrame} with the POJO serializer.
 */
public class Clip {

    /** Stream the frames belong to. */
    public String streamId;

    /** Sequence number of the first frame. */
    public long firstSequence;

    /** Sequence number of the last frame. */
    public long lastSequence;

    /** Capture time of the last frame in epoch milliseconds. */
    public long eventTime;

    /** Label of the first frame, or {@code null} when it has none. */
    public Integer label;

    /** The frames from {@link #firstSequence} to {@link #lastSequence}, one per sequence number. */
    public List<ClipFrame> frames = new ArrayList<>();

    /** Creates an empty clip, for Flink's POJO serializer. */
    public Clip() {}

    /**
     * Creates a clip with every field set. The list is stored as given, not copied.
     *
     * @param streamId stream the frames belong to
     * @param firstSequence sequence number of the first frame
     * @param lastSequence sequence number of the last frame
     * @param eventTime capture time of the last frame in epoch milliseconds
     * @param label label of the first frame, or {@code null}
     * @param frames the frames in sequence order
     */
    public Clip(
            String streamId,
            long firstSequence,
            long lastSequence,
            long eventTime,
            Integer label,
            List<ClipFrame> frames) {
        this.streamId = streamId;
        this.firstSequence = firstSequence;
        this.lastSequence = lastSequence;
        this.eventTime = eventTime;
        this.label = label;
        this.frames = frames;
    }

    /** Returns the number of frames. */
    public int length() {
        return frames.size();
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Clip)) {
            return false;
        }
        Clip that = (Clip) other;
        return firstSequence == that.firstSequence
                && lastSequence == that.lastSequence
                && eventTime == that.eventTime
                && Objects.equals(streamId, that.streamId)
                && Objects.equals(label, that.label)
                && Objects.equals(frames, that.frames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamId, firstSequence, lastSequence, eventTime, label, frames);
    }

    @Override
    public String toString() {
        return "Clip{"
                + streamId
                + ":"
                + firstSequence
                + "-"
                + lastSequence
                + ", frames="
                + (frames == null ? "null" : frames.size())
                + ", eventTime="
                + eventTime
                + ", label="
                + label
                + "}";
    }
}
