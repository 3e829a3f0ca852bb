package io.saltstream.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class FrameSourcesTest {

    @Test
    void boundedSourceIsBounded() {
        Configuration config = JobSettingsTest.config(Map.of());

        assertThat(FrameSources.frames(config, true).getBoundedness())
                .isEqualTo(Boundedness.BOUNDED);
        assertThat(FrameSources.frames(config, false).getBoundedness())
                .isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
    }

    @Test
    void consumerPropertiesKeepConsumerKeysOnly() {
        Properties properties =
                FrameSources.consumerProperties(
                        JobSettingsTest.config(
                                Map.of(
                                        "kafka.properties.security.protocol", "SSL",
                                        "kafka.properties.linger.ms", "5",
                                        "kafka.isolation-level", "read-uncommitted")));

        assertThat(properties.getProperty("security.protocol")).isEqualTo("SSL");
        assertThat(properties).doesNotContainKey("linger.ms");
        assertThat(properties.getProperty("isolation.level")).isEqualTo("read_uncommitted");
        assertThat(properties.getProperty("max.partition.fetch.bytes"))
                .isEqualTo(Long.toString(16L * 1024 * 1024));
    }
}
