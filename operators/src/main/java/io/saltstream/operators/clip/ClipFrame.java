package io.saltstream.operators.clip;

import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One frame inside a {@link Clip}: its position in the stream and its still-encoded pixels.
 *
 * <p>A Flink POJO (public no-argument constructor, public fields), serialized by Flink's {@code
 * PojoSerializer}.
 */
public class ClipFrame {

    /** Sequence number of the frame in its stream. */
    public long sequence;

    /** Capture time in epoch milliseconds. */
    public long eventTime;

    /** Encoding of {@link #data}. */
    public FrameEncoding encoding;

    /** Width in pixels, as the frame declares it. */
    public int width;

    /** Height in pixels, as the frame declares it. */
    public int height;

    /** 1 (grey) or 3 (RGB), as the frame declares it. */
    public int channels;

    /**
     * The encoded pixels: a JPEG or PNG file, or for RAW_U8 row-major bytes with interleaved
     * channels.
     */
    public byte[] data;

    /** Creates an empty frame, for Flink's POJO serializer. */
    public ClipFrame() {}

    /**
     * Creates a frame with every field set. The array is stored as given, not copied.
     *
     * @param sequence sequence number in the stream
     * @param eventTime capture time in epoch milliseconds
     * @param encoding how {@code data} is encoded
     * @param width width in pixels
     * @param height height in pixels
     * @param channels 1 or 3
     * @param data the encoded pixels
     */
    public ClipFrame(
            long sequence,
            long eventTime,
            FrameEncoding encoding,
            int width,
            int height,
            int channels,
            byte[] data) {
        this.sequence = sequence;
        this.eventTime = eventTime;
        this.encoding = encoding;
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.data = data;
    }

    /**
     * Copies the pixel fields of a frame. The label and source of the frame are not kept.
     *
     * @param frame a parsed frame
     * @return a new clip frame with its own copy of the pixel bytes
     */
    public static ClipFrame of(Frame frame) {
        ByteBuffer buffer = frame.getData().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new ClipFrame(
                frame.getSequence(),
                frame.getEventTime().toEpochMilli(),
                frame.getEncoding(),
                frame.getWidth(),
                frame.getHeight(),
                frame.getChannels(),
                bytes);
    }

    /**
     * Rebuilds the Avro frame, for example to put it in a dead letter. The array is wrapped, not
     * copied.
     *
     * @param streamId stream the frame belongs to
     * @param label label of the frame, or {@code null}
     * @return the frame
     */
    public Frame toFrame(String streamId, Integer label) {
        return Frame.newBuilder()
                .setStreamId(streamId)
                .setSequence(sequence)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setWidth(width)
                .setHeight(height)
                .setChannels(channels)
                .setEncoding(encoding)
                .setData(ByteBuffer.wrap(data))
                .setLabel(label)
                .setSource(null)
                .build();
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ClipFrame)) {
            return false;
        }
        ClipFrame that = (ClipFrame) other;
        return sequence == that.sequence
                && eventTime == that.eventTime
                && width == that.width
                && height == that.height
                && channels == that.channels
                && encoding == that.encoding
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(sequence, eventTime, encoding, width, height, channels)
                + Arrays.hashCode(data);
    }

    /** Returns the header fields and the data size, never the bytes. */
    @Override
    public String toString() {
        return "ClipFrame{sequence="
                + sequence
                + ", eventTime="
                + eventTime
                + ", "
                + encoding
                + " "
                + width
                + "x"
                + height
                + "x"
                + channels
                + ", dataBytes="
                + (data == null ? "null" : data.length)
                + "}";
    }
}
