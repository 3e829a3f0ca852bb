package io.saltstream.operators.deadletter;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.codec.AvroCodecs;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.flink.util.OutputTag;

/**
 * Builds {@link DeadLetter} records and names the side output that carries them.
 *
 * <p>Every operator that rejects a record emits it to {@link #OUTPUT_TAG}; the job unions these
 * side outputs into one dead-letter sink. A dead letter keeps at most {@code maxPayloadBytes} of
 * the rejected bytes, and {@code payloadSize} records the size before truncation.
 *
 * <pre>{@code
 * DeadLetters deadLetters = DeadLetters.builder().optMaxPayloadBytes(4096).build();
 * DeadLetter letter = deadLetters.forRecord(record, "record is empty", "empty-record", now);
 * }</pre>
 *
 * <p>Records rejected after parsing no longer carry their Kafka coordinates: {@link #forFrame}
 * stores the configured frames topic, partition -1 and offset -1, and the frame re-encoded as
 * single-object Avro, so the payload can be replayed.
 */
public final class DeadLetters implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Side output of every operator for records it rejects. */
    public static final OutputTag<DeadLetter> OUTPUT_TAG =
            new OutputTag<>("dead-letters", OperatorTypes.DEAD_LETTER);

    /** Default of {@code dead-letter.max-payload-bytes}: 64 KiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

    /** Default of {@code dead-letter.frames-topic}. */
    public static final String DEFAULT_FRAMES_TOPIC = "frames";

    /** Partition and offset stored when the Kafka coordinates of a record are not known. */
    public static final int UNKNOWN_PARTITION = -1;

    /** Offset stored when the Kafka coordinates of a record are not known. */
    public static final long UNKNOWN_OFFSET = -1L;

    private final int maxPayloadBytes;
    private final String framesTopic;

    private DeadLetters(Builder builder) {
        this.maxPayloadBytes = builder.maxPayloadBytes;
        this.framesTopic = builder.framesTopic;
    }

    /** Returns a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns dead letters with the default settings. */
    public static DeadLetters defaults() {
        return builder().build();
    }

    /** Returns the maximum number of payload bytes a dead letter keeps. */
    public int getMaxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** Returns the topic stored in dead letters of frames rejected after parsing. */
    public String getFramesTopic() {
        return framesTopic;
    }

    /**
     * Builds a dead letter for a Kafka record, keeping its coordinates and its value bytes.
     *
     * @param record the rejected record
     * @param reason why it was rejected, in words
     * @param errorClass class name of the exception, or the name of the rule that failed
     * @param rejectedAtMillis when it was rejected, in epoch milliseconds
     * @return the dead letter
     */
    public DeadLetter forRecord(
            RawRecord record, String reason, String errorClass, long rejectedAtMillis) {
        byte[] value = record.value == null ? new byte[0] : record.value;
        return build(
                record.topic == null ? "" : record.topic,
                record.partition,
                record.offset,
                reason,
                errorClass,
                value,
                rejectedAtMillis);
    }

    /**
     * Builds a dead letter for a parsed frame, with the frame re-encoded as single-object Avro.
     * Partition and offset are {@value #UNKNOWN_PARTITION}.
     *
     * @param frame the rejected frame
     * @param reason why it was rejected, in words
     * @param errorClass class name of the exception, or the name of the rule that failed
     * @param rejectedAtMillis when it was rejected, in epoch milliseconds
     * @return the dead letter
     */
    public DeadLetter forFrame(
            Frame frame, String reason, String errorClass, long rejectedAtMillis) {
        return build(
                framesTopic,
                UNKNOWN_PARTITION,
                UNKNOWN_OFFSET,
                reason,
                errorClass,
                AvroCodecs.FRAME.encode(frame),
                rejectedAtMillis);
    }

    private DeadLetter build(
            String topic,
            int partition,
            long offset,
            String reason,
            String errorClass,
            byte[] payload,
            long rejectedAtMillis) {
        byte[] kept =
                payload.length <= maxPayloadBytes
                        ? payload
                        : Arrays.copyOf(payload, maxPayloadBytes);
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason)
                .setErrorClass(errorClass)
                .setPayload(ByteBuffer.wrap(kept))
                .setPayloadSize(payload.length)
                .setEventTime(Instant.ofEpochMilli(rejectedAtMillis))
                .build();
    }

    /**
     * Builder of {@link DeadLetters}.
     *
     * <pre>{@code
     * DeadLetters deadLetters =
     *         DeadLetters.builder().optMaxPayloadBytes(4096).optFramesTopic("camera-frames").build();
     * }</pre>
     */
    public static final class Builder {

        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private String framesTopic = DEFAULT_FRAMES_TOPIC;

        private Builder() {}

        /**
         * Sets {@code dead-letter.max-payload-bytes}: how many bytes of the rejected record a dead
         * letter keeps. Default {@value DeadLetters#DEFAULT_MAX_PAYLOAD_BYTES}; 0 keeps none.
         *
         * @param maxPayloadBytes a limit of 0 or more bytes
         * @return this builder
         */
        public Builder optMaxPayloadBytes(int maxPayloadBytes) {
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /**
         * Sets {@code dead-letter.frames-topic}: the topic stored in dead letters of frames
         * rejected after parsing. Default {@value DeadLetters#DEFAULT_FRAMES_TOPIC}.
         *
         * @param framesTopic a non-empty topic name
         * @return this builder
         */
        public Builder optFramesTopic(String framesTopic) {
            this.framesTopic = framesTopic;
            return this;
        }

        /**
         * Validates the settings and builds the dead letters.
         *
         * @return the dead letters
         * @throws IllegalArgumentException if a setting is out of range
         */
        public DeadLetters build() {
            if (maxPayloadBytes < 0) {
                throw new IllegalArgumentException(
                        "dead-letter.max-payload-bytes is "
                                + maxPayloadBytes
                                + " but must be 0 or more");
            }
            if (framesTopic == null || framesTopic.isBlank()) {
                throw new IllegalArgumentException(
                        "dead-letter.frames-topic is '"
                                + framesTopic
                                + "' but must be a non-empty topic name");
            }
            return new DeadLetters(this);
        }
    }
}
