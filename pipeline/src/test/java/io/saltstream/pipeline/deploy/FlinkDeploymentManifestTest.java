package io.saltstream.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.pipeline.cli.SaltstreamCommand;
import io.saltstream.pipeline.config.CheckpointOptions;
import io.saltstream.pipeline.config.ComputeDevice;
import io.saltstream.pipeline.config.EncodeOptions;
import io.saltstream.pipeline.config.FlinkSettings;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.SaltstreamConfigLoader;
import io.saltstream.pipeline.config.TrainOptions;
import io.saltstream.pipeline.job.TrainJob;
import io.saltstream.pipeline.metrics.PrometheusReporterSettings;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Checks the Flink Kubernetes Operator manifests in deploy/k8s: required fields, every
 * flinkConfiguration key and value against Flink's own options, the job configuration in the
 * ConfigMap against the saltstream config loader and the train job, and the GPU settings.
 */
class FlinkDeploymentManifestTest {

    private static final String CPU = "deploy/k8s/flinkdeployment-cpu.yaml";
    private static final String GPU = "deploy/k8s/flinkdeployment-gpu.yaml";
    private static final String MAIN_CONTAINER = "[name=flink-main-container]";
    private static final String GPU_RESOURCE = "nvidia.com/gpu";

    private static FlinkOptionCatalog catalog;

    @TempDir Path temp;

