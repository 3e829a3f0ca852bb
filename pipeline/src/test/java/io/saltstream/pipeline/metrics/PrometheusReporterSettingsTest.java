package io.saltstream.pipeline.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.junit.jupiter.api.Test;

class PrometheusReporterSettingsTest {

    @Test
    void forPortSetsFactoryAndPort() {
        Configuration settings = PrometheusReporterSettings.forPort(9250);

        assertThat(settings.toMap())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "metrics.reporter.prom.factory.class",
                                PrometheusReporterFactory.class.getName(),
                                "metrics.reporter.prom.port",
                                "9250"));
        Configuration reporter =
                MetricOptions.forReporter(settings, PrometheusReporterSettings.REPORTER_NAME);
        assertThat(reporter.get(MetricOptions.REPORTER_FACTORY_CLASS))
                .isEqualTo(PrometheusReporterSettings.FACTORY_CLASS);
    }

    @Test
    void portOutsideRangeIsRejected() {
        assertThatThrownBy(() -> PrometheusReporterSettings.forPort(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port is 0 but must be 1 to 65535");
        assertThatThrownBy(() -> PrometheusReporterSettings.forPort(65536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port is 65536");
    }

    @Test
    void metricsUrlNamesHostPortAndPath() {
        assertThat(PrometheusReporterSettings.metricsUrl("localhost", 9249))
                .isEqualTo("http://localhost:9249/metrics");
    }
}
