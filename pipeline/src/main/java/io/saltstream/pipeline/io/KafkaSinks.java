package io.saltstream.pipeline.io;

import io.saltstream.pipeline.config.CheckpointOptions;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.OptionRules;
import io.saltstream.pipeline.config.SaltstreamOptions;
import io.saltstream.schemas.codec.AvroCodec;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds Kafka sinks that write Avro records (single-object encoding) from the saltstream options.
 *
 * <pre>{@code
 * embeddings.sinkTo(
 *                 KafkaSinks.avro(
 *                         config,
 *                         config.get(TopicOptions.EMBEDDINGS),
 *                         AvroCodecs.EMBEDDING,
 *                         embedding -> embedding.getStreamId(),
 *                         DeliveryGuarantee.EXACTLY_ONCE))
 *         .name("embeddings-sink")
 *         .uid("embeddings-sink");
 * }</pre>
 *
 * <p>Delivery guarantees:
 *
 * <ul>
 *   <li>{@link DeliveryGuarantee#EXACTLY_ONCE} writes in Kafka transactions that commit when a
 *       checkpoint completes, so {@code read_committed} consumers see each record once, one
 *       checkpoint interval after it was written. The transactional id prefix is {@code
 *       <job.name>-<topic>}, unique per sink as long as a job writes each topic with one sink and
 *       jobs on one cluster have different names. {@code transaction.timeout.ms} comes from {@code
 *       kafka.transaction-timeout}. With {@code checkpoint.interval} 0 transactions would never
 *       commit, so the sink falls back to at-least-once and logs a WARN.
 *   <li>{@link DeliveryGuarantee#AT_LEAST_ONCE} flushes on each checkpoint, without transactions;
 *       after a failure some records may be written twice. Use it for dead letters.
 * </ul>
 *
 * <p>The producer's {@code max.request.size} is {@code kafka.max-request-size}; a record larger
 * than that is skipped and counted (see {@link SizeCheckedRecordSerializer}). The Kafka producer
 * entries of {@code kafka.properties} are passed on.
 */
public final class KafkaSinks {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinks.class);

    /** Kafka's default {@code buffer.memory}: the producer's send buffer must hold a record. */
    private static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;

    private KafkaSinks() {}

    /**
     * Builds a sink that writes each record with {@code codec} (Avro single-object encoding).
     *
     * @param config the saltstream configuration
     * @param topic topic to write, such as {@code config.get(TopicOptions.EMBEDDINGS)}
     * @param codec the Avro codec of the record class, such as {@code AvroCodecs.EMBEDDING}
     * @param keyExtractor returns the record key, sent as UTF-8; {@code null} (or a {@code null}
     *     result) sends records without a key. Compacted topics need a key.
     * @param guarantee requested delivery guarantee; see the class documentation
     * @throws IllegalArgumentException when {@code config} breaks an option rule, the topic name is
     *     invalid or an argument is null
     */
    public static <T extends SpecificRecord> KafkaSink<T> avro(
            ReadableConfig config,
            String topic,
            AvroCodec<T> codec,
            SerializableFunction<T, String> keyExtractor,
            DeliveryGuarantee guarantee) {
        if (codec == null) {
            throw new IllegalArgumentException(
                    "codec must not be null for the sink of '" + topic + "'");
        }
        return avro(
                config, topic, new AvroCodecSerializationSchema<>(codec), keyExtractor, guarantee);
    }

    /**
     * Builds a sink that writes each record's value with {@code valueSerializer}, for example an
     * Avro single-object encoder.
     *
     * @param valueSerializer serializer of the record value
     * @see #avro(ReadableConfig, String, AvroCodec, SerializableFunction, DeliveryGuarantee)
     */
    public static <T> KafkaSink<T> avro(
            ReadableConfig config,
            String topic,
            SerializationSchema<T> valueSerializer,
            SerializableFunction<T, String> keyExtractor,
            DeliveryGuarantee guarantee) {
        SaltstreamOptions.validate(config);
        if (topic == null) {
            throw new IllegalArgumentException("sink topic must not be null");
        }
        Optional<String> topicViolation = OptionRules.topicName().violation(topic);
        if (topicViolation.isPresent()) {
            throw new IllegalArgumentException(
                    "invalid sink topic '" + topic + "': " + topicViolation.get());
        }
        if (valueSerializer == null || guarantee == null) {
            throw new IllegalArgumentException(
                    "the sink of '"
                            + topic
                            + "' needs a value serializer and a delivery guarantee, got "
                            + valueSerializer
                            + " and "
                            + guarantee);
        }

        DeliveryGuarantee effective = effectiveGuarantee(config, topic, guarantee);
        long maxRequestBytes = config.get(KafkaOptions.MAX_REQUEST_SIZE).getBytes();
        KafkaSinkBuilder<T> builder =
                KafkaSink.<T>builder()
                        .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP_SERVERS))
                        .setKafkaProducerConfig(producerProperties(config, effective))
                        .setRecordSerializer(
                                new SizeCheckedRecordSerializer<>(
                                        topic, valueSerializer, keyExtractor, maxRequestBytes))
                        .setDeliveryGuarantee(effective);
        if (effective == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix(config, topic));
        }
        return builder.build();
    }

    /**
     * Returns the guarantee a sink gets: the requested one, except exactly-once without
     * checkpoints, which becomes at-least-once with a WARN.
     */
    static DeliveryGuarantee effectiveGuarantee(
            ReadableConfig config, String topic, DeliveryGuarantee requested) {
        if (requested == DeliveryGuarantee.EXACTLY_ONCE
                && config.get(CheckpointOptions.INTERVAL).isZero()) {
            LOG.warn(
                    "The sink of topic '{}' writes at-least-once instead of exactly-once because"
                            + " checkpoint.interval is 0 and Kafka transactions commit only on"
                            + " checkpoints; after a failure records may be written twice",
                    topic);
            return DeliveryGuarantee.AT_LEAST_ONCE;
        }
        return requested;
    }

    /** Returns the transactional id prefix of the sink of {@code topic}: job name and topic. */
    static String transactionalIdPrefix(ReadableConfig config, String topic) {
        return config.get(JobOptions.NAME) + "-" + topic;
    }

    /**
     * Returns the producer properties of a sink besides the brokers: the Kafka producer entries of
     * {@code kafka.properties}, {@code max.request.size}, a {@code buffer.memory} of at least twice
     * that (unless set in {@code kafka.properties}), and for exactly-once {@code
     * transaction.timeout.ms}.
     */
    static Properties producerProperties(ReadableConfig config, DeliveryGuarantee guarantee) {
        Properties properties = KafkaClientProperties.extra(config, ProducerConfig.configNames());
        long maxRequestBytes = config.get(KafkaOptions.MAX_REQUEST_SIZE).getBytes();
        properties.setProperty(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(maxRequestBytes));
        if (!properties.containsKey(ProducerConfig.BUFFER_MEMORY_CONFIG)) {
            properties.setProperty(
                    ProducerConfig.BUFFER_MEMORY_CONFIG,
                    Long.toString(Math.max(DEFAULT_BUFFER_MEMORY, 2 * maxRequestBytes)));
        }
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            properties.setProperty(
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                    Long.toString(config.get(KafkaOptions.TRANSACTION_TIMEOUT).toMillis()));
        }
        return properties;
    }

    /** Value serializer that encodes with an {@link AvroCodec}. */
    static final class AvroCodecSerializationSchema<T extends SpecificRecord>
            implements SerializationSchema<T> {

        private static final long serialVersionUID = 1L;

        private final AvroCodec<T> codec;

        AvroCodecSerializationSchema(AvroCodec<T> codec) {
            this.codec = codec;
        }

        @Override
        public byte[] serialize(T element) {
            return codec.encode(element);
        }
    }
}
