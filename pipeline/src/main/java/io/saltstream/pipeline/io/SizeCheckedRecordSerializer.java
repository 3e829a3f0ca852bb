package io.saltstream.pipeline.io;

import io.saltstream.operators.OperatorMetrics;
import io.saltstream.operators.deadletter.RateLimitedLogger;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes sink elements into Kafka records of one topic: the value with a {@link
 * SerializationSchema}, the key as the UTF-8 bytes of a key extractor's result, the timestamp from
 * the element's Flink timestamp.
 *
 * <p>A record that would exceed the producer's {@code max.request.size} is skipped, counted in the
 * {@code saltstream.recordsTooLarge} counter and logged (WARN, rate-limited). Sending it would fail
 * the job, and the restarted job would fail again on the same record. Skipping loses only that
 * record. A record that passes this check but exceeds the broker's or topic's limit still fails the
 * job.
 *
 * @param <T> type of the sink elements
 */
final class SizeCheckedRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    /** Name of the counter of skipped records, in the {@code saltstream} metric group. */
    static final String RECORDS_TOO_LARGE_METRIC = "recordsTooLarge";

    /**
     * Bytes Kafka adds around key and value: at most 61 bytes of batch header and 21 bytes of
     * record header in record format v2, rounded up.
     */
    static final int RECORD_OVERHEAD_BYTES = 128;

    private static final Logger LOG = LoggerFactory.getLogger(SizeCheckedRecordSerializer.class);

    private final String topic;
    private final SerializationSchema<T> valueSerializer;
    private final SerializableFunction<T, String> keyExtractor;
    private final long maxRequestBytes;

    private transient Counter recordsTooLarge;
    private transient RateLimitedLogger tooLargeLog;

    /**
     * @param topic topic of every record
     * @param valueSerializer serializer of the record value
     * @param keyExtractor returns the record key, or {@code null} for no key; {@code null} for
     *     records without keys
     * @param maxRequestBytes the producer's {@code max.request.size}
     */
    SizeCheckedRecordSerializer(
            String topic,
            SerializationSchema<T> valueSerializer,
            SerializableFunction<T, String> keyExtractor,
            long maxRequestBytes) {
        this.topic = topic;
        this.valueSerializer = valueSerializer;
        this.keyExtractor = keyExtractor;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
            throws Exception {
        valueSerializer.open(context);
        recordsTooLarge =
                context.getMetricGroup()
                        .addGroup(OperatorMetrics.GROUP)
                        .counter(RECORDS_TOO_LARGE_METRIC);
        tooLargeLog = new RateLimitedLogger(LOG, RateLimitedLogger.DEFAULT_INTERVAL);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        byte[] value = valueSerializer.serialize(element);
        String keyText = keyExtractor == null ? null : keyExtractor.apply(element);
        byte[] key = keyText == null ? null : keyText.getBytes(StandardCharsets.UTF_8);
        long size =
                (value == null ? 0 : value.length)
                        + (key == null ? 0 : key.length)
                        + RECORD_OVERHEAD_BYTES;
        if (size > maxRequestBytes) {
            if (recordsTooLarge != null) {
                recordsTooLarge.inc();
            }
            String message =
                    "Skipped a record for topic '"
                            + topic
                            + "' with key '"
                            + keyText
                            + "': about "
                            + size
                            + " bytes exceed kafka.max-request-size ("
                            + maxRequestBytes
                            + " bytes); raise kafka.max-request-size and the broker's"
                            + " message.max.bytes to send records this large";
            if (tooLargeLog != null) {
                tooLargeLog.warn(message);
            } else {
                LOG.warn(message);
            }
            return null;
        }
        Long recordTimestamp = timestamp == null || timestamp < 0 ? null : timestamp;
        return new ProducerRecord<>(topic, null, recordTimestamp, key, value);
    }

    /** Topic of every record. */
    String topic() {
        return topic;
    }
}
