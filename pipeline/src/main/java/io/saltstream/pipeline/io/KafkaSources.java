package io.saltstream.pipeline.io;

import io.saltstream.operators.source.RawRecord;
import io.saltstream.pipeline.config.DataOptions;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.SaltstreamOptions;
import io.saltstream.pipeline.config.TopicOptions;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Builds the Kafka source of the frames topic and its watermark strategy from the saltstream
 * options.
 *
 * <pre>{@code
 * DataStream<RawRecord> records =
 *         env.fromSource(KafkaSources.frames(config), KafkaSources.watermarks(config), "frames")
 *                 .uid("frames-source");
 * }</pre>
 *
 * <p>The source is unbounded. Its offsets are part of Flink's checkpoints, so a restored job
 * resumes where the checkpoint left off; {@code kafka.starting-offsets} applies only to a fresh
 * start. Offsets are also committed to {@code kafka.group-id} on each completed checkpoint, for
 * monitoring and for {@code starting-offsets: committed}.
 */
public final class KafkaSources {

    private KafkaSources() {}

    /**
     * Builds the source of {@code topics.frames}: brokers, group id, starting offsets, isolation
     * level, fetch size and {@code kafka.properties} from {@code config}. Records come out as
     * {@link RawRecord}s, undecoded.
     *
     * @throws IllegalArgumentException when {@code config} breaks an option rule
     */
    public static KafkaSource<RawRecord> frames(ReadableConfig config) {
        SaltstreamOptions.validate(config);
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP_SERVERS))
                .setTopics(config.get(TopicOptions.FRAMES))
                .setGroupId(config.get(KafkaOptions.GROUP_ID))
                .setClientIdPrefix(config.get(JobOptions.NAME) + "-frames")
                .setStartingOffsets(startingOffsets(config.get(KafkaOptions.STARTING_OFFSETS)))
                .setDeserializer(new RawRecordDeserializationSchema())
                .setProperties(consumerProperties(config))
                .build();
    }

    /**
     * Returns the watermark strategy of the frames source: event time is the Kafka record
     * timestamp, watermarks trail the newest timestamp by {@code data.max-out-of-orderness}, and a
     * split without records for {@code data.idle-timeout} is marked idle (never when it is 0).
     *
     * <p>NOTE: the Kafka record timestamp is the frame's event time only when the producer sets it
     * so; otherwise it is the time the producer sent the record.
     */
    public static WatermarkStrategy<RawRecord> watermarks(ReadableConfig config) {
        WatermarkStrategy<RawRecord> strategy =
                WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(
                                config.get(DataOptions.MAX_OUT_OF_ORDERNESS))
                        .withTimestampAssigner((record, previous) -> record.timestamp);
        Duration idleTimeout = config.get(DataOptions.IDLE_TIMEOUT);
        return idleTimeout.isZero() ? strategy : strategy.withIdleness(idleTimeout);
    }

    /**
     * Returns the consumer properties the source gets besides brokers, topic, group and
     * deserializers: the Kafka consumer entries of {@code kafka.properties}, then {@code
     * isolation.level} and {@code max.partition.fetch.bytes} from their options.
     */
    static Properties consumerProperties(ReadableConfig config) {
        Properties properties = KafkaClientProperties.extra(config, ConsumerConfig.configNames());
        properties.setProperty(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                config.get(KafkaOptions.ISOLATION_LEVEL).kafkaValue());
        properties.setProperty(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Long.toString(config.get(KafkaOptions.MAX_PARTITION_FETCH_BYTES).getBytes()));
        return properties;
    }

    /** Maps the option value to the connector's offsets initializer. */
    // The connector's committedOffsets takes Kafka's deprecated OffsetResetStrategy.
    @SuppressWarnings("deprecation")
    static OffsetsInitializer startingOffsets(KafkaOptions.StartingOffsets startingOffsets) {
        switch (startingOffsets) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default:
                throw new IllegalArgumentException(
                        "unsupported kafka.starting-offsets value '" + startingOffsets + "'");
        }
    }
}
