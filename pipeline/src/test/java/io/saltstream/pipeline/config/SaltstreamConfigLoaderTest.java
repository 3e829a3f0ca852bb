package io.saltstream.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaltstreamConfigLoaderTest {

    @TempDir Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    @Test
    void nestedYamlBecomesTypedValues() throws IOException {
        Path file =
                write(
                        "demo.yaml",
                        "kafka:",
                        "  bootstrap-servers: 127.0.0.1:19092",
                        "  max-request-size: 4 mb",
                        "  starting-offsets: LATEST",
                        "optimization:",
                        "  lr: 5e-4",
                        "  total-steps: 2000",
                        "data.max-out-of-orderness: 2 s",
                        "mask:",
                        "  spatial-scale: [0.1, 0.3]",
                        "checkpoint:",
                        "  mode: at_least_once",
                        "train:",
                        "  teacher-checkpoint: null");

        Configuration config = SaltstreamConfigLoader.load(file);

        assertThat(config.get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:19092");
        assertThat(config.get(KafkaOptions.MAX_REQUEST_SIZE)).isEqualTo(MemorySize.ofMebiBytes(4));
        assertThat(config.get(KafkaOptions.STARTING_OFFSETS))
                .isEqualTo(KafkaOptions.StartingOffsets.LATEST);
        assertThat(config.get(OptimizationOptions.LR)).isEqualTo(5e-4);
        assertThat(config.get(OptimizationOptions.TOTAL_STEPS)).isEqualTo(2000L);
        assertThat(config.get(DataOptions.MAX_OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(2));
        assertThat(MaskOptions.range(config, MaskOptions.SPATIAL_SCALE))
                .isEqualTo(new ValueRange(0.1, 0.3));
        assertThat(config.get(CheckpointOptions.MODE))
                .isEqualTo(CheckpointOptions.Mode.AT_LEAST_ONCE);
        assertThat(config.contains(TrainOptions.TEACHER_CHECKPOINT)).isFalse();
        assertThat(config.contains(OptimizationOptions.BATCH_SIZE)).isFalse();
        assertThat(config.get(OptimizationOptions.BATCH_SIZE)).isEqualTo(64);
    }

    @Test
    void emptyYamlGivesDefaults() throws IOException {
        Path file = write("empty.yaml", "# nothing set");

        Configuration config = SaltstreamConfigLoader.load(file);

        assertThat(config.keySet()).isEmpty();
    }

    @Test
    void propertiesFileBecomesTypedValues() throws IOException {
        Path file =
                write(
                        "demo.properties",
                        "# saltstream",
                        "job.name = nightly-train",
                        "optimization.batch-size: 32",
                        "kafka.properties.security.protocol=SSL",
                        "mask.aspect-ratio=0.5,2");

        Configuration config = SaltstreamConfigLoader.load(file);

        assertThat(config.get(JobOptions.NAME)).isEqualTo("nightly-train");
        assertThat(config.get(OptimizationOptions.BATCH_SIZE)).isEqualTo(32);
        assertThat(config.get(KafkaOptions.PROPERTIES))
                .containsExactly(Map.entry("security.protocol", "SSL"));
        assertThat(MaskOptions.range(config, MaskOptions.ASPECT_RATIO))
                .isEqualTo(new ValueRange(0.5, 2));
    }

    @Test
    void nestedKafkaPropertiesInYaml() throws IOException {
        Path file =
                write(
                        "secure.yaml",
                        "kafka:",
                        "  properties:",
                        "    security.protocol: SASL_SSL",
                        "    sasl:",
                        "      mechanism: PLAIN");

        Configuration config = SaltstreamConfigLoader.load(file);

        assertThat(config.get(KafkaOptions.PROPERTIES))
                .containsOnly(
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("sasl.mechanism", "PLAIN"));
    }

    @Test
    void unknownYamlKeySuggestsClosest() throws IOException {
        Path file =
                write("demo.yaml", "optimization:", "  batch-size: 32", "  learning-rate: 0.01");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown option 'optimization.learning-rate' in "
                                + file
                                + " line 3; did you mean 'optimization.lr'?");
    }

    @Test
    void unknownPropertiesKeyNamesLine() throws IOException {
        Path file = write("demo.properties", "", "kafka.bootstrap-server=127.0.0.1:9092");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown option 'kafka.bootstrap-server' in "
                                + file
                                + " line 2; did you mean 'kafka.bootstrap-servers'?");
    }

    @Test
    void unknownSectionListsSections() throws IOException {
        Path file = write("demo.yaml", "flink:", "  state-backend: rocksdb");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "unknown option 'flink.state-backend' in "
                                + file
                                + " line 2; known"
                                + " sections are checkpoint, data, encode, job, kafka")
                .hasMessageEndingWith("docs/config-example.yaml lists every option");
    }

    @Test
    void typeErrorNamesKeyValueAndType() throws IOException {
        Path file = write("demo.yaml", "optimization:", "  batch-size: many");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value 'many' for 'optimization.batch-size' in "
                                + file
                                + " line 2: expected an integer from -2147483648 to 2147483647");
    }

    @Test
    void badDurationNamesExpectedForm() throws IOException {
        Path file = write("demo.yaml", "checkpoint:", "  interval: soon");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value 'soon' for 'checkpoint.interval' in "
                                + file
                                + " line 2: expected a duration, such as '500 ms', '30 s' or"
                                + " '5 min'");
    }

    @Test
    void badEnumListsChoices() throws IOException {
        Path file = write("demo.yaml", "train:", "  policy: newest");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value 'newest' for 'train.policy' in "
                                + file
                                + " line 2: expected one of all, latest");
    }

    @Test
    void ruleViolationNamesLine() throws IOException {
        Path file = write("demo.yaml", "quality:", "  lidar-views: 1");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '1' for 'quality.lidar-views' in "
                                + file
                                + " line 2: must be at least 2");
    }

    @Test
    void rangeMinAboveMaxInFile() throws IOException {
        Path file = write("demo.yaml", "mask:", "  spatial-scale: [0.4, 0.2]");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid value '0.4,0.2' for 'mask.spatial-scale' in " + file + " line 2")
                .hasMessageContaining("min 0.4 is greater than max 0.2");
    }

    @Test
    void listForSingleValueOptionIsError() throws IOException {
        Path file = write("demo.yaml", "optimization:", "  batch-size: [32, 64]");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value 32,64 for 'optimization.batch-size' in "
                                + file
                                + " line 2: expected a single value, found a list");
    }

    @Test
    void nullForOptionWithDefaultIsError() throws IOException {
        Path file = write("demo.yaml", "job:", "  name:");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "'job.name' in "
                                + file
                                + " line 2 has no value; give one or remove the line to keep the"
                                + " default 'saltstream-train'");
    }

    @Test
    void keyTwiceInYamlIsError() throws IOException {
        Path file = write("demo.yaml", "optimization:", "  lr: 0.1", "optimization.lr: 0.2");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "'optimization.lr' is set twice, in "
                                + file
                                + " line 2 and in "
                                + file
                                + " line 3");
    }

    @Test
    void keyTwiceInPropertiesIsError() throws IOException {
        Path file = write("demo.properties", "job.name=a", "job.parallelism=2", "job.name=b");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'job.name' is set twice in " + file + ", on lines 1 and 3");
    }

    @Test
    void invalidYamlIsError() throws IOException {
        Path file = write("demo.yaml", "kafka:", "  group-id: [unclosed");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("config file '" + file + "' is not valid YAML: ");
    }

    @Test
    void yamlListAtTopIsError() throws IOException {
        Path file = write("demo.yaml", "- kafka.group-id: g");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "config file '"
                                + file
                                + "' must hold a mapping of option keys to values, found a list"
                                + " at line 1");
    }

    @Test
    void missingFileIsError() {
        Path file = dir.resolve("absent.yaml");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("config file '" + file + "' not found; check the path");
    }

    @Test
    void unsupportedExtensionIsError() throws IOException {
        Path file = write("demo.json", "{}");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "config file '"
                                + file
                                + "' has an unsupported type; use a .yaml, .yml or .properties"
                                + " file");
    }

    @Test
    void overridesWinOverFile() throws IOException {
        Path file =
                write(
                        "demo.yaml",
                        "kafka:",
                        "  bootstrap-servers: broker:9092",
                        "optimization:",
                        "  lr: 0.01",
                        "  batch-size: 16");

        Configuration config =
                SaltstreamConfigLoader.builder()
                        .optFile(file)
                        .addSetArgument("optimization.lr=2e-3")
                        .addOverride(
                                "kafka.bootstrap-servers", "127.0.0.1:9092", "--bootstrap-servers")
                        .build()
                        .load();

        assertThat(config.get(OptimizationOptions.LR)).isEqualTo(2e-3);
        assertThat(config.get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
        assertThat(config.get(OptimizationOptions.BATCH_SIZE)).isEqualTo(16);
    }

    @Test
    void overridesWithoutFile() {
        Configuration config =
                SaltstreamConfigLoader.builder()
                        .addSetArgument("kafka.properties.linger.ms=5")
                        .addSetArgument("data.gap-policy=FLUSH")
                        .build()
                        .load();

        assertThat(config.get(KafkaOptions.PROPERTIES))
                .containsExactly(Map.entry("linger.ms", "5"));
        assertThat(config.get(DataOptions.GAP_POLICY)).isEqualTo(DataOptions.GapPolicy.FLUSH);
    }

    @Test
    void overrideValueIsCheckedWithItsSource() {
        SaltstreamConfigLoader loader =
                SaltstreamConfigLoader.builder()
                        .addOverride("job.parallelism", "0", "--parallelism")
                        .build();

        assertThatThrownBy(loader::load)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '0' for 'job.parallelism' by --parallelism: must be at"
                                + " least 1");
    }

    @Test
    void unknownSetKeySuggestsClosest() {
        SaltstreamConfigLoader loader =
                SaltstreamConfigLoader.builder().addSetArgument("train.warmup-steps=10").build();

        assertThatThrownBy(loader::load)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown option 'train.warmup-steps' by --set train.warmup-steps; did"
                                + " you mean 'optimization.warmup-steps'?");
    }

    @Test
    void malformedSetArgumentIsError() {
        assertThatThrownBy(
                        () ->
                                SaltstreamConfigLoader.builder()
                                        .addSetArgument("optimization.lr")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid --set argument 'optimization.lr': expected KEY=VALUE, such as"
                                + " optimization.lr=5e-4");
    }

    @Test
    void keyTwiceOnCommandLineIsError() {
        SaltstreamConfigLoader loader =
                SaltstreamConfigLoader.builder()
                        .addSetArgument("optimization.lr=0.1")
                        .addOverride("optimization.lr", "0.2", "--lr")
                        .build();

        assertThatThrownBy(loader::load)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "'optimization.lr' is set twice on the command line, by --set"
                                + " optimization.lr and by --lr; keep one");
    }

    @Test
    void reservedKafkaPropertyNamesTypedOption() {
        SaltstreamConfigLoader loader =
                SaltstreamConfigLoader.builder()
                        .addSetArgument("kafka.properties.bootstrap.servers=other:9092")
                        .build();

        assertThatThrownBy(loader::load)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid Kafka property 'kafka.properties.bootstrap.servers' by --set"
                                + " kafka.properties.bootstrap.servers: 'kafka.properties' must"
                                + " not set 'bootstrap.servers': set 'kafka.bootstrap-servers'"
                                + " instead");
    }

    @Test
    void relationsAreCheckedAfterLoading() throws IOException {
        Path file = write("demo.yaml", "optimization:", "  lr: 1e-4", "  final-lr: 1e-3");

        assertThatThrownBy(() -> SaltstreamConfigLoader.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid values: 'optimization.final-lr' (0.001) must not exceed"
                                + " 'optimization.lr' (1.0E-4)");
    }

    @Test
    void describeListsEveryOptionAndMarksDefaults() {
        Configuration config =
                SaltstreamConfigLoader.builder()
                        .addSetArgument("optimization.batch-size=8")
                        .addSetArgument("kafka.properties.ssl.truststore.password=hunter2")
                        .build()
                        .load();

        String description = SaltstreamConfigLoader.describe(config);

        assertThat(description)
                .startsWith("saltstream configuration (2 of " + SaltstreamOptions.all().size());
        assertThat(description.lines().count()).isEqualTo(SaltstreamOptions.all().size() + 1);
        assertThat(description).containsPattern("optimization\\.batch-size +\\= 8\\R");
        assertThat(description).containsPattern("optimization\\.lr +\\= 0\\.001  \\(default\\)");
        assertThat(description).containsPattern("train\\.teacher-checkpoint +\\= \\(not set\\)");
        assertThat(description).containsPattern("kafka\\.transaction-timeout +\\= 1 min");
        assertThat(description).contains("ssl.truststore.password=******");
        assertThat(description).doesNotContain("hunter2");
    }
}
