package io.saltstream.models.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saltstream.models.mask.MaskConfig;
import io.saltstream.models.vit.SaltModelConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of a {@link SaltTrainer}: the networks, the masks, the optimiser and its
 * schedules, the length of both stages and the handling of non-finite losses.
 *
 * <pre>{@code
 * SaltTrainerConfig config =
 *         SaltTrainerConfig.builder()
 *                 .setModelConfig(VisionTransformerPresets.image28())
 *                 .setBatchSize(64)
 *                 .setTeacherSteps(2_000)
 *                 .setTotalSteps(10_000)
 *                 .optWarmupSteps(200)
 *                 .build();
 * }</pre>
 *
 * <p>Each stage runs its own schedules: Stage 1 over {@code teacherSteps} steps and Stage 2 over
 * {@code totalSteps - teacherSteps} steps. Both use the same learning-rate and weight-decay values
 * and the same number of warm-up steps. {@code teacherSteps = 0} starts in Stage 2 and needs a
 * teacher given to {@link SaltTrainer.Builder#optTeacher}.
 *
 * <p>{@link #toJson()} and {@link #fromJson(String)} carry the config in checkpoints and Flink job
 * parameters; unknown keys are rejected.
 */
public final class SaltTrainerConfig {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Every key of the JSON form, in the order {@link #toJson()} writes them. */
    private static final List<String> JSON_KEYS =
            List.of(
                    "model",
                    "masks",
                    "batchSize",
                    "teacherSteps",
                    "totalSteps",
                    "startLearningRate",
                    "peakLearningRate",
                    "finalLearningRate",
                    "warmupSteps",
                    "startWeightDecay",
                    "finalWeightDecay",
                    "beta1",
                    "beta2",
                    "epsilon",
                    "clipNorm",
                    "maskSeed",
                    "initSeed",
                    "maxConsecutiveSkips",
                    "goodStateInterval",
                    "learningRateBackoff");

    private final SaltModelConfig modelConfig;
    private final List<MaskConfig> maskConfigs;
    private final int batchSize;
    private final long teacherSteps;
    private final long totalSteps;
    private final double startLearningRate;
    private final double peakLearningRate;
    private final double finalLearningRate;
    private final long warmupSteps;
    private final double startWeightDecay;
    private final double finalWeightDecay;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double clipNorm;
    private final long maskSeed;
    private final long initSeed;
    private final int maxConsecutiveSkips;
    private final long goodStateInterval;
    private final double learningRateBackoff;

    private SaltTrainerConfig(Builder builder, List<MaskConfig> maskConfigs) {
        this.modelConfig = builder.modelConfig;
        this.maskConfigs = List.copyOf(maskConfigs);
        this.batchSize = builder.batchSize;
        this.teacherSteps = builder.teacherSteps;
        this.totalSteps = builder.totalSteps;
        this.startLearningRate = builder.startLearningRate;
        this.peakLearningRate = builder.peakLearningRate;
        this.finalLearningRate = builder.finalLearningRate;
        this.warmupSteps = builder.warmupSteps;
        this.startWeightDecay = builder.startWeightDecay;
        this.finalWeightDecay = builder.finalWeightDecay;
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
        this.clipNorm = builder.clipNorm;
        this.maskSeed = builder.maskSeed;
        this.initSeed = builder.initSeed;
        this.maxConsecutiveSkips = builder.maxConsecutiveSkips;
        this.goodStateInterval = builder.goodStateInterval;
        this.learningRateBackoff = builder.learningRateBackoff;
    }

    /** Creates a builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder that starts from every value of this config. */
    public Builder toBuilder() {
        return new Builder()
                .setModelConfig(modelConfig)
                .optMaskConfigs(maskConfigs)
                .setBatchSize(batchSize)
                .setTeacherSteps(teacherSteps)
                .setTotalSteps(totalSteps)
                .optStartLearningRate(startLearningRate)
                .optPeakLearningRate(peakLearningRate)
                .optFinalLearningRate(finalLearningRate)
                .optWarmupSteps(warmupSteps)
                .optWeightDecay(startWeightDecay, finalWeightDecay)
                .optBetas(beta1, beta2)
                .optEpsilon(epsilon)
                .optClipNorm(clipNorm)
                .optMaskSeed(maskSeed)
                .optInitSeed(initSeed)
                .optMaxConsecutiveSkips(maxConsecutiveSkips)
                .optGoodStateInterval(goodStateInterval)
                .optLearningRateBackoff(learningRateBackoff);
    }

    /** Networks of both stages. */
    public SaltModelConfig getModelConfig() {
        return modelConfig;
    }

    /** Target-block families of the multi-block masks. */
    public List<MaskConfig> getMaskConfigs() {
        return maskConfigs;
    }

    /** Nominal number of samples per step; callers form batches of this size. */
    public int getBatchSize() {
        return batchSize;
    }

    /** Steps of Stage 1 before the switch to Stage 2; 0 when a teacher is given. */
    public long getTeacherSteps() {
        return teacherSteps;
    }

    /** Steps of both stages together; Stage 2 schedules run over {@code total - teacher}. */
    public long getTotalSteps() {
        return totalSteps;
    }

    public double getStartLearningRate() {
        return startLearningRate;
    }

    public double getPeakLearningRate() {
        return peakLearningRate;
    }

    public double getFinalLearningRate() {
        return finalLearningRate;
    }

    /** Linear warm-up steps at the start of each stage. */
    public long getWarmupSteps() {
        return warmupSteps;
    }

    public double getStartWeightDecay() {
        return startWeightDecay;
    }

    public double getFinalWeightDecay() {
        return finalWeightDecay;
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    public double getEpsilon() {
        return epsilon;
    }

    /** Largest global gradient L2 norm; 0 turns clipping off. */
    public double getClipNorm() {
        return clipNorm;
    }

    /** Seed of the mask generator; each step's masks derive from it and the step number. */
    public long getMaskSeed() {
        return maskSeed;
    }

    /**
     * Seed of the parameter initialisation: the Stage-1 encoder and decoder use it, the Stage-2
     * student and predictor use {@code initSeed + 1}.
     */
    public long getInitSeed() {
        return initSeed;
    }

    /** Non-finite steps in a row after which the last good state is restored. */
    public int getMaxConsecutiveSkips() {
        return maxConsecutiveSkips;
    }

    /** Applied steps between two copies of the last good state; 0 keeps no copy. */
    public long getGoodStateInterval() {
        return goodStateInterval;
    }

    /** Factor applied to the learning rate at each restore of the last good state. */
    public double getLearningRateBackoff() {
        return learningRateBackoff;
    }

    /** Steps of the given stage, over which its schedules run. */
    public long stageSteps(SaltPhase phase) {
        return phase == SaltPhase.TEACHER ? teacherSteps : totalSteps - teacherSteps;
    }

    /** Creates the learning-rate schedule of a stage. */
    public WarmupCosineSchedule learningRateSchedule(SaltPhase phase) {
        return WarmupCosineSchedule.builder()
                .optStartValue(startLearningRate)
                .setPeakValue(peakLearningRate)
                .optFinalValue(finalLearningRate)
                .optWarmupSteps(warmupSteps)
                .setTotalSteps(stageSteps(phase))
                .build();
    }

    /** Creates the weight-decay schedule of a stage. */
    public CosineSchedule weightDecaySchedule(SaltPhase phase) {
        return new CosineSchedule(startWeightDecay, finalWeightDecay, stageSteps(phase));
    }

    /** Writes this config as a JSON object; the model config is nested under {@code model}. */
    public String toJson() {
        return toJsonNode().toString();
    }

    ObjectNode toJsonNode() {
        ObjectNode root = MAPPER.createObjectNode();
        try {
            root.set("model", MAPPER.readTree(modelConfig.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("SaltModelConfig wrote invalid JSON", e);
        }
        ArrayNode masks = root.putArray("masks");
        for (MaskConfig mask : maskConfigs) {
            ObjectNode node = masks.addObject();
            node.put("numBlocks", mask.getNumBlocks());
            node.putArray("spatialScale")
                    .add(mask.getMinSpatialScale())
                    .add(mask.getMaxSpatialScale());
            node.putArray("aspectRatio")
                    .add(mask.getMinAspectRatio())
                    .add(mask.getMaxAspectRatio());
            node.putArray("temporalScale")
                    .add(mask.getMinTemporalScale())
                    .add(mask.getMaxTemporalScale());
        }
        root.put("batchSize", batchSize);
        root.put("teacherSteps", teacherSteps);
        root.put("totalSteps", totalSteps);
        root.put("startLearningRate", startLearningRate);
        root.put("peakLearningRate", peakLearningRate);
        root.put("finalLearningRate", finalLearningRate);
        root.put("warmupSteps", warmupSteps);
        root.put("startWeightDecay", startWeightDecay);
        root.put("finalWeightDecay", finalWeightDecay);
        root.put("beta1", beta1);
        root.put("beta2", beta2);
        root.put("epsilon", epsilon);
        root.put("clipNorm", clipNorm);
        root.put("maskSeed", maskSeed);
        root.put("initSeed", initSeed);
        root.put("maxConsecutiveSkips", maxConsecutiveSkips);
        root.put("goodStateInterval", goodStateInterval);
        root.put("learningRateBackoff", learningRateBackoff);
        return root;
    }

    /**
     * Reads a config written by {@link #toJson()}. Every key is required.
     *
     * @throws IllegalArgumentException for malformed JSON, unknown or missing keys, or invalid
     *     values
     */
    public static SaltTrainerConfig fromJson(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "invalid SaltTrainerConfig JSON: " + e.getOriginalMessage(), e);
        }
        return fromJsonNode(root);
    }

    static SaltTrainerConfig fromJsonNode(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    "invalid SaltTrainerConfig JSON: expected an object, got " + root);
        }
        Set<String> known = new LinkedHashSet<>(JSON_KEYS);
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException(
                        "invalid SaltTrainerConfig JSON: unknown key '"
                                + name
                                + "'; expected keys "
                                + known);
            }
        }
        List<String> missing = new ArrayList<>();
        for (String key : known) {
            if (!root.has(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid SaltTrainerConfig JSON: missing keys " + missing);
        }
        List<MaskConfig> masks = new ArrayList<>();
        for (JsonNode node : root.get("masks")) {
            masks.add(maskFromJson(node));
        }
        return builder()
                .setModelConfig(SaltModelConfig.fromJson(root.get("model").toString()))
                .optMaskConfigs(masks)
                .setBatchSize(intValue(root, "batchSize"))
                .setTeacherSteps(longValue(root, "teacherSteps"))
                .setTotalSteps(longValue(root, "totalSteps"))
                .optStartLearningRate(doubleValue(root, "startLearningRate"))
                .optPeakLearningRate(doubleValue(root, "peakLearningRate"))
                .optFinalLearningRate(doubleValue(root, "finalLearningRate"))
                .optWarmupSteps(longValue(root, "warmupSteps"))
                .optWeightDecay(
                        doubleValue(root, "startWeightDecay"),
                        doubleValue(root, "finalWeightDecay"))
                .optBetas(doubleValue(root, "beta1"), doubleValue(root, "beta2"))
                .optEpsilon(doubleValue(root, "epsilon"))
                .optClipNorm(doubleValue(root, "clipNorm"))
                .optMaskSeed(longValue(root, "maskSeed"))
                .optInitSeed(longValue(root, "initSeed"))
                .optMaxConsecutiveSkips(intValue(root, "maxConsecutiveSkips"))
                .optGoodStateInterval(longValue(root, "goodStateInterval"))
                .optLearningRateBackoff(doubleValue(root, "learningRateBackoff"))
                .build();
    }

    private static MaskConfig maskFromJson(JsonNode node) {
        double[] spatial = pair(node, "spatialScale");
        double[] aspect = pair(node, "aspectRatio");
        double[] temporal = pair(node, "temporalScale");
        return MaskConfig.builder()
                .setNumBlocks(intValue(node, "numBlocks"))
                .setSpatialScale(spatial[0], spatial[1])
                .optAspectRatio(aspect[0], aspect[1])
                .optTemporalScale(temporal[0], temporal[1])
                .build();
    }

    private static double[] pair(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null
                || !value.isArray()
                || value.size() != 2
                || !value.get(0).isNumber()
                || !value.get(1).isNumber()) {
            throw new IllegalArgumentException(
                    "invalid SaltTrainerConfig JSON: masks[]."
                            + key
                            + " must be an array of two numbers [min, max], got "
                            + value);
        }
        return new double[] {value.get(0).doubleValue(), value.get(1).doubleValue()};
    }

    private static int intValue(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(
                    "invalid SaltTrainerConfig JSON: " + key + " must be an integer, got " + value);
        }
        return value.intValue();
    }

    private static long longValue(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(
                    "invalid SaltTrainerConfig JSON: " + key + " must be an integer, got " + value);
        }
        return value.longValue();
    }

    private static double doubleValue(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException(
                    "invalid SaltTrainerConfig JSON: " + key + " must be a number, got " + value);
        }
        return value.doubleValue();
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SaltTrainerConfig)) {
            return false;
        }
        return toJson().equals(((SaltTrainerConfig) other).toJson());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toJson());
    }

    @Override
    public String toString() {
        return "SaltTrainerConfig" + toJson();
    }

    /**
     * Builder for {@link SaltTrainerConfig}. Required: model config, batch size, teacher steps and
     * total steps. Defaults: the image or video masks of {@link MaskConfig} (by the encoder's frame
     * count), learning rate 0 → 1e-3 → 1e-6 with no warm-up, weight decay 0.04 → 0.4 (as in
     * V-JEPA), betas (0.9, 0.999), epsilon 1e-8, clip norm 1, seeds 0, restore after 5 non-finite
     * steps in a row from a copy taken every 100 applied steps, learning-rate backoff 0.5.
     */
    public static final class Builder {

        private static final int UNSET = Integer.MIN_VALUE;

        private SaltModelConfig modelConfig;
        private List<MaskConfig> maskConfigs;
        private int batchSize = UNSET;
        private long teacherSteps = UNSET;
        private long totalSteps = UNSET;
        private double startLearningRate = 0.0;
        private double peakLearningRate = 1e-3;
        private double finalLearningRate = 1e-6;
        private long warmupSteps = 0;
        private double startWeightDecay = 0.04;
        private double finalWeightDecay = 0.4;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double clipNorm = 1.0;
        private long maskSeed = 0;
        private long initSeed = 0;
        private int maxConsecutiveSkips = 5;
        private long goodStateInterval = 100;
        private double learningRateBackoff = 0.5;

        private Builder() {}

        /** Sets the networks of both stages (required). */
        public Builder setModelConfig(SaltModelConfig modelConfig) {
            this.modelConfig = modelConfig;
            return this;
        }

        /** Sets the target-block families (default: image or video defaults of MaskConfig). */
        public Builder optMaskConfigs(List<MaskConfig> maskConfigs) {
            this.maskConfigs = maskConfigs == null ? null : List.copyOf(maskConfigs);
            return this;
        }

        /** Sets the nominal batch size, at least 1 (required). */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Sets the Stage-1 steps, at least 0; 0 needs a given teacher (required). */
        public Builder setTeacherSteps(long teacherSteps) {
            this.teacherSteps = teacherSteps;
            return this;
        }

        /** Sets the steps of both stages together, above teacher steps (required). */
        public Builder setTotalSteps(long totalSteps) {
            this.totalSteps = totalSteps;
            return this;
        }

        /** Sets the learning rate at the first step of each stage (default 0). */
        public Builder optStartLearningRate(double startLearningRate) {
            this.startLearningRate = startLearningRate;
            return this;
        }

        /** Sets the learning rate at the end of the warm-up (default 1e-3). */
        public Builder optPeakLearningRate(double peakLearningRate) {
            this.peakLearningRate = peakLearningRate;
            return this;
        }

        /** Sets the learning rate at the end of each stage (default 1e-6). */
        public Builder optFinalLearningRate(double finalLearningRate) {
            this.finalLearningRate = finalLearningRate;
            return this;
        }

        /** Sets the warm-up steps at the start of each stage (default 0). */
        public Builder optWarmupSteps(long warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        /** Sets the weight decay at the start and at the end of each stage (default 0.04, 0.4). */
        public Builder optWeightDecay(double start, double end) {
            this.startWeightDecay = start;
            this.finalWeightDecay = end;
            return this;
        }

        /** Sets AdamW's moment decay rates (default 0.9, 0.999). */
        public Builder optBetas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Sets AdamW's epsilon (default 1e-8). */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Sets the largest global gradient norm, 0 for no clipping (default 1). */
        public Builder optClipNorm(double clipNorm) {
            this.clipNorm = clipNorm;
            return this;
        }

        /** Sets the seed of the mask generator (default 0). */
        public Builder optMaskSeed(long maskSeed) {
            this.maskSeed = maskSeed;
            return this;
        }

        /** Sets the seed of the parameter initialisation (default 0). */
        public Builder optInitSeed(long initSeed) {
            this.initSeed = initSeed;
            return this;
        }

        /** Sets the non-finite steps in a row that trigger a restore, at least 1 (default 5). */
        public Builder optMaxConsecutiveSkips(int maxConsecutiveSkips) {
            this.maxConsecutiveSkips = maxConsecutiveSkips;
            return this;
        }

        /**
         * Sets the applied steps between copies of the last good state (default 100). 0 keeps no
         * copy: after too many non-finite steps only the learning rate is lowered.
         */
        public Builder optGoodStateInterval(long goodStateInterval) {
            this.goodStateInterval = goodStateInterval;
            return this;
        }

        /** Sets the learning-rate factor applied at each restore, in (0, 1] (default 0.5). */
        public Builder optLearningRateBackoff(double learningRateBackoff) {
            this.learningRateBackoff = learningRateBackoff;
            return this;
        }

        /**
         * Validates every value and builds the config.
         *
         * @throws IllegalArgumentException listing every missing or invalid value with its rule
         */
        public SaltTrainerConfig build() {
            List<String> errors = new ArrayList<>();
            if (modelConfig == null) {
                errors.add("modelConfig is missing: call setModelConfig");
            }
            if (maskConfigs != null && maskConfigs.isEmpty()) {
                errors.add(
                        "maskConfigs is empty: give at least one MaskConfig or none for defaults");
            }
            if (batchSize == UNSET) {
                errors.add("batchSize is missing: call setBatchSize");
            } else if (batchSize < 1) {
                errors.add("batchSize = " + batchSize + " must be at least 1");
            }
            if (teacherSteps == UNSET) {
                errors.add("teacherSteps is missing: call setTeacherSteps");
            } else if (teacherSteps < 0) {
                errors.add("teacherSteps = " + teacherSteps + " must be at least 0");
            }
            if (totalSteps == UNSET) {
                errors.add("totalSteps is missing: call setTotalSteps");
            } else if (teacherSteps != UNSET && totalSteps <= teacherSteps) {
                errors.add(
                        "totalSteps = "
                                + totalSteps
                                + " must be greater than teacherSteps = "
                                + teacherSteps
                                + ", so that Stage 2 has at least one step");
            }
            requireRate(errors, "startLearningRate", startLearningRate);
            requireRate(errors, "peakLearningRate", peakLearningRate);
            requireRate(errors, "finalLearningRate", finalLearningRate);
            requireRate(errors, "startWeightDecay", startWeightDecay);
            requireRate(errors, "finalWeightDecay", finalWeightDecay);
            if (warmupSteps < 0) {
                errors.add("warmupSteps = " + warmupSteps + " must be at least 0");
            } else if (teacherSteps > 0 && warmupSteps > teacherSteps) {
                errors.add(
                        "warmupSteps = "
                                + warmupSteps
                                + " must be at most teacherSteps = "
                                + teacherSteps
                                + ", because each stage warms up");
            } else if (teacherSteps >= 0
                    && totalSteps > teacherSteps
                    && warmupSteps > totalSteps - teacherSteps) {
                errors.add(
                        "warmupSteps = "
                                + warmupSteps
                                + " must be at most totalSteps - teacherSteps = "
                                + (totalSteps - teacherSteps)
                                + ", because each stage warms up");
            }
            if (!(beta1 >= 0 && beta1 < 1)) {
                errors.add("beta1 = " + beta1 + " must be in [0, 1)");
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                errors.add("beta2 = " + beta2 + " must be in [0, 1)");
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                errors.add("epsilon = " + epsilon + " must be a finite number > 0");
            }
            if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
                errors.add("clipNorm = " + clipNorm + " must be a finite number >= 0 (0: off)");
            }
            if (maxConsecutiveSkips < 1) {
                errors.add("maxConsecutiveSkips = " + maxConsecutiveSkips + " must be at least 1");
            }
            if (goodStateInterval < 0) {
                errors.add(
                        "goodStateInterval = "
                                + goodStateInterval
                                + " must be at least 0 (0: off)");
            }
            if (!(learningRateBackoff > 0 && learningRateBackoff <= 1)) {
                errors.add("learningRateBackoff = " + learningRateBackoff + " must be in (0, 1]");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid SaltTrainerConfig: " + String.join("; ", errors));
            }
            List<MaskConfig> masks = maskConfigs;
            if (masks == null) {
                masks =
                        modelConfig.getEncoder().getGridFrames() > 1
                                ? MaskConfig.videoDefaults()
                                : MaskConfig.imageDefaults();
            }
            return new SaltTrainerConfig(this, masks);
        }

        private static void requireRate(List<String> errors, String key, double value) {
            if (!(value >= 0) || !Double.isFinite(value)) {
                errors.add(key + " = " + value + " must be a finite number >= 0");
            }
        }
    }
}
