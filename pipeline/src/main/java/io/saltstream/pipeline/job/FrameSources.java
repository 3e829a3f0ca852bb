package io.saltstream.pipeline.job;

import io.saltstream.operators.source.RawRecord;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.SaltstreamOptions;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.io.KafkaSources;
import io.saltstream.pipeline.io.RawRecordDeserializationSchema;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The frames source of the jobs: unbounded as {@link KafkaSources#frames} builds it, or bounded,
 * reading up to the offsets that are the latest when the job starts and then finishing.
 *
 * <p>A bounded source lets a job end by itself once the frames ingested before its start are
 * processed: the source finishes, Flink sends the final watermark, every operator drains its
 * buffers at end of input, a final checkpoint commits the exactly-once sinks, and the job reaches
 * FINISHED. The demo and the integration tests use it.
 */
public final class FrameSources {

    private FrameSources() {}

    /**
     * Builds the frames source.
     *
     * @param config the saltstream configuration
     * @param bounded whether the source stops at the latest offsets of the job's start
     * @throws IllegalArgumentException when {@code config} breaks an option rule
     */
    public static KafkaSource<RawRecord> frames(ReadableConfig config, boolean bounded) {
        if (!bounded) {
            return KafkaSources.frames(config);
        }
        SaltstreamOptions.validate(config);
        // NOTE: KafkaSources builds only the unbounded source and keeps its property helpers
        // package-private, so the bounded source repeats its settings here.
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP_SERVERS))
                .setTopics(config.get(TopicOptions.FRAMES))
                .setGroupId(config.get(KafkaOptions.GROUP_ID))
                .setClientIdPrefix(config.get(JobOptions.NAME) + "-frames")
                .setStartingOffsets(startingOffsets(config.get(KafkaOptions.STARTING_OFFSETS)))
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new RawRecordDeserializationSchema())
                .setProperties(consumerProperties(config))
                .build();
    }

    /** Returns the consumer entries of {@code kafka.properties} plus the typed consumer options. */
    static Properties consumerProperties(ReadableConfig config) {
        Properties properties = new Properties();
        Set<String> consumerKeys = ConsumerConfig.configNames();
        Map<String, String> extra = config.getOptional(KafkaOptions.PROPERTIES).orElse(Map.of());
        extra.forEach(
                (key, value) -> {
                    if (consumerKeys.contains(key)) {
                        properties.setProperty(key, value);
                    }
                });
        properties.setProperty(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                config.get(KafkaOptions.ISOLATION_LEVEL).kafkaValue());
        properties.setProperty(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Long.toString(config.get(KafkaOptions.MAX_PARTITION_FETCH_BYTES).getBytes()));
        return properties;
    }

    // The connector's committedOffsets takes Kafka's deprecated OffsetResetStrategy.
    @SuppressWarnings("deprecation")
    private static OffsetsInitializer startingOffsets(KafkaOptions.StartingOffsets offsets) {
        switch (offsets) {
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST:
            default:
                return OffsetsInitializer.earliest();
        }
    }
}