    @BeforeAll
    static void loadCatalog() {
        catalog = FlinkOptionCatalog.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void deploymentHasRequiredFields(String manifest) {
        Map<String, Object> deployment = deployment(manifest);

        assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(YamlDocuments.textAt(deployment, "metadata.name")).isNotBlank();
        assertThat(YamlDocuments.textAt(deployment, "spec.image")).isNotBlank();
        assertThat(YamlDocuments.textAt(deployment, "spec.flinkVersion"))
                .as("operator enum of Flink %s", ProjectBuild.property("flink.version"))
                .isEqualTo(operatorFlinkVersion());
        assertThat(YamlDocuments.textAt(deployment, "spec.job.jarURI"))
                .isEqualTo("local:///opt/flink/usrlib/" + ProjectBuild.jarName());
        assertThat(YamlDocuments.textAt(deployment, "spec.job.upgradeMode")).isEqualTo("savepoint");
        assertThat(YamlDocuments.textAt(deployment, "spec.job.state")).isEqualTo("running");
        for (String component : List.of("jobManager", "taskManager")) {
            assertThat(YamlDocuments.textAt(deployment, "spec." + component + ".resource.memory"))
                    .as("%s memory", component)
                    .matches("\\d+[mg]");
            assertThat(YamlDocuments.at(deployment, "spec." + component + ".resource.cpu"))
                    .as("%s cpu", component)
                    .isInstanceOf(Number.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void flinkConfigurationKeysAreKnown(String manifest) {
        Map<String, String> flink = flinkConfiguration(manifest);

        List<String> problems = new ArrayList<>();
        flink.forEach(
                (key, value) -> {
                    catalog.problem(key, flink).ifPresent(problems::add);
                    if (catalog.problem(key, flink).isEmpty()) {
                        try {
                            catalog.checkValue(key, value);
                        } catch (IllegalArgumentException e) {
                            problems.add(e.getMessage());
                        }
                    }
                });
        assertThat(problems).as("flinkConfiguration of %s", manifest).isEmpty();
        assertThat(Configuration.fromMap(flink).toMap()).containsAllEntriesOf(flink);
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void stateLivesOutsideThePods(String manifest) {
        Map<String, String> flink = flinkConfiguration(manifest);

        assertThat(flink.get("execution.checkpointing.dir")).startsWith("s3://");
        assertThat(flink.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");
        assertThat(flink.get("execution.checkpointing.externalized-checkpoint-retention"))
                .isEqualTo("RETAIN_ON_CANCELLATION");
        assertThat(flink.get("high-availability.type")).isEqualTo("kubernetes");
        assertThat(flink.get("high-availability.storageDir")).startsWith("s3://");
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void reporterServesMetricsPort(String manifest) {
        Map<String, Object> deployment = deployment(manifest);
        Map<String, String> flink = flinkConfiguration(manifest);

        assertThat(flink)
                .containsEntry(
                        PrometheusReporterSettings.FACTORY_CLASS_KEY,
                        PrometheusReporterSettings.FACTORY_CLASS)
                .containsEntry(
                        PrometheusReporterSettings.PORT_KEY,
                        Integer.toString(PrometheusReporterSettings.DEFAULT_PORT));
        Object port =
                YamlDocuments.at(
                        deployment,
                        "spec.podTemplate.spec.containers."
                                + MAIN_CONTAINER
                                + ".ports.[name=metrics].containerPort");
        assertThat(port).isEqualTo(PrometheusReporterSettings.DEFAULT_PORT);
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void entryClassParsesJobArguments(String manifest) throws Exception {
        Map<String, Object> deployment = deployment(manifest);
        String entryClass = YamlDocuments.textAt(deployment, "spec.job.entryClass");
        List<String> args = arguments(deployment);

        Method main = Class.forName(entryClass).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers()))
                .as("%s.main is static", entryClass)
                .isTrue();
        assertThat(entryClass).isEqualTo(SaltstreamCommand.class.getName());
        CommandLine.ParseResult parsed =
                SaltstreamCommand.newCommandLine().parseArgs(args.toArray(new String[0]));
        assertThat(parsed.subcommand()).isNotNull();
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("train");
        assertThat(parsed.subcommand().<Path>matchedOptionValue("--config", null))
                .isEqualTo(Path.of(configPath(deployment)));
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void jobConfigBuildsTrainJob(String manifest) throws IOException {
        Configuration config = jobConfig(manifest);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        TrainJob.builder().setConfig(config).build().addTo(env);
        StreamGraph graph = env.getStreamGraph();
        List<String> operators =
                graph.getStreamNodes().stream()
                        .map(StreamNode::getOperatorName)
                        .collect(Collectors.toList());
        assertThat(operators).contains("salt-trainer", "encoder");
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void jobConfigAgreesWithFlinkSettings(String manifest) throws IOException {
        Map<String, Object> deployment = deployment(manifest);
        Map<String, String> flink = flinkConfiguration(manifest);
        Configuration config = jobConfig(manifest);

        // The job sets these Flink options from its own configuration, which wins over the
        // cluster's.
        // The cluster's values still reach the operator and the web UI, so they must agree.
        assertThat(FlinkSettings.checkpointDirectory(config))
                .isEqualTo(flink.get("execution.checkpointing.dir"));
        assertThat(config.get(CheckpointOptions.INTERVAL))
                .isEqualTo(TimeUtils.parseDuration(flink.get("execution.checkpointing.interval")));
        assertThat(config.get(JobOptions.PARALLELISM))
                .isEqualTo(YamlDocuments.at(deployment, "spec.job.parallelism"));
        assertThat(config.get(JobOptions.NAME))
                .isEqualTo(YamlDocuments.textAt(deployment, "metadata.name"));
        // An exactly-once sink transaction must outlive a savepoint upgrade (stop, then restart).
        assertThat(config.get(KafkaOptions.TRANSACTION_TIMEOUT))
                .isGreaterThanOrEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void gpuDeploymentHasOneGpuPerSlot() throws IOException {
        Map<String, Object> deployment = deployment(GPU);
        Map<String, String> flink = flinkConfiguration(GPU);
        Configuration config = jobConfig(GPU);

        assertThat(flink.get("external-resources")).isEqualTo("gpu");
        assertThat(flink.get("external-resource.gpu.amount")).isEqualTo("1");
        assertThat(flink.get("external-resource.gpu.driver-factory.class"))
                .isEqualTo("org.apache.flink.externalresource.gpu.GPUDriverFactory");
        assertThat(flink.get("external-resource.gpu.param.discovery-script.path"))
                .isEqualTo("/opt/flink/plugins/external-resource-gpu/nvidia-gpu-discovery.sh");
        assertThat(flink.get("external-resource.gpu.kubernetes.config-key"))
                .isEqualTo(GPU_RESOURCE);
        // One GradientCollector per JVM and one GPU per subtask: one slot per task manager.
        assertThat(flink.get(TaskManagerOptions.NUM_TASK_SLOTS.key())).isEqualTo("1");
        Map<String, Object> limits =
                YamlDocuments.mapAt(
                        deployment,
                        "spec.taskManager.podTemplate.spec.containers."
                                + MAIN_CONTAINER
                                + ".resources.limits");
        assertThat(String.valueOf(limits.get(GPU_RESOURCE)))
                .isEqualTo(flink.get("external-resource.gpu.amount"));
        assertThat(config.get(TrainOptions.DEVICE)).isEqualTo(ComputeDevice.GPU);
        assertThat(config.get(EncodeOptions.DEVICE)).isEqualTo(ComputeDevice.GPU);
    }

    @Test
    void cpuDeploymentRequestsNoGpu() throws IOException {
        Map<String, String> flink = flinkConfiguration(CPU);
        Configuration config = jobConfig(CPU);

        assertThat(DeployFiles.read(DeployFiles.path(CPU))).doesNotContain(GPU_RESOURCE);
        assertThat(flink).doesNotContainKey("external-resources");
        assertThat(config.get(TrainOptions.DEVICE)).isEqualTo(ComputeDevice.CPU);
        assertThat(config.get(EncodeOptions.DEVICE)).isEqualTo(ComputeDevice.CPU);
    }

    @Test
    void podMonitorSelectsBothDeployments() {
        Map<String, Object> monitor =
                YamlDocuments.ofKind(DeployFiles.path("deploy/k8s/podmonitor.yaml"), "PodMonitor");
        Map<String, Object> selector = YamlDocuments.mapAt(monitor, "spec.selector.matchLabels");
        Object port = YamlDocuments.at(monitor, "spec.podMetricsEndpoints");

        assertThat(port).isInstanceOf(List.class);
        String portName = String.valueOf(((Map<?, ?>) ((List<?>) port).get(0)).get("port"));
        for (String manifest : List.of(CPU, GPU)) {
            Map<String, Object> deployment = deployment(manifest);
            assertThat(YamlDocuments.mapAt(deployment, "spec.podTemplate.metadata.labels"))
                    .as("pod labels of %s", manifest)
                    .containsAllEntriesOf(selector);
            assertThat(
                            YamlDocuments.at(
                                    deployment,
                                    "spec.podTemplate.spec.containers."
                                            + MAIN_CONTAINER
                                            + ".ports.[name="
                                            + portName
                                            + "]"))
                    .as("container port %s of %s", portName, manifest)
                    .isNotNull();
        }
    }

    /** Returns the operator's FlinkVersion constant of the project's Flink version: v2_2. */
    private static String operatorFlinkVersion() {
        String[] version = ProjectBuild.property("flink.version").split("\\.");
        return "v" + version[0] + "_" + version[1];
    }

    private static Map<String, Object> deployment(String manifest) {
        return YamlDocuments.ofKind(DeployFiles.path(manifest), "FlinkDeployment");
    }

    private static Map<String, String> flinkConfiguration(String manifest) {
        Map<String, String> flink = new LinkedHashMap<>();
        YamlDocuments.mapAt(deployment(manifest), "spec.flinkConfiguration")
                .forEach((key, value) -> flink.put(key, String.valueOf(value)));
        return flink;
    }

    private static List<String> arguments(Map<String, Object> deployment) {
        Object args = YamlDocuments.at(deployment, "spec.job.args");
        assertThat(args).as("spec.job.args").isInstanceOf(List.class);
        return ((List<?>) args).stream().map(String::valueOf).collect(Collectors.toList());
    }

    /** Returns the --config argument, checked to be a file of the mounted job ConfigMap. */
    private static String configPath(Map<String, Object> deployment) {
        List<String> args = arguments(deployment);
        return args.get(args.indexOf("--config") + 1);
    }

    /**
     * Writes the job YAML of the ConfigMap that the pod template mounts at the --config folder to a
     * file and loads it with the saltstream config loader.
     */
    private Configuration jobConfig(String manifest) throws IOException {
        Map<String, Object> deployment = deployment(manifest);
        Path configFile = Path.of(configPath(deployment));
        String container = "spec.podTemplate.spec.containers." + MAIN_CONTAINER;
        Map<String, Object> mount =
                YamlDocuments.mapAt(
                        deployment,
                        container + ".volumeMounts.[mountPath=" + configFile.getParent() + "]");
        String volume = String.valueOf(mount.get("name"));
        String configMapName =
                YamlDocuments.textAt(
                        deployment,
                        "spec.podTemplate.spec.volumes.[name=" + volume + "].configMap.name");
        Map<String, Object> configMap = null;
        for (Map<String, Object> document : YamlDocuments.load(DeployFiles.path(manifest))) {
            if ("ConfigMap".equals(document.get("kind"))
                    && configMapName.equals(YamlDocuments.textAt(document, "metadata.name"))) {
                configMap = document;
            }
        }
        assertThat(configMap).as("ConfigMap %s in %s", configMapName, manifest).isNotNull();
        // The key contains a dot (job.yaml), so it is looked up in the data mapping directly.
        Object yaml =
                YamlDocuments.mapAt(configMap, "data").get(configFile.getFileName().toString());
        assertThat(yaml)
                .as("key %s of ConfigMap %s", configFile.getFileName(), configMapName)
                .isNotNull();

        Path file = temp.resolve(configFile.getFileName());
        Files.writeString(file, String.valueOf(yaml));
        return SaltstreamConfigLoader.builder().optFile(file).build().load();
    }
}
