package io.saltstream.operators.source;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record as the frames source hands it to the job: its coordinates, its timestamp and its
 * key and value bytes, not yet decoded.
 *
 * <p>This is a Flink POJO (public no-argument constructor, public fields), so Flink serializes it
 * with its {@code PojoSerializer} and never falls back to Kryo. The job's Kafka deserialization
 * schema builds it, so this module needs no Kafka dependency.
 */
public class RawRecord {

    /** Kafka topic the record was read from. */
    public String topic;

    /** Partition of {@link #topic}. */
    public int partition;

    /** Offset of the record in its partition. */
    public long offset;

    /** Kafka record timestamp in epoch milliseconds. */
    public long timestamp;

    /** Record key, or {@code null} when the record has none. */
    public byte[] key;

    /** Record value, or {@code null} for a tombstone. */
    public byte[] value;

    /** Creates an empty record, for Flink's POJO serializer. */
    public RawRecord() {}

    /**
     * Creates a record with every field set. The arrays are stored as given, not copied.
     *
     * @param topic Kafka topic the record was read from
     * @param partition partition of the topic
     * @param offset offset in the partition
     * @param timestamp Kafka record timestamp in epoch milliseconds
     * @param key record key, or {@code null}
     * @param value record value, or {@code null} for a tombstone
     */
    public RawRecord(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof RawRecord)) {
            return false;
        }
        RawRecord that = (RawRecord) other;
        return partition == that.partition
                && offset == that.offset
                && timestamp == that.timestamp
                && Objects.equals(topic, that.topic)
                && Arrays.equals(key, that.key)
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        int result = Objects.hash(topic, partition, offset, timestamp);
        result = 31 * result + Arrays.hashCode(key);
        return 31 * result + Arrays.hashCode(value);
    }

    /** Returns the coordinates and sizes, never the bytes. */
    @Override
    public String toString() {
        return "RawRecord{"
                + topic
                + "-"
                + partition
                + "@"
                + offset
                + ", timestamp="
                + timestamp
                + ", keyBytes="
                + (key == null ? "null" : key.length)
                + ", valueBytes="
                + (value == null ? "null" : value.length)
                + "}";
    }
}
