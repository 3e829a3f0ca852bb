package io.saltstream.operators;

import io.saltstream.operators.source.RawRecord;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** Builds frames, records and images for operator tests. */
public final class TestFrames {

    public static final String TOPIC = "frames";

    private TestFrames() {}

    /**
     * Returns a 2x2 grey RAW_U8 frame whose four bytes all equal the low byte of the sequence, so
     * each frame's content identifies it.
     */
    public static Frame frame(String streamId, long sequence, long eventTimeMillis) {
        byte value = (byte) sequence;
        return raw(
                streamId,
                sequence,
                eventTimeMillis,
                2,
                2,
                1,
                new byte[] {value, value, value, value});
    }

    /** Returns a RAW_U8 frame with the given size and data. */
    public static Frame raw(
            String streamId,
            long sequence,
            long eventTimeMillis,
            int width,
            int height,
            int channels,
            byte[] data) {
        return Frame.newBuilder()
                .setStreamId(streamId)
                .setSequence(sequence)
                .setEventTime(Instant.ofEpochMilli(eventTimeMillis))
                .setWidth(width)
                .setHeight(height)
                .setChannels(channels)
                .setEncoding(FrameEncoding.RAW_U8)
                .setData(ByteBuffer.wrap(data))
                .build();
    }

    /** Returns an encoded (JPEG or PNG) frame of an image. */
    public static Frame encoded(
            String streamId,
            long sequence,
            FrameEncoding encoding,
            int channels,
            byte[] data,
            int width,
            int height) {
        return Frame.newBuilder()
                .setStreamId(streamId)
                .setSequence(sequence)
                .setEventTime(Instant.ofEpochMilli(1000 + sequence))
                .setWidth(width)
                .setHeight(height)
                .setChannels(channels)
                .setEncoding(encoding)
                .setData(ByteBuffer.wrap(data))
                .build();
    }

    /** Encodes a generated Avro record with single-object encoding. */
    public static byte[] encode(SpecificRecordBase record) {
        try {
            ByteBuffer buffer =
                    new BinaryMessageEncoder<SpecificRecordBase>(
                                    record.getSpecificData(), record.getSchema())
                            .encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wraps a value in a record of partition 3 at the given offset. */
    public static RawRecord record(long offset, byte[] value) {
        return new RawRecord(TOPIC, 3, offset, 5000 + offset, null, value);
    }

    /** Writes an image with ImageIO in the given format ("jpeg" or "png"). */
    public static byte[] write(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, bytes)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the values a harness emitted to a side output; empty when it emitted none. */
    public static <X> List<X> sideOutput(
            AbstractStreamOperatorTestHarness<?> harness, OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = harness.getSideOutput(tag);
        if (records == null) {
            return List.of();
        }
        return records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    /** Returns the bytes of a buffer without moving its position. */
    public static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
