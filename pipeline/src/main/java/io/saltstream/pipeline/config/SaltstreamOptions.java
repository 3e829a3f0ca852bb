package io.saltstream.pipeline.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Registry of every saltstream option: the constants of {@link KafkaOptions}, {@link TopicOptions},
 * {@link DataOptions}, {@link ModelOptions}, {@link MaskOptions}, {@link OptimizationOptions},
 * {@link TrainOptions}, {@link QualityOptions}, {@link EncodeOptions}, {@link CheckpointOptions}
 * and {@link JobOptions}, each with its command-line flag and its rule.
 *
 * <p>{@link #validate} checks a whole configuration: each value against its rule, then the rules
 * that relate two options (such as {@code optimization.final-lr <= optimization.lr}). Every failure
 * is an {@link IllegalArgumentException} naming the key, the value and the rule.
 */
public final class SaltstreamOptions {

    /** Model preset names the models module provides. */
    // NOTE: kept by hand in step with the presets of the models module.
    public static final List<String> PRESETS =
            List.of("image-28", "video-64", "vit-tiny", "vit-small", "vit-base", "vit-large");

    /** Kafka client properties the job sets itself, each with what to do instead. */
    static final Map<String, String> RESERVED_KAFKA_PROPERTIES = reservedKafkaProperties();

    private static final Map<String, RegisteredOption<?>> OPTIONS = new LinkedHashMap<>();

    static {
        register(
                KafkaOptions.BOOTSTRAP_SERVERS,
                String.class,
                "--bootstrap-servers",
                OptionRules.notBlank().and(OptionRules.hostPorts()));
        register(KafkaOptions.GROUP_ID, String.class, "--group-id", OptionRules.notBlank());
        register(
                KafkaOptions.MAX_REQUEST_SIZE,
                MemorySize.class,
                "--max-request-size",
                OptionRules.intSizeAtLeast(MemorySize.parse("1 kb")));
        register(
                KafkaOptions.MAX_PARTITION_FETCH_BYTES,
                MemorySize.class,
                "--max-partition-fetch-bytes",
                OptionRules.intSizeAtLeast(MemorySize.parse("1 kb")));
        register(
                KafkaOptions.TRANSACTION_TIMEOUT,
                Duration.class,
                "--transaction-timeout",
                OptionRules.durationBetween(
                        Duration.ofSeconds(1), Duration.ofMillis(Integer.MAX_VALUE)));
        register(
                KafkaOptions.STARTING_OFFSETS,
                KafkaOptions.StartingOffsets.class,
                "--starting-offsets",
                OptionRules.any());
        register(
                KafkaOptions.ISOLATION_LEVEL,
                KafkaOptions.IsolationLevel.class,
                "--isolation-level",
                OptionRules.any());
        registerMap(
                KafkaOptions.PROPERTIES, OptionRules.kafkaProperties(RESERVED_KAFKA_PROPERTIES));

        register(TopicOptions.FRAMES, String.class, "--frames-topic", OptionRules.topicName());
        register(
                TopicOptions.EMBEDDINGS,
                String.class,
                "--embeddings-topic",
                OptionRules.topicName());
        register(
                TopicOptions.TRAINING_METRICS,
                String.class,
                "--training-metrics-topic",
                OptionRules.topicName());
        register(TopicOptions.MODELS, String.class, "--models-topic", OptionRules.topicName());
        register(
                TopicOptions.DEAD_LETTERS,
                String.class,
                "--dead-letters-topic",
                OptionRules.topicName());

        register(DataOptions.CLIP_LENGTH, Integer.class, "--clip-length", OptionRules.atLeast(1));
        register(DataOptions.CLIP_STRIDE, Integer.class, "--clip-stride", OptionRules.atLeast(1));
        register(
                DataOptions.MAX_OUT_OF_ORDERNESS,
                Duration.class,
                "--max-out-of-orderness",
                OptionRules.durationBetween(Duration.ZERO, Duration.ofDays(365)));
        register(
                DataOptions.IDLE_TIMEOUT,
                Duration.class,
                "--idle-timeout",
                OptionRules.durationBetween(Duration.ZERO, Duration.ofDays(365)));
        register(
                DataOptions.MAX_FRAME_BYTES,
                MemorySize.class,
                "--max-frame-bytes",
                OptionRules.intSizeAtLeast(MemorySize.parse("1 b")));
        register(
                DataOptions.GAP_POLICY,
                DataOptions.GapPolicy.class,
                "--gap-policy",
                OptionRules.any());

        register(ModelOptions.PRESET, String.class, "--preset", OptionRules.oneOf(PRESETS));
        register(ModelOptions.PRED_DEPTH, Integer.class, "--pred-depth", OptionRules.atLeast(1));
        register(
                ModelOptions.PRED_EMBED_DIM,
                Integer.class,
                "--pred-embed-dim",
                OptionRules.atLeast(1));

        register(MaskOptions.NUM_BLOCKS, Integer.class, "--num-blocks", OptionRules.atLeast(1));
        registerRange(MaskOptions.SPATIAL_SCALE, "--spatial-scale", OptionRules.range(0, 1));
        registerRange(
                MaskOptions.ASPECT_RATIO,
                "--aspect-ratio",
                OptionRules.range(0, Double.POSITIVE_INFINITY));
        registerRange(MaskOptions.TEMPORAL_SCALE, "--temporal-scale", OptionRules.range(0, 1));

        register(
                OptimizationOptions.BATCH_SIZE,
                Integer.class,
                "--batch-size",
                OptionRules.atLeast(1));
        register(
                OptimizationOptions.TEACHER_STEPS,
                Long.class,
                "--teacher-steps",
                OptionRules.atLeast(0));
        register(
                OptimizationOptions.TOTAL_STEPS,
                Long.class,
                "--total-steps",
                OptionRules.atLeast(0));
        register(OptimizationOptions.LR, Double.class, "--lr", OptionRules.positive());
        register(
                OptimizationOptions.WARMUP_STEPS,
                Long.class,
                "--warmup-steps",
                OptionRules.atLeast(0));
        register(
                OptimizationOptions.FINAL_LR, Double.class, "--final-lr", OptionRules.atLeast(0.0));
        register(
                OptimizationOptions.WEIGHT_DECAY,
                Double.class,
                "--weight-decay",
                OptionRules.atLeast(0.0));
        register(
                OptimizationOptions.FINAL_WEIGHT_DECAY,
                Double.class,
                "--final-weight-decay",
                OptionRules.atLeast(0.0));
        register(
                OptimizationOptions.CLIP_GRAD_NORM,
                Double.class,
                "--clip-grad-norm",
                OptionRules.atLeast(0.0));

        register(
                TrainOptions.POLICY,
                TrainOptions.Policy.class,
                "--train-policy",
                OptionRules.any());
        register(TrainOptions.BUFFER_SIZE, Integer.class, "--buffer-size", OptionRules.atLeast(1));
        register(
                TrainOptions.SNAPSHOT_INTERVAL,
                Long.class,
                "--snapshot-interval",
                OptionRules.atLeast(1));
        register(
                TrainOptions.METRICS_INTERVAL,
                Long.class,
                "--metrics-interval",
                OptionRules.atLeast(1));
        register(
                TrainOptions.QUALITY_INTERVAL,
                Long.class,
                "--quality-interval",
                OptionRules.atLeast(0));
        register(
                TrainOptions.TEACHER_CHECKPOINT,
                String.class,
                "--teacher-checkpoint",
                OptionRules.notBlank());
        register(TrainOptions.DEVICE, ComputeDevice.class, "--train-device", OptionRules.any());
        register(TrainOptions.SEED, Long.class, "--seed", OptionRules.any());

        register(
                QualityOptions.RESERVOIR_SIZE,
                Integer.class,
                "--reservoir-size",
                OptionRules.atLeast(2));
        register(
                QualityOptions.LIDAR_CLASSES,
                Integer.class,
                "--lidar-classes",
                OptionRules.atLeast(2));
        register(
                QualityOptions.LIDAR_VIEWS, Integer.class, "--lidar-views", OptionRules.atLeast(2));
        register(QualityOptions.KNN_K, Integer.class, "--knn-k", OptionRules.atLeast(1));

        register(
                EncodeOptions.BATCH_SIZE,
                Integer.class,
                "--encode-batch-size",
                OptionRules.atLeast(1));
        register(
                EncodeOptions.MAX_DELAY,
                Duration.class,
                "--encode-max-delay",
                OptionRules.durationBetween(Duration.ZERO, Duration.ofHours(1)));
        register(
                EncodeOptions.INITIAL_SNAPSHOT,
                String.class,
                "--initial-snapshot",
                OptionRules.notBlank());
        register(EncodeOptions.DEVICE, ComputeDevice.class, "--encode-device", OptionRules.any());

        register(CheckpointOptions.DIR, String.class, "--checkpoint-dir", OptionRules.notBlank());
        register(
                CheckpointOptions.INTERVAL,
                Duration.class,
                "--checkpoint-interval",
                // Flink's checkpoint coordinator rejects intervals below 10 ms.
                OptionRules.zeroOrAtLeast(Duration.ofMillis(10)));
        register(
                CheckpointOptions.MODE,
                CheckpointOptions.Mode.class,
                "--checkpoint-mode",
                OptionRules.any());

        register(JobOptions.NAME, String.class, "--job-name", OptionRules.notBlank());
        register(JobOptions.PARALLELISM, Integer.class, "--parallelism", OptionRules.atLeast(1));
    }

    private SaltstreamOptions() {}

    /** Returns every registered option, in section order. */
    public static List<RegisteredOption<?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(OPTIONS.values()));
    }

    /** Returns the option registered under {@code key}. */
    public static Optional<RegisteredOption<?>> find(String key) {
        return Optional.ofNullable(OPTIONS.get(key));
    }

    /** Returns the option that {@code flag} (such as {@code --lr}) sets. */
    public static Optional<RegisteredOption<?>> findByFlag(String flag) {
        return OPTIONS.values().stream()
                .filter(s -> s.flag().equals(Optional.of(flag)))
                .findFirst();
    }

    /**
     * Checks every option value of {@code config} against its rule, then the rules that relate two
     * options.
     *
     * @throws IllegalArgumentException naming the key or keys, the values and the first rule broken
     */
    public static void validate(ReadableConfig config) {
        for (RegisteredOption<?> spec : OPTIONS.values()) {
            checkValue(config, spec);
        }
        checkRelations(config);
    }

    /**
     * Checks the rules that relate two or more options.
     *
     * @throws IllegalArgumentException naming the keys, the values and the rule broken
     */
    static void checkRelations(ReadableConfig config) {
        double lr = config.get(OptimizationOptions.LR);
        double finalLr = config.get(OptimizationOptions.FINAL_LR);
        if (finalLr > lr) {
            throw relation(
                    OptimizationOptions.FINAL_LR,
                    finalLr,
                    "must not exceed",
                    OptimizationOptions.LR,
                    lr,
                    "the cosine schedule decays the learning rate from lr to final-lr");
        }

        long totalSteps = config.get(OptimizationOptions.TOTAL_STEPS);
        long teacherSteps = config.get(OptimizationOptions.TEACHER_STEPS);
        if (totalSteps > 0
                && teacherSteps >= totalSteps
                && config.getOptional(TrainOptions.TEACHER_CHECKPOINT).isEmpty()) {
            throw relation(
                    OptimizationOptions.TEACHER_STEPS,
                    teacherSteps,
                    "must be below",
                    OptimizationOptions.TOTAL_STEPS,
                    totalSteps,
                    "otherwise the student never trains; raise total-steps or set it to 0");
        }

        int knnK = config.get(QualityOptions.KNN_K);
        int reservoirSize = config.get(QualityOptions.RESERVOIR_SIZE);
        if (knnK > reservoirSize) {
            throw relation(
                    QualityOptions.KNN_K,
                    knnK,
                    "must not exceed",
                    QualityOptions.RESERVOIR_SIZE,
                    reservoirSize,
                    "the neighbours come from the reservoir");
        }

        Duration interval = config.get(CheckpointOptions.INTERVAL);
        Duration transactionTimeout = config.get(KafkaOptions.TRANSACTION_TIMEOUT);
        if (!interval.isZero() && transactionTimeout.compareTo(interval) <= 0) {
            throw relation(
                    KafkaOptions.TRANSACTION_TIMEOUT,
                    OptionRules.render(transactionTimeout),
                    "must be longer than",
                    CheckpointOptions.INTERVAL,
                    OptionRules.render(interval),
                    "a sink transaction stays open from one checkpoint to the next");
        }

        Map<String, ConfigOption<String>> topicOwners = new LinkedHashMap<>();
        for (ConfigOption<String> topic :
                List.of(
                        TopicOptions.FRAMES,
                        TopicOptions.EMBEDDINGS,
                        TopicOptions.TRAINING_METRICS,
                        TopicOptions.MODELS,
                        TopicOptions.DEAD_LETTERS)) {
            String name = config.get(topic);
            ConfigOption<String> owner = topicOwners.putIfAbsent(name, topic);
            if (owner != null) {
                throw relation(
                        topic,
                        name,
                        "must differ from",
                        owner,
                        name,
                        "each stream needs its own topic");
            }
        }
    }

    private static <T> void checkValue(ReadableConfig config, RegisteredOption<T> spec) {
        Optional<T> value = config.getOptional(spec.option());
        if (value.isEmpty() && spec.option().hasDefaultValue()) {
            value = Optional.of(spec.option().defaultValue());
        }
        value.ifPresent(v -> spec.check(v, ""));
    }

    private static IllegalArgumentException relation(
            ConfigOption<?> option,
            Object value,
            String comparison,
            ConfigOption<?> other,
            Object otherValue,
            String reason) {
        return new IllegalArgumentException(
                "invalid values: '"
                        + option.key()
                        + "' ("
                        + value
                        + ") "
                        + comparison
                        + " '"
                        + other.key()
                        + "' ("
                        + otherValue
                        + "), because "
                        + reason);
    }

    private static <T> void register(
            ConfigOption<T> option, Class<T> type, String flag, OptionRule<T> rule) {
        add(new RegisteredOption<>(option, type, flag, rule, false));
    }

    private static void registerRange(
            ConfigOption<String> option, String flag, OptionRule<String> rule) {
        add(new RegisteredOption<>(option, String.class, flag, rule, true));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void registerMap(
            ConfigOption<Map<String, String>> option, OptionRule<Map<String, String>> rule) {
        // Map entries are set one by one with --set KEY.NAME=VALUE, so the map has no flag.
        add(new RegisteredOption<>(option, (Class) Map.class, null, rule, false));
    }

    private static void add(RegisteredOption<?> spec) {
        if (OPTIONS.putIfAbsent(spec.key(), spec) != null) {
            throw new IllegalStateException("option '" + spec.key() + "' is registered twice");
        }
    }

    private static Map<String, String> reservedKafkaProperties() {
        Map<String, String> reserved = new LinkedHashMap<>();
        reserved.put(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "set 'kafka.bootstrap-servers' instead");
        reserved.put(ConsumerConfig.GROUP_ID_CONFIG, "set 'kafka.group-id' instead");
        reserved.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "set 'kafka.max-request-size' instead");
        reserved.put(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                "set 'kafka.max-partition-fetch-bytes' instead");
        reserved.put(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                "set 'kafka.transaction-timeout' instead");
        reserved.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "set 'kafka.isolation-level' instead");
        reserved.put(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "set 'kafka.starting-offsets' instead");
        reserved.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "the sinks derive transactional ids from 'job.name'");
        reserved.put(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "the source commits offsets on completed checkpoints");
        String bytesOnly = "the job reads and writes raw bytes and encodes Avro itself";
        reserved.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, bytesOnly);
        reserved.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, bytesOnly);
        reserved.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, bytesOnly);
        reserved.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, bytesOnly);
        return Collections.unmodifiableMap(reserved);
    }
}
