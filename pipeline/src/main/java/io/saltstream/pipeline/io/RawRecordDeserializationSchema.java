package io.saltstream.pipeline.io;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.source.RawRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns each Kafka record into a {@link RawRecord} holding its topic, partition, offset, timestamp,
 * key and value, without looking at the bytes.
 *
 * <p>It never throws on record content: decoding happens downstream in {@code ParseFrame}, so a
 * record that is not a valid frame still reaches the dead-letter topic with its partition and
 * offset. Every record, a tombstone (null value) included, yields exactly one {@link RawRecord}.
 * The byte arrays are handed over as the Kafka consumer returned them, not copied.
 */
public final class RawRecordDeserializationSchema
        implements KafkaRecordDeserializationSchema<RawRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(
                new RawRecord(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key(),
                        record.value()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return OperatorTypes.RAW_RECORD;
    }
}
