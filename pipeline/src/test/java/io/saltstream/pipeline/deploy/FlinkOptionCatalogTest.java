package io.saltstream.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks that the catalog of Flink options accepts real keys and names every bad one. */
class FlinkOptionCatalogTest {

    private static final Map<String, String> GPU_AND_PROMETHEUS =
            Map.of(
                    "external-resources", "gpu",
                    "external-resource.gpu.driver-factory.class",
                            "org.apache.flink.externalresource.gpu.GPUDriverFactory",
                    "metrics.reporter.prom.factory.class",
                            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");

    private static FlinkOptionCatalog catalog;

    @BeforeAll
    static void load() {
        catalog = FlinkOptionCatalog.load();
    }

    @Test
    void catalogKnowsHundredsOfOptions() {
        assertThat(catalog.size()).isGreaterThan(500);
        assertThat(catalog.exactKeys())
                .containsKeys(
                        "execution.checkpointing.interval",
                        "high-availability.type",
                        "taskmanager.numberOfTaskSlots");
    }

    @Test
    void catalogAcceptsExactPatternAndParameterKeys() {
        assertThat(catalog.problem("execution.checkpointing.dir", GPU_AND_PROMETHEUS)).isEmpty();
        assertThat(catalog.problem("metrics.reporter.prom.factory.class", GPU_AND_PROMETHEUS))
                .isEmpty();
        assertThat(catalog.problem("metrics.reporter.prom.port", GPU_AND_PROMETHEUS)).isEmpty();
        assertThat(catalog.problem("external-resource.gpu.amount", GPU_AND_PROMETHEUS)).isEmpty();
        assertThat(
                        catalog.problem(
                                "external-resource.gpu.param.discovery-script.path",
                                GPU_AND_PROMETHEUS))
                .isEmpty();
        assertThat(
                        catalog.problem(
                                "external-resource.gpu.kubernetes.config-key", GPU_AND_PROMETHEUS))
                .isEmpty();
        assertThat(
                        catalog.problem(
                                "kubernetes.operator.periodic.savepoint.interval",
                                GPU_AND_PROMETHEUS))
                .isEmpty();
    }

    @Test
    void misspeltKeyIsNamed() {
        assertThat(catalog.problem("execution.checkpointing.intervall", Map.of()))
                .hasValueSatisfying(
                        message ->
                                assertThat(message)
                                        .contains("'execution.checkpointing.intervall'")
                                        .contains("not a Flink 2.2 configuration option"));
    }

    @Test
    void deprecatedKeyNamesItsReplacement() {
        assertThat(catalog.problem("state.checkpoints.dir", Map.of()))
                .hasValueSatisfying(
                        message ->
                                assertThat(message)
                                        .contains("'state.checkpoints.dir' is deprecated")
                                        .contains("'execution.checkpointing.dir'"));
    }

    @Test
    void unknownReporterParameterIsNamed() {
        assertThat(catalog.problem("metrics.reporter.prom.prot", GPU_AND_PROMETHEUS))
                .hasValueSatisfying(
                        message ->
                                assertThat(message)
                                        .contains("'metrics.reporter.prom.prot'")
                                        .contains("no parameter of the reporter 'prom'"));
    }

    @Test
    void unknownGpuDriverParameterIsNamed() {
        assertThat(
                        catalog.problem(
                                "external-resource.gpu.param.discovery-script", GPU_AND_PROMETHEUS))
                .hasValueSatisfying(
                        message ->
                                assertThat(message)
                                        .contains("'external-resource.gpu.param.discovery-script'")
                                        .contains("no parameter of the driver"));
    }

    @Test
    void resourceMissingFromTheListIsNamed() {
        assertThat(catalog.problem("external-resource.fpga.amount", GPU_AND_PROMETHEUS))
                .hasValueSatisfying(
                        message ->
                                assertThat(message)
                                        .contains("'external-resource.fpga.amount'")
                                        .contains("not listed in external-resources [gpu]"));
    }

    @Test
    void invalidValueNamesKeyValueAndType() {
        assertThatThrownBy(() -> catalog.checkValue("execution.checkpointing.interval", "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'execution.checkpointing.interval' = 'soon'")
                .hasMessageContaining("Duration");
        assertThatThrownBy(() -> catalog.checkValue("external-resource.gpu.amount", "one"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'external-resource.gpu.amount' = 'one'")
                .hasMessageContaining("Long");
    }

    @Test
    void validValuesPass() {
        catalog.checkValue("execution.checkpointing.interval", "30 s");
        catalog.checkValue("taskmanager.memory.task.off-heap.size", "3g");
        catalog.checkValue(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        catalog.checkValue("external-resources", "gpu");
        catalog.checkValue("kubernetes.operator.savepoint.history.max.count", "5");
    }
}
