package io.saltstream.operators.preprocess;

import java.util.Arrays;
import java.util.Objects;

/**
 * A preprocessed clip: normalised pixels as one float tensor, ready for the model.
 *
 * <p>Dimensions: C channels, T frames, H rows, W columns. {@link #shape} is {@code {C, T, H, W}}
 * and {@link #data} contains the values in C, T, H, W order (row-major, W fastest), so the value of
 * channel c, frame t, row y, column x is at index {@code ((c * T + t) * H + y) * W + x}. A batch of
 * B clips stacks to the model's clip input [B, C, T, H, W]; for images (T = 1) the model takes [B,
 * C, H, W], the same data with the T axis squeezed.
 *
 * <p>A Flink POJO (public no-argument constructor, public fields).
 */
public class ClipTensor {

    /** {@code streamId + ":" + firstSequence + "-" + lastSequence}. */
    public String id;

    /** Stream the clip comes from. */
    public String streamId;

    /** Sequence number of the first frame. */
    public long firstSequence;

    /** Sequence number of the last frame. */
    public long lastSequence;

    /** Capture time of the last frame in epoch milliseconds. */
    public long eventTime;

    /** Label of the first frame, or {@code null} when it has none. */
    public Integer label;

    /** {@code {C, T, H, W}}. */
    public int[] shape;

    /** Normalised values in C, T, H, W order; its length is C * T * H * W. */
    public float[] data;

    /** Creates an empty tensor, for Flink's POJO serializer. */
    public ClipTensor() {}

    /**
     * Creates a tensor with every field set; {@link #id} is derived from the stream and the
     * sequence range. The arrays are stored as given, not copied.
     *
     * @param streamId stream the clip comes from
     * @param firstSequence sequence number of the first frame
     * @param lastSequence sequence number of the last frame
     * @param eventTime capture time of the last frame in epoch milliseconds
     * @param label label of the first frame, or {@code null}
     * @param shape {@code {C, T, H, W}}
     * @param data values in C, T, H, W order
     */
    public ClipTensor(
            String streamId,
            long firstSequence,
            long lastSequence,
            long eventTime,
            Integer label,
            int[] shape,
            float[] data) {
        this.id = idOf(streamId, firstSequence, lastSequence);
        this.streamId = streamId;
        this.firstSequence = firstSequence;
        this.lastSequence = lastSequence;
        this.eventTime = eventTime;
        this.label = label;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Returns the clip id {@code streamId + ":" + firstSequence + "-" + lastSequence}.
     *
     * @param streamId stream the clip comes from
     * @param firstSequence sequence number of the first frame
     * @param lastSequence sequence number of the last frame
     * @return the id
     */
    public static String idOf(String streamId, long firstSequence, long lastSequence) {
        return streamId + ":" + firstSequence + "-" + lastSequence;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ClipTensor)) {
            return false;
        }
        ClipTensor that = (ClipTensor) other;
        return firstSequence == that.firstSequence
                && lastSequence == that.lastSequence
                && eventTime == that.eventTime
                && Objects.equals(id, that.id)
                && Objects.equals(streamId, that.streamId)
                && Objects.equals(label, that.label)
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        int result = Objects.hash(id, streamId, firstSequence, lastSequence, eventTime, label);
        result = 31 * result + Arrays.hashCode(shape);
        return 31 * result + Arrays.hashCode(data);
    }

    /** Returns the id, label and shape, never the values. */
    @Override
    public String toString() {
        return "ClipTensor{"
                + id
                + ", eventTime="
                + eventTime
                + ", label="
                + label
                + ", shape="
                + Arrays.toString(shape)
                + "}";
    }
}
