package io.saltstream.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks the Grafana dashboard deploy/grafana/dashboards/saltstream.json: the panels the deployment
 * guide describes, a datasource on every query, and PromQL selectors that parse.
 * PrometheusMetricsIT checks the selectors against a real scrape.
 */
class GrafanaDashboardTest {

    private static final String DASHBOARD = "deploy/grafana/dashboards/saltstream.json";
    private static final String DATASOURCES =
            "deploy/grafana/provisioning/datasources/prometheus.yml";

    @Test
    void dashboardHasGuidePanels() {
        GrafanaDashboard dashboard = GrafanaDashboard.load(DeployFiles.path(DASHBOARD));

        assertThat(dashboard.panelTitles())
                .contains(
                        "Loss",
                        "Learning rate",
                        "RankMe",
                        "LiDAR",
                        "kNN and linear-probe accuracy",
                        "Samples per second",
                        "Dropped clips and skipped steps",
                        "Dead letters",
                        "Model version (trainer)",
                        "Model version (oldest encoder)",
                        "Encode latency",
                        "Kafka consumer lag",
                        "Checkpoint duration");
        String guide = DeployFiles.read(DeployFiles.path("docs/deploy.md"));
        for (String title : dashboard.panelTitles()) {
            assertThat(guide)
                    .as("docs/deploy.md describes the panel")
                    .contains("**" + title + "**");
        }
    }

    @Test
    void panelsHaveUniqueIds() {
        GrafanaDashboard dashboard = GrafanaDashboard.load(DeployFiles.path(DASHBOARD));

        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.panels()) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("id of panel '%s' is unique", panel.path("title").asText())
                    .isTrue();
            assertThat(panel.path("gridPos").path("w").asInt())
                    .as("width of panel '%s'", panel.path("title").asText())
                    .isBetween(1, 24);
        }
        assertThat(dashboard.root().path("uid").asText()).isEqualTo("saltstream");
    }

    @Test
    void queriesUseProvisionedDatasource() {
        GrafanaDashboard dashboard = GrafanaDashboard.load(DeployFiles.path(DASHBOARD));
        Map<String, Object> provisioned = YamlDocuments.load(DeployFiles.path(DATASOURCES)).get(0);
        Object datasources = provisioned.get("datasources");
        assertThat(datasources).isInstanceOf(List.class);
        String uid = String.valueOf(((Map<?, ?>) ((List<?>) datasources).get(0)).get("uid"));

        List<String> wrong = new ArrayList<>();
        for (JsonNode panel : dashboard.panels()) {
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            if (panel.path("targets").isEmpty()) {
                wrong.add(panel.path("title").asText() + ": no query");
            }
            for (JsonNode target : panel.path("targets")) {
                String targetUid = target.path("datasource").path("uid").asText();
                if (!uid.equals(targetUid)) {
                    wrong.add(panel.path("title").asText() + ": datasource " + targetUid);
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void queriesSelectFlinkMetrics() {
        GrafanaDashboard dashboard = GrafanaDashboard.load(DeployFiles.path(DASHBOARD));

        for (GrafanaDashboard.Query query : dashboard.queries()) {
            assertThat(MetricSelector.findAll(query.expression()))
                    .as("Flink metric selectors of %s: %s", query.source(), query.expression())
                    .isNotEmpty();
        }
        assertThat(dashboard.selectors())
                .extracting(MetricSelector::name)
                .contains(
                        "flink_taskmanager_job_task_operator_saltstream_loss",
                        "flink_taskmanager_job_task_operator_pendingRecords",
                        "flink_jobmanager_job_lastCheckpointDuration");
    }

    @Test
    void selectorMatchesNameAndLabels() {
        MetricSelector selector =
                MetricSelector.findAll(
                                "min(flink_a_modelVersion{job_name=~\"$job\", operator_name=\"encoder\"})")
                        .get(0);

        assertThat(selector.name()).isEqualTo("flink_a_modelVersion");
        assertThat(selector.matches(sample("flink_a_modelVersion", "encoder", "train_it")))
                .isTrue();
        assertThat(selector.matches(sample("flink_a_modelVersion", "salt_trainer", "train_it")))
                .isFalse();
        assertThat(selector.matches(sample("flink_a_step", "encoder", "train_it"))).isFalse();
    }

    @Test
    void exactMatcherWithVariableIsRejected() {
        assertThatThrownBy(() -> MetricSelector.findAll("flink_a_loss{job_name=\"$job\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job_name=\"$job\"")
                .hasMessageContaining("use =~");
    }

    private static ScrapedMetrics.Sample sample(String name, String operator, String job) {
        return new ScrapedMetrics.Sample(
                name, Map.of("operator_name", operator, "job_name", job), 0);
    }
}
