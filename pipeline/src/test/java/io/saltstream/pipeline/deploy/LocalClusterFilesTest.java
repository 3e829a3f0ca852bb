package io.saltstream.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.pipeline.cli.SaltstreamCommand;
import io.saltstream.pipeline.config.FlinkSettings;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.SaltstreamConfigLoader;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.job.TrainJob;
import io.saltstream.pipeline.metrics.PrometheusReporterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Checks the local cluster of deploy/compose with its Prometheus and Grafana files. Every YAML file
 * parses and the services find each other. The job configuration loads and builds the train job,
 * the Flink settings are Flink options, and Prometheus scrapes the reporters.
 */
class LocalClusterFilesTest {

    private static final String COMPOSE = "deploy/compose/docker-compose.yml";
    private static final String COMPOSE_DIR = "deploy/compose";

    @Test
    void everyYamlFileParses() {
        List<Path> files = DeployFiles.filesEndingWith(".yml", ".yaml");

        assertThat(files).hasSizeGreaterThanOrEqualTo(7);
        for (Path file : files) {
            assertThat(YamlDocuments.load(file)).as("documents of %s", file).isNotEmpty();
        }
    }

    @Test
    void composeHasClusterServices() {
        Map<String, Object> services = services();

        assertThat(services)
                .containsKeys(
                        "kafka",
                        "kafka-init",
                        "jobmanager",
                        "taskmanager",
                        "prometheus",
                        "grafana");
        assertThat(YamlDocuments.textAt(compose(), "services.kafka.image"))
                .isEqualTo("apache/kafka:" + ProjectBuild.property("kafka.version"));
        for (String flink : List.of("jobmanager", "taskmanager")) {
            Map<String, Object> service = YamlDocuments.mapAt(compose(), "services." + flink);
            Path context =
                    DeployFiles.path(COMPOSE_DIR)
                            .resolve(YamlDocuments.textAt(service, "build.context"))
                            .normalize();
            assertThat(context).as("build context of %s", flink).isEqualTo(DeployFiles.root());
            assertThat(YamlDocuments.textAt(service, "build.dockerfile"))
                    .isEqualTo("deploy/docker/Dockerfile");
        }
    }

    @Test
    void jobManagerRunsTrainCommand() {
        Map<String, Object> jobManager = YamlDocuments.mapAt(compose(), "services.jobmanager");
        List<String> command = list(jobManager.get("command"));

        assertThat(command.subList(0, 3))
                .containsExactly(
                        "standalone-job", "--job-classname", SaltstreamCommand.class.getName());
        List<String> args = command.subList(3, command.size());
        CommandLine.ParseResult parsed =
                SaltstreamCommand.newCommandLine().parseArgs(args.toArray(new String[0]));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("train");
        Path config = parsed.subcommand().matchedOptionValue("--config", null);
        assertThat(volumeSources(jobManager))
                .as("volumes of the JobManager")
                .containsEntry(config.toString(), "./job.yaml");
    }

    @Test
    void jobConfigBuildsJobOnServices() {
        Configuration config =
                SaltstreamConfigLoader.builder()
                        .optFile(DeployFiles.path(COMPOSE_DIR + "/job.yaml"))
                        .build()
                        .load();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        TrainJob.builder().setConfig(config).build().addTo(env);
        assertThat(env.getStreamGraph().getStreamNodes()).isNotEmpty();

        assertThat(config.get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(
                        YamlDocuments.textAt(
                                compose(), "services.kafka.environment.KAFKA_ADVERTISED_LISTENERS"))
                .contains("//" + config.get(KafkaOptions.BOOTSTRAP_SERVERS));
        String checkpoints = FlinkSettings.checkpointDirectory(config);
        assertThat(checkpoints).startsWith("file:///flink-data/");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(volumeSources(YamlDocuments.mapAt(compose(), "services." + flink)))
                    .as("volumes of %s", flink)
                    .containsEntry("/flink-data", "flink-data");
        }
    }

    @Test
    void kafkaInitCreatesJobTopics() {
        Configuration config =
                SaltstreamConfigLoader.builder()
                        .optFile(DeployFiles.path(COMPOSE_DIR + "/job.yaml"))
                        .build()
                        .load();
        String script =
                String.join("\n", list(YamlDocuments.at(compose(), "services.kafka-init.command")));

        for (String topic :
                List.of(
                        config.get(TopicOptions.FRAMES),
                        config.get(TopicOptions.EMBEDDINGS),
                        config.get(TopicOptions.TRAINING_METRICS),
                        config.get(TopicOptions.DEAD_LETTERS))) {
            assertThat(script).as("kafka-init creates %s", topic).contains(topic);
        }
        assertThat(script)
                .contains("--topic " + config.get(TopicOptions.MODELS))
                .contains("cleanup.policy=compact");
    }

