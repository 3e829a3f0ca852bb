package io.saltstream.operators.parse;

import io.saltstream.operators.OperatorMetrics;
import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.operators.deadletter.RateLimitedLogger;
import io.saltstream.operators.deadletter.RejectedRecordException;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import io.saltstream.schemas.codec.AvroCodecs;
import io.saltstream.schemas.codec.NotSingleObjectEncodedException;
import io.saltstream.schemas.codec.RecordDecodeException;
import io.saltstream.schemas.codec.TruncatedRecordException;
import io.saltstream.schemas.codec.UnknownSchemaException;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes Kafka records into {@link Frame}s and rejects every record that cannot be used.
 *
 * <p>A record's value must be a single-object encoded Avro {@code Frame}: the marker bytes {@code
 * C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer's schema, then the Avro
 * binary body. The checks, in order:
 *
 * <ol>
 *   <li>the value is present (not a tombstone) and at most {@code parse.max-payload-bytes} long,
 *       checked before decoding;
 *   <li>the bytes decode as a single-object {@code Frame} whose schema fingerprint is that of the
 *       current Frame schema;
 *   <li>{@code streamId} is non-empty, {@code sequence} is 0 or more, {@code width} and {@code
 *       height} lie in [1, {@code parse.max-width}] and [1, {@code parse.max-height}], {@code
 *       channels} is 1 or 3;
 *   <li>RAW_U8 data has exactly width * height * channels bytes; JPEG and PNG data start with the
 *       format's magic bytes.
 * </ol>
 *
 * <p>A record that fails a check goes to {@link DeadLetters#OUTPUT_TAG} with a reason naming what
 * was expected and what was found, is counted in the {@code saltstream.deadLetters} counter and
 * logged (DEBUG each time, WARN rate-limited); the job keeps running. Valid frames go to the main
 * output; they are counted in {@code saltstream.framesParsed}.
 *
 * <p>Decoding uses {@link AvroCodecs#FRAME}, which walks the payload before Avro reads it, so a
 * truncated or corrupt record, or bytes after the record, is rejected with the field it broke in.
 * JPEG and PNG data are only checked for their magic bytes here; {@code Preprocess} decodes them
 * and rejects what does not decode.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Frame> frames =
 *         records.process(ParseFrame.builder().optMaxPayloadBytes(2 << 20).build())
 *                 .name("parse-frame").uid("parse-frame");
 * DataStream<DeadLetter> rejected = frames.getSideOutput(DeadLetters.OUTPUT_TAG);
 * }</pre>
 */
public class ParseFrame extends ProcessFunction<RawRecord, Frame>
        implements ResultTypeQueryable<Frame> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(ParseFrame.class);

    /** Default of {@code parse.max-payload-bytes}: 1 MiB, about Kafka's default record limit. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    /** Default of {@code parse.max-width}. */
    public static final int DEFAULT_MAX_WIDTH = 4096;

    /** Default of {@code parse.max-height}. */
    public static final int DEFAULT_MAX_HEIGHT = 4096;

    /** Counter of frames that passed every check. */
    public static final String FRAMES_PARSED_METRIC = "framesParsed";

    /** Rule name stored as the dead letter's {@code errorClass} for a record without value. */
    public static final String RULE_TOMBSTONE = "tombstone";

    /** Rule name stored as the dead letter's {@code errorClass} for an oversized record. */
    public static final String RULE_PAYLOAD_TOO_LARGE = "payload-too-large";

    /** Rule name stored as the dead letter's {@code errorClass} for an invalid field. */
    public static final String RULE_INVALID_FIELD = "invalid-field";

    /** Rule name stored as the dead letter's {@code errorClass} for data of the wrong size. */
    public static final String RULE_DATA_SIZE = "data-size-mismatch";

    /** Rule name stored as the dead letter's {@code errorClass} for wrong JPEG or PNG magic. */
    public static final String RULE_MAGIC_BYTES = "magic-bytes-mismatch";

    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final int maxPayloadBytes;
    private final int maxWidth;
    private final int maxHeight;
    private final DeadLetters deadLetters;

    private transient RateLimitedLogger rejections;
    private transient Counter framesParsed;
    private transient Counter deadLetterCounter;

    private ParseFrame(Builder builder) {
        this.maxPayloadBytes = builder.maxPayloadBytes;
        this.maxWidth = builder.maxWidth;
        this.maxHeight = builder.maxHeight;
        this.deadLetters = builder.deadLetters;
    }

    /** Returns a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext openContext) {
        rejections = new RateLimitedLogger(LOG, RateLimitedLogger.DEFAULT_INTERVAL);
        framesParsed = OperatorMetrics.group(getRuntimeContext()).counter(FRAMES_PARSED_METRIC);
        deadLetterCounter =
                OperatorMetrics.group(getRuntimeContext()).counter(OperatorMetrics.DEAD_LETTERS);
        LOG.info(
                "ParseFrame started: parse.max-payload-bytes={}, parse.max-width={},"
                        + " parse.max-height={}, dead-letter.max-payload-bytes={}",
                maxPayloadBytes,
                maxWidth,
                maxHeight,
                deadLetters.getMaxPayloadBytes());
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<Frame> out) {
        Frame frame;
        try {
            frame = parse(record.value);
        } catch (RejectedRecordException e) {
            String reason = e.getMessage();
            ctx.output(
                    DeadLetters.OUTPUT_TAG,
                    deadLetters.forRecord(
                            record,
                            reason,
                            e.getErrorClass(),
                            ctx.timerService().currentProcessingTime()));
            deadLetterCounter.inc();
            rejections.warn(
                    "Rejected record "
                            + record.topic
                            + "-"
                            + record.partition
                            + "@"
                            + record.offset
                            + ": "
                            + reason);
            return;
        }
        framesParsed.inc();
        out.collect(frame);
    }

    @Override
    public TypeInformation<Frame> getProducedType() {
        return OperatorTypes.FRAME;
    }

    /** Returns the number of records sent to dead letters by this instance since open. */
    long getDeadLetterCount() {
        return deadLetterCounter.getCount();
    }

    /** Returns the number of frames emitted by this instance since open. */
    long getFramesParsedCount() {
        return framesParsed.getCount();
    }

    private Frame parse(byte[] value) throws RejectedRecordException {
        if (value == null) {
            throw new RejectedRecordException(
                    "record has no value (a tombstone) but must carry a single-object Avro Frame",
                    RULE_TOMBSTONE);
        }
        if (value.length > maxPayloadBytes) {
            throw new RejectedRecordException(
                    "record of "
                            + value.length
                            + " bytes exceeds parse.max-payload-bytes = "
                            + maxPayloadBytes,
                    RULE_PAYLOAD_TOO_LARGE);
        }
        Frame frame = decode(value);
        validateFields(frame);
        validateData(frame);
        return frame;
    }

    private static Frame decode(byte[] value) throws RejectedRecordException {
        try {
            return AvroCodecs.FRAME.decode(value);
        } catch (NotSingleObjectEncodedException e) {
            throw new RejectedRecordException(
                    "not single-object Avro: " + e.getMessage(), e.getClass().getName());
        } catch (UnknownSchemaException e) {
            throw new RejectedRecordException(
                    "unknown schema fingerprint " + e.getFingerprintHex() + ": " + e.getMessage(),
                    e.getClass().getName());
        } catch (TruncatedRecordException e) {
            throw new RejectedRecordException(
                    "truncated Frame record of " + value.length + " bytes: " + e.getMessage(),
                    e.getClass().getName());
        } catch (RecordDecodeException e) {
            throw new RejectedRecordException(
                    "malformed Frame record of " + value.length + " bytes: " + e.getMessage(),
                    e.getClass().getName());
        }
    }

    private void validateFields(Frame frame) throws RejectedRecordException {
        String where =
                " (stream '" + frame.getStreamId() + "', sequence " + frame.getSequence() + ")";
        if (frame.getStreamId().isEmpty()) {
            throw new RejectedRecordException(
                    "streamId is empty but must name the stream" + where, RULE_INVALID_FIELD);
        }
        if (frame.getSequence() < 0) {
            throw new RejectedRecordException(
                    "sequence is " + frame.getSequence() + " but must be 0 or more" + where,
                    RULE_INVALID_FIELD);
        }
        checkRange("width", frame.getWidth(), maxWidth, "parse.max-width", where);
        checkRange("height", frame.getHeight(), maxHeight, "parse.max-height", where);
        if (frame.getChannels() != 1 && frame.getChannels() != 3) {
            throw new RejectedRecordException(
                    "channels is "
                            + frame.getChannels()
                            + " but must be 1 (grey) or 3 (RGB)"
                            + where,
                    RULE_INVALID_FIELD);
        }
    }

    private static void checkRange(String field, int value, int max, String maxKey, String where)
            throws RejectedRecordException {
        if (value < 1 || value > max) {
            throw new RejectedRecordException(
                    field
                            + " is "
                            + value
                            + " but must be in [1, "
                            + max
                            + "] ("
                            + maxKey
                            + ")"
                            + where,
                    RULE_INVALID_FIELD);
        }
    }

    private static void validateData(Frame frame) throws RejectedRecordException {
        String where =
                " (stream '" + frame.getStreamId() + "', sequence " + frame.getSequence() + ")";
        ByteBuffer data = frame.getData();
        FrameEncoding encoding = frame.getEncoding();
        switch (encoding) {
            case RAW_U8:
                long expected = (long) frame.getWidth() * frame.getHeight() * frame.getChannels();
                if (data.remaining() != expected) {
                    throw new RejectedRecordException(
                            "RAW_U8 frame "
                                    + frame.getWidth()
                                    + "x"
                                    + frame.getHeight()
                                    + "x"
                                    + frame.getChannels()
                                    + " needs "
                                    + expected
                                    + " bytes but has "
                                    + data.remaining()
                                    + where,
                            RULE_DATA_SIZE);
                }
                break;
            case JPEG:
                checkMagic(data, JPEG_MAGIC, encoding, where);
                break;
            case PNG:
                checkMagic(data, PNG_MAGIC, encoding, where);
                break;
            default:
                throw new IllegalStateException("unhandled frame encoding " + encoding);
        }
    }

    private static void checkMagic(
            ByteBuffer data, byte[] magic, FrameEncoding encoding, String where)
            throws RejectedRecordException {
        boolean matches = data.remaining() >= magic.length;
        for (int i = 0; matches && i < magic.length; i++) {
            matches = data.get(data.position() + i) == magic[i];
        }
        if (!matches) {
            byte[] start = new byte[Math.min(magic.length, data.remaining())];
            data.duplicate().get(start);
            throw new RejectedRecordException(
                    encoding
                            + " data must start with "
                            + hex(magic, magic.length)
                            + " but starts with "
                            + (start.length == 0 ? "nothing (no data)" : hex(start, start.length))
                            + where,
                    RULE_MAGIC_BYTES);
        }
    }

    private static String hex(byte[] bytes, int length) {
        StringBuilder text = new StringBuilder(length * 3);
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(String.format("%02X", bytes[i] & 0xFF));
        }
        return text.toString();
    }

    /**
     * Builder of {@link ParseFrame}.
     *
     * <pre>{@code
     * ParseFrame parse =
     *         ParseFrame.builder()
     *                 .optMaxPayloadBytes(4 << 20)
     *                 .optMaxWidth(1920)
     *                 .optMaxHeight(1080)
     *                 .optDeadLetters(DeadLetters.builder().optMaxPayloadBytes(1024).build())
     *                 .build();
     * }</pre>
     */
    public static final class Builder {

        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private int maxWidth = DEFAULT_MAX_WIDTH;
        private int maxHeight = DEFAULT_MAX_HEIGHT;
        private DeadLetters deadLetters = DeadLetters.defaults();

        private Builder() {}

        /**
         * Sets {@code parse.max-payload-bytes}: records with a longer value go to dead letters
         * without being decoded. Default {@value ParseFrame#DEFAULT_MAX_PAYLOAD_BYTES}.
         *
         * @param maxPayloadBytes a limit of 1 byte or more
         * @return this builder
         */
        public Builder optMaxPayloadBytes(int maxPayloadBytes) {
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /**
         * Sets {@code parse.max-width}: the largest frame width accepted, in pixels. Default
         * {@value ParseFrame#DEFAULT_MAX_WIDTH}.
         *
         * @param maxWidth 1 or more
         * @return this builder
         */
        public Builder optMaxWidth(int maxWidth) {
            this.maxWidth = maxWidth;
            return this;
        }

        /**
         * Sets {@code parse.max-height}: the largest frame height accepted, in pixels. Default
         * {@value ParseFrame#DEFAULT_MAX_HEIGHT}.
         *
         * @param maxHeight 1 or more
         * @return this builder
         */
        public Builder optMaxHeight(int maxHeight) {
            this.maxHeight = maxHeight;
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
         * @throws IllegalArgumentException if a setting is out of range
         */
        public ParseFrame build() {
            requirePositive("parse.max-payload-bytes", maxPayloadBytes);
            requirePositive("parse.max-width", maxWidth);
            requirePositive("parse.max-height", maxHeight);
            if (deadLetters == null) {
                throw new IllegalArgumentException("deadLetters is null but must be set");
            }
            return new ParseFrame(this);
        }

        private static void requirePositive(String key, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(key + " is " + value + " but must be 1 or more");
            }
        }
    }
}
