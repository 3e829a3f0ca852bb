package io.saltstream.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;

class SaltstreamOptionsTest {

    private static final List<Class<?>> SECTIONS =
            List.of(
                    KafkaOptions.class,
                    TopicOptions.class,
                    DataOptions.class,
                    ModelOptions.class,
                    MaskOptions.class,
                    OptimizationOptions.class,
                    TrainOptions.class,
                    QualityOptions.class,
                    EncodeOptions.class,
                    CheckpointOptions.class,
                    JobOptions.class);

    @Test
    void registryHoldsEveryDeclaredOption() throws IllegalAccessException {
        Set<String> declared = new HashSet<>();
        for (Class<?> section : SECTIONS) {
            for (Field field : section.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && field.getType() == ConfigOption.class) {
                    declared.add(((ConfigOption<?>) field.get(null)).key());
                }
            }
        }
        Set<String> registered =
                SaltstreamOptions.all().stream()
                        .map(RegisteredOption::key)
                        .collect(Collectors.toSet());

        assertThat(registered).isEqualTo(declared);
    }

    @Test
    void keysAreDottedLowercaseWithKnownSection() {
        Set<String> sections =
                Set.of(
                        "kafka",
                        "topics",
                        "data",
                        "model",
                        "mask",
                        "optimization",
                        "train",
                        "quality",
                        "encode",
                        "checkpoint",
                        "job");
        for (RegisteredOption<?> option : SaltstreamOptions.all()) {
            assertThat(option.key()).matches("[a-z]+\\.[a-z][a-z-]*[a-z]");
            assertThat(sections).contains(option.key().substring(0, option.key().indexOf('.')));
            assertThat(option.description()).as(option.key()).isNotBlank();
        }
    }

    @Test
    void flagsAreUniqueAndFindTheirOption() {
        Set<String> flags = new HashSet<>();
        for (RegisteredOption<?> option : SaltstreamOptions.all()) {
            if (option.isMap()) {
                assertThat(option.flag()).isEmpty();
                continue;
            }
            String flag = option.flag().orElseThrow();
            assertThat(flag).matches("--[a-z][a-z-]*[a-z]");
            assertThat(flags.add(flag)).as("flag %s used twice", flag).isTrue();
            assertThat(SaltstreamOptions.findByFlag(flag)).containsSame(option);
        }
        assertThat(SaltstreamOptions.findByFlag("--bootstrap-servers").orElseThrow().key())
                .isEqualTo("kafka.bootstrap-servers");
    }

    @Test
    void defaultsMatchDocumentedValues() {
        Configuration config = new Configuration();

        assertThat(config.get(KafkaOptions.MAX_REQUEST_SIZE)).isEqualTo(MemorySize.ofMebiBytes(16));
        assertThat(config.get(KafkaOptions.TRANSACTION_TIMEOUT)).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.get(KafkaOptions.STARTING_OFFSETS))
                .isEqualTo(KafkaOptions.StartingOffsets.EARLIEST);
        assertThat(config.get(TopicOptions.FRAMES)).isEqualTo("frames");
        assertThat(config.get(TopicOptions.EMBEDDINGS)).isEqualTo("embeddings");
        assertThat(config.get(TopicOptions.TRAINING_METRICS)).isEqualTo("training-metrics");
        assertThat(config.get(TopicOptions.MODELS)).isEqualTo("models");
        assertThat(config.get(TopicOptions.DEAD_LETTERS)).isEqualTo("dead-letters");
        assertThat(config.get(DataOptions.CLIP_LENGTH)).isEqualTo(1);
        assertThat(config.get(ModelOptions.PRESET)).isEqualTo("image-28");
        assertThat(config.getOptional(ModelOptions.PRED_DEPTH)).isEmpty();
        assertThat(MaskOptions.range(config, MaskOptions.SPATIAL_SCALE))
                .isEqualTo(new ValueRange(0.15, 0.2));
        assertThat(config.get(OptimizationOptions.TOTAL_STEPS)).isZero();
        assertThat(config.get(TrainOptions.POLICY)).isEqualTo(TrainOptions.Policy.ALL);
        assertThat(config.get(CheckpointOptions.MODE))
                .isEqualTo(CheckpointOptions.Mode.EXACTLY_ONCE);
        assertThat(config.get(CheckpointOptions.DIR)).isEqualTo("checkpoints");
    }

    @Test
    void defaultsPassValidation() {
        SaltstreamOptions.validate(new Configuration());
    }

    @Test
    void enumsRenderInKebabCase() {
        assertThat(KafkaOptions.IsolationLevel.READ_COMMITTED).hasToString("read-committed");
        assertThat(KafkaOptions.IsolationLevel.READ_COMMITTED.kafkaValue())
                .isEqualTo("read_committed");
        assertThat(CheckpointOptions.Mode.AT_LEAST_ONCE).hasToString("at-least-once");
        assertThat(ComputeDevice.GPU).hasToString("gpu");
    }

    @Test
    void validateRejectsValueBelowMinimum() {
        Configuration config = new Configuration();
        config.set(OptimizationOptions.BATCH_SIZE, 0);

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid value '0' for 'optimization.batch-size': must be at least 1");
    }

    @Test
    void validateRejectsNonPositiveLearningRate() {
        Configuration config = new Configuration();
        config.set(OptimizationOptions.LR, -0.5);

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid value '-0.5' for 'optimization.lr': must be greater than 0");
    }

    @Test
    void validateRejectsUnknownPreset() {
        Configuration config = new Configuration();
        config.set(ModelOptions.PRESET, "vit-huge");

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid value 'vit-huge' for 'model.preset': must be one of")
                .hasMessageContaining("image-28")
                .hasMessageContaining("vit-large");
    }

    @Test
    void validateRejectsRangeWithMinAboveMax() {
        Configuration config = new Configuration();
        config.set(MaskOptions.SPATIAL_SCALE, "0.3,0.2");

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid value '0.3,0.2' for 'mask.spatial-scale'")
                .hasMessageContaining("min 0.3 is greater than max 0.2");
    }

    @Test
    void validateRejectsScaleOutsideUnitInterval() {
        Configuration config = new Configuration();
        config.set(MaskOptions.TEMPORAL_SCALE, "0.5,1.5");

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '0.5,1.5' for 'mask.temporal-scale': must have both ends"
                                + " in (0.0, 1.0]");
    }

    @Test
    void validateRejectsNonPositiveAspectRatio() {
        Configuration config = new Configuration();
        config.set(MaskOptions.ASPECT_RATIO, "0,1");

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '0,1' for 'mask.aspect-ratio': must have both ends"
                                + " greater than 0.0");
    }

    @Test
    void validateRejectsBadTopicName() {
        Configuration config = new Configuration();
        config.set(TopicOptions.MODELS, "models/v1");

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid value 'models/v1' for 'topics.models': must be a Kafka topic"
                                + " name");
    }

    @Test
    void validateRejectsBadBootstrapServers() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.BOOTSTRAP_SERVERS, "127.0.0.1:9092,broker2");

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '127.0.0.1:9092,broker2' for 'kafka.bootstrap-servers':"
                                + " must be comma-separated host:port pairs, and 'broker2' is"
                                + " not one");
    }

    @Test
    void validateAcceptsIpv6BootstrapServer() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.BOOTSTRAP_SERVERS, "[::1]:9092, broker-2.example:19092");

        SaltstreamOptions.validate(config);
    }

    @Test
    void validateRejectsRequestSizeAboveKafkaLimit() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.MAX_REQUEST_SIZE, MemorySize.parse("3 gb"));

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '3 gb' for 'kafka.max-request-size': must be below 2 gb,"
                                + " Kafka's limit for record sizes");
    }

    @Test
    void validateRejectsTooShortCheckpointInterval() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.INTERVAL, Duration.ofMillis(5));

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '5 ms' for 'checkpoint.interval': must be 0 (off) or at"
                                + " least 10 ms");
    }

    @Test
    void validateRejectsFinalLrAboveLr() {
        Configuration config = new Configuration();
        config.set(OptimizationOptions.LR, 1e-4);
        config.set(OptimizationOptions.FINAL_LR, 1e-3);

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid values: 'optimization.final-lr' (0.001) must not exceed"
                                + " 'optimization.lr' (1.0E-4), because the cosine schedule"
                                + " decays the learning rate from lr to final-lr");
    }

    @Test
    void validateRejectsTeacherStepsNotBelowTotal() {
        Configuration config = new Configuration();
        config.set(OptimizationOptions.TOTAL_STEPS, 500L);
        config.set(OptimizationOptions.TEACHER_STEPS, 500L);

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid values: 'optimization.teacher-steps' (500) must be below"
                                + " 'optimization.total-steps' (500)");
    }

    @Test
    void teacherCheckpointLiftsTeacherStepLimit() {
        Configuration config = new Configuration();
        config.set(OptimizationOptions.TOTAL_STEPS, 100L);
        config.set(OptimizationOptions.TEACHER_STEPS, 500L);
        config.set(TrainOptions.TEACHER_CHECKPOINT, "file:///models/teacher.ckpt");

        SaltstreamOptions.validate(config);
    }

    @Test
    void validateRejectsTransactionTimeoutNotAboveCheckpointInterval() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.INTERVAL, Duration.ofMinutes(2));

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid values: 'kafka.transaction-timeout' (1 min) must be longer"
                                + " than 'checkpoint.interval' (2 min), because a sink"
                                + " transaction stays open from one checkpoint to the next");
    }

    @Test
    void transactionTimeoutIgnoredWithoutCheckpoints() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.INTERVAL, Duration.ZERO);
        config.set(KafkaOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(1));

        SaltstreamOptions.validate(config);
    }

    @Test
    void validateRejectsKnnKAboveReservoir() {
        Configuration config = new Configuration();
        config.set(QualityOptions.RESERVOIR_SIZE, 10);

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid values: 'quality.knn-k' (20) must not exceed"
                                + " 'quality.reservoir-size' (10)");
    }

    @Test
    void validateRejectsSharedTopic() {
        Configuration config = new Configuration();
        config.set(TopicOptions.EMBEDDINGS, "frames");

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid values: 'topics.embeddings' (frames) must differ from"
                                + " 'topics.frames' (frames), because each stream needs its own"
                                + " topic");
    }

    @Test
    void validateRejectsReservedKafkaProperty() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.PROPERTIES, Map.of("group.id", "other"));

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '{group.id=other}' for 'kafka.properties': must not set"
                                + " 'group.id': set 'kafka.group-id' instead");
    }

    @Test
    void validateRejectsUnknownKafkaPropertyAndMasksSecrets() {
        Configuration config = new Configuration();
        config.set(
                KafkaOptions.PROPERTIES, Map.of("ssl.key.password", "hunter2", "ssl.no.such", "x"));

        assertThatThrownBy(() -> SaltstreamOptions.validate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ssl.no.such', which is not a Kafka consumer or producer")
                .hasMessageContaining("ssl.key.password=******")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void validateAcceptsKnownKafkaProperties() {
        Configuration config = new Configuration();
        config.set(
                KafkaOptions.PROPERTIES,
                Map.of("security.protocol", "SSL", "linger.ms", "20", "fetch.min.bytes", "1"));

        SaltstreamOptions.validate(config);
    }
}