    @Test
    void flinkPropertiesAreFlinkOptions() {
        FlinkOptionCatalog catalog = FlinkOptionCatalog.load();

        for (String flink : List.of("jobmanager", "taskmanager")) {
            Map<String, String> properties = flinkProperties(flink);
            List<String> problems = new ArrayList<>();
            properties.forEach(
                    (key, value) -> {
                        if (catalog.problem(key, properties).isPresent()) {
                            problems.add(catalog.problem(key, properties).get());
                        } else {
                            try {
                                catalog.checkValue(key, value);
                            } catch (IllegalArgumentException e) {
                                problems.add(e.getMessage());
                            }
                        }
                    });
            assertThat(problems).as("FLINK_PROPERTIES of %s", flink).isEmpty();
            assertThat(properties)
                    .as("FLINK_PROPERTIES of %s", flink)
                    .containsEntry(
                            PrometheusReporterSettings.FACTORY_CLASS_KEY,
                            PrometheusReporterSettings.FACTORY_CLASS)
                    .containsEntry(
                            PrometheusReporterSettings.PORT_KEY,
                            Integer.toString(PrometheusReporterSettings.DEFAULT_PORT));
        }
    }

    @Test
    void prometheusScrapesFlinkReporters() {
        Map<String, Object> prometheus =
                YamlDocuments.load(DeployFiles.path("deploy/prometheus/prometheus.yml")).get(0);
        List<String> targets = new ArrayList<>();
        for (Object job : (List<?>) prometheus.get("scrape_configs")) {
            for (Object staticConfig : (List<?>) ((Map<?, ?>) job).get("static_configs")) {
                targets.addAll(list(((Map<?, ?>) staticConfig).get("targets")));
            }
        }

        assertThat(targets)
                .containsExactlyInAnyOrder(
                        "jobmanager:" + PrometheusReporterSettings.DEFAULT_PORT,
                        "taskmanager:" + PrometheusReporterSettings.DEFAULT_PORT);
        assertThat(volumeSources(YamlDocuments.mapAt(compose(), "services.prometheus")))
                .containsEntry("/etc/prometheus/prometheus.yml", "../prometheus/prometheus.yml");
    }

    @Test
    void grafanaProvisioningUsesMounts() {
        Map<String, Object> grafana = YamlDocuments.mapAt(compose(), "services.grafana");
        Map<String, String> volumes = volumeSources(grafana);
        Map<String, Object> datasources =
                YamlDocuments.load(
                                DeployFiles.path(
                                        "deploy/grafana/provisioning/datasources/prometheus.yml"))
                        .get(0);
        Map<String, Object> providers =
                YamlDocuments.load(
                                DeployFiles.path(
                                        "deploy/grafana/provisioning/dashboards/saltstream.yml"))
                        .get(0);
        String dashboardFolder =
                String.valueOf(
                        ((Map<?, ?>)
                                        ((Map<?, ?>) ((List<?>) providers.get("providers")).get(0))
                                                .get("options"))
                                .get("path"));
        String url =
                String.valueOf(
                        ((Map<?, ?>) ((List<?>) datasources.get("datasources")).get(0)).get("url"));

        assertThat(volumes).containsEntry("/etc/grafana/provisioning", "../grafana/provisioning");
        assertThat(volumes).containsEntry(dashboardFolder, "../grafana/dashboards");
        assertThat(url).isEqualTo("http://prometheus:9090");
        assertThat(services()).containsKey("prometheus");
        for (String source : volumes.values()) {
            assertThat(Files.exists(DeployFiles.path(COMPOSE_DIR).resolve(source)))
                    .as("volume source %s", source)
                    .isTrue();
        }
    }

    private static Map<String, Object> compose() {
        return YamlDocuments.load(DeployFiles.path(COMPOSE)).get(0);
    }

    private static Map<String, Object> services() {
        return YamlDocuments.mapAt(compose(), "services");
    }

    /** Returns the container path and source of each short-syntax volume of a service. */
    private static Map<String, String> volumeSources(Map<String, Object> service) {
        Map<String, String> volumes = new LinkedHashMap<>();
        for (String volume : list(service.get("volumes"))) {
            String[] parts = volume.split(":");
            volumes.put(parts[1], parts[0]);
        }
        return volumes;
    }

    /** Returns the FLINK_PROPERTIES lines of a Flink service as keys and values. */
    private static Map<String, String> flinkProperties(String service) {
        String text =
                YamlDocuments.textAt(
                        compose(), "services." + service + ".environment.FLINK_PROPERTIES");
        assertThat(text).as("FLINK_PROPERTIES of %s", service).isNotBlank();
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(": ");
            assertThat(colon).as("'key: value' line in FLINK_PROPERTIES: %s", line).isPositive();
            properties.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
        }
        return properties;
    }

    private static List<String> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return ((List<?>) value).stream().map(String::valueOf).collect(Collectors.toList());
    }
}
