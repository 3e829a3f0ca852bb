package io.saltstream.pipeline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.pipeline.config.DataOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.TopicOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;

class KafkaSourcesTest {

    /** Records what a watermark generator emits. */
    private static final class RecordingOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    private static WatermarkGeneratorSupplier.Context context(ManualClock clock) {
        return new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        };
    }

    private static RawRecord recordAt(long timestamp) {
        return new RawRecord("frames", 0, 0L, timestamp, null, new byte[] {1});
    }

    @Test
    void consumerPropertiesComeFromOptions() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.MAX_PARTITION_FETCH_BYTES, MemorySize.ofMebiBytes(4));
        config.set(KafkaOptions.ISOLATION_LEVEL, KafkaOptions.IsolationLevel.READ_UNCOMMITTED);
        config.set(
                KafkaOptions.PROPERTIES,
                Map.of("security.protocol", "SSL", "linger.ms", "20", "fetch.min.bytes", "1024"));

        Properties properties = KafkaSources.consumerProperties(config);

        assertThat(properties)
                .containsOnly(
                        Map.entry("isolation.level", "read_uncommitted"),
                        Map.entry("max.partition.fetch.bytes", Long.toString(4L << 20)),
                        Map.entry("security.protocol", "SSL"),
                        Map.entry("fetch.min.bytes", "1024"));
    }

    @Test
    void defaultIsolationIsReadCommitted() {
        assertThat(KafkaSources.consumerProperties(new Configuration()))
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("max.partition.fetch.bytes", Long.toString(16L << 20));
    }

    @Test
    @SuppressWarnings("deprecation")
    void startingOffsetsMapToResetStrategy() {
        assertThat(
                        KafkaSources.startingOffsets(KafkaOptions.StartingOffsets.EARLIEST)
                                .getAutoOffsetResetStrategy())
                .isEqualTo(OffsetResetStrategy.EARLIEST);
        assertThat(
                        KafkaSources.startingOffsets(KafkaOptions.StartingOffsets.LATEST)
                                .getAutoOffsetResetStrategy())
                .isEqualTo(OffsetResetStrategy.LATEST);
        assertThat(
                        KafkaSources.startingOffsets(KafkaOptions.StartingOffsets.COMMITTED)
                                .getAutoOffsetResetStrategy())
                .isEqualTo(OffsetResetStrategy.EARLIEST);
    }

    @Test
    void framesSourceIsUnboundedRawRecords() {
        Configuration config = new Configuration();
        config.set(TopicOptions.FRAMES, "camera-frames");

        KafkaSource<RawRecord> source = KafkaSources.frames(config);

        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(source.getProducedType()).isEqualTo(OperatorTypes.RAW_RECORD);
    }

    @Test
    void framesRejectsInvalidConfig() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.BOOTSTRAP_SERVERS, "no-port");

        assertThatThrownBy(() -> KafkaSources.frames(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value 'no-port' for 'kafka.bootstrap-servers': must be"
                                + " comma-separated host:port pairs, and 'no-port' is not one");
    }

    @Test
    void timestampsAreKafkaTimestamps() {
        WatermarkStrategy<RawRecord> strategy = KafkaSources.watermarks(new Configuration());
        TimestampAssigner<RawRecord> assigner =
                strategy.createTimestampAssigner(UnregisteredMetricsGroup::new);

        assertThat(assigner.extractTimestamp(recordAt(123_456L), Long.MIN_VALUE))
                .isEqualTo(123_456L);
    }

    @Test
    void watermarkTrailsByMaxOutOfOrderness() {
        Configuration config = new Configuration();
        config.set(DataOptions.MAX_OUT_OF_ORDERNESS, Duration.ofSeconds(2));
        WatermarkGenerator<RawRecord> generator =
                KafkaSources.watermarks(config)
                        .createWatermarkGenerator(context(new ManualClock()));
        RecordingOutput output = new RecordingOutput();

        generator.onEvent(recordAt(10_000L), 10_000L, output);
        generator.onEvent(recordAt(9_000L), 9_000L, output);
        generator.onPeriodicEmit(output);

        // Bounded out-of-orderness emits the newest timestamp minus the bound minus 1 ms.
        assertThat(output.watermarks).containsExactly(10_000L - 2_000L - 1L);
    }

    @Test
    void quietSplitBecomesIdleAfterTimeout() {
        Configuration config = new Configuration();
        config.set(DataOptions.IDLE_TIMEOUT, Duration.ofSeconds(30));
        ManualClock clock = new ManualClock(1_000_000_000L);
        WatermarkGenerator<RawRecord> generator =
                KafkaSources.watermarks(config).createWatermarkGenerator(context(clock));
        RecordingOutput output = new RecordingOutput();
        generator.onEvent(recordAt(10_000L), 10_000L, output);
        generator.onPeriodicEmit(output);
        // Flink's idleness timer starts counting at the first periodic emit without new records.
        generator.onPeriodicEmit(output);

        clock.advanceTime(Duration.ofSeconds(29));
        generator.onPeriodicEmit(output);
        boolean idleBeforeTimeout = output.idle;
        clock.advanceTime(Duration.ofSeconds(2));
        generator.onPeriodicEmit(output);

        assertThat(idleBeforeTimeout).isFalse();
        assertThat(output.idle).isTrue();
    }

    @Test
    void zeroIdleTimeoutNeverMarksIdle() {
        Configuration config = new Configuration();
        config.set(DataOptions.IDLE_TIMEOUT, Duration.ZERO);
        ManualClock clock = new ManualClock(1_000_000_000L);
        WatermarkGenerator<RawRecord> generator =
                KafkaSources.watermarks(config).createWatermarkGenerator(context(clock));
        RecordingOutput output = new RecordingOutput();
        generator.onEvent(recordAt(10_000L), 10_000L, output);
        generator.onPeriodicEmit(output);
        generator.onPeriodicEmit(output);

        clock.advanceTime(Duration.ofDays(1));
        generator.onPeriodicEmit(output);

        assertThat(output.idle).isFalse();
    }
}
