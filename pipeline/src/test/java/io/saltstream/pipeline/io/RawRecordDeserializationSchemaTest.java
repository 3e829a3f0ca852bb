package io.saltstream.pipeline.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.source.RawRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RawRecordDeserializationSchemaTest {

    private static final class ListCollector implements Collector<RawRecord> {
        final List<RawRecord> records = new ArrayList<>();

        @Override
        public void collect(RawRecord record) {
            records.add(record);
        }

        @Override
        public void close() {}
    }

    private static ConsumerRecord<byte[], byte[]> record(
            int partition, long offset, long timestamp, byte[] key, byte[] value) {
        return new ConsumerRecord<>(
                "frames",
                partition,
                offset,
                timestamp,
                TimestampType.CREATE_TIME,
                key == null ? -1 : key.length,
                value == null ? -1 : value.length,
                key,
                value,
                new RecordHeaders(),
                Optional.empty());
    }

    @Test
    void copiesCoordinatesKeyAndValue() {
        byte[] key = "camera-1".getBytes(StandardCharsets.UTF_8);
        byte[] value = {(byte) 0xC3, 0x01, 1, 2, 3};
        ListCollector out = new ListCollector();

        new RawRecordDeserializationSchema()
                .deserialize(record(3, 42L, 1_700_000_000_123L, key, value), out);

        assertThat(out.records).hasSize(1);
        RawRecord raw = out.records.get(0);
        assertThat(raw.topic).isEqualTo("frames");
        assertThat(raw.partition).isEqualTo(3);
        assertThat(raw.offset).isEqualTo(42L);
        assertThat(raw.timestamp).isEqualTo(1_700_000_000_123L);
        assertThat(raw.key).isEqualTo(key);
        assertThat(raw.value).isEqualTo(value);
    }

    @Test
    void passesBytesThatAreNotAvro() {
        byte[] garbage = "not a frame".getBytes(StandardCharsets.UTF_8);
        ListCollector out = new ListCollector();

        new RawRecordDeserializationSchema().deserialize(record(0, 7L, 5L, null, garbage), out);

        assertThat(out.records).containsExactly(new RawRecord("frames", 0, 7L, 5L, null, garbage));
    }

    @Test
    void passesTombstone() {
        ListCollector out = new ListCollector();

        new RawRecordDeserializationSchema()
                .deserialize(record(1, 0L, -1L, new byte[] {1}, null), out);

        assertThat(out.records).hasSize(1);
        assertThat(out.records.get(0).value).isNull();
        assertThat(out.records.get(0).timestamp).isEqualTo(-1L);
    }

    @Test
    void producesPojoType() {
        assertThat(new RawRecordDeserializationSchema().getProducedType())
                .isEqualTo(OperatorTypes.RAW_RECORD);
    }
}
