package io.saltstream.models.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saltstream.models.checkpoint.BlockParameters;
import io.saltstream.models.checkpoint.Checkpoint;
import io.saltstream.models.checkpoint.CheckpointEntry;
import io.saltstream.models.checkpoint.EncoderSnapshot;
import io.saltstream.models.mask.MaskBatch;
import io.saltstream.models.mask.MultiBlockMaskGenerator;
import io.saltstream.models.vit.PixelDecoder;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.Tokens;
import io.saltstream.models.vit.VisionTransformerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains SALT (Static-teacher Asymmetric Latent Training) one batch at a time: Stage 1 trains an
 * encoder by masked pixel reconstruction, Stage 2 freezes it as the teacher and trains a fresh
 * student to predict its latents. No EMA: the teacher never changes in Stage 2.
 *
 * <p>Dimensions: B batch, C channels, T frames, H×W pixels, N tokens of the grid, K context tokens
 * and M target tokens per sample, D encoder width, P = t·p·p·C pixel values per token.
 *
 * <p>Each {@link #step(NDArray)} call:
 *
 * <ol>
 *   <li>draws V-JEPA multi-block masks for the batch from the mask seed and the step count ({@code
 *       contextIndices} [B, K], {@code targetIndices} [B, M]), so a restored trainer replays the
 *       same masks;
 *   <li>computes the targets without gradients. Stage 1 ({@link SaltPhase#TEACHER}): the per-patch
 *       normalised pixels of the target tokens [B, M, P]. Stage 2 ({@link SaltPhase#STUDENT}): the
 *       frozen teacher encodes the full input, and its tokens at the target positions are
 *       layer-normalised over D without affine parameters [B, M, D];
 *   <li>runs the trained encoder on the context tokens and the head (pixel decoder or predictor) at
 *       the target positions, inside a {@link GradientCollector};
 *   <li>takes the loss (Stage 1: mean squared error, Stage 2: mean absolute error), back-propagates
 *       into the trained encoder and the head only, clips the global gradient norm and applies one
 *       {@link AdamW} update with the scheduled learning rate and weight decay;
 *   <li>after {@code teacherSteps} Stage-1 steps, copies the encoder into a frozen teacher, creates
 *       a fresh student and predictor and resets the optimiser.
 * </ol>
 *
 * <p>A step whose loss or gradient norm is not finite leaves the parameters unchanged and is
 * counted. After {@code maxConsecutiveSkips} such steps in a row, the trainer restores the last
 * good copy of the parameters and optimiser state (taken every {@code goodStateInterval} applied
 * steps) and multiplies the learning rate by {@code learningRateBackoff}, logging each event at
 * WARN. The scale returns to 1 at the switch to Stage 2.
 *
 * <p><b>NOTE:</b> PyTorch through DJL allows one open {@link GradientCollector} per JVM. The
 * trainer opens one per step in try-with-resources and closes it before returning, and only one
 * SaltTrainer may be open per JVM: building a second one throws {@link IllegalStateException} until
 * the first is closed. In Flink, run one training slot per task manager.
 *
 * <p><b>Memory:</b> every array a step creates lives in a child NDManager that the step closes; an
 * {@link NDScope} around the step also closes arrays that DJL attached to a parameter's manager
 * (results join the manager of their first operand). The number of live arrays, {@link
 * #liveArrayCount()}, stays flat over any number of steps.
 *
 * <p>Not thread-safe: call one method at a time. PyTorch's gradient mode is per thread; every
 * method sets the mode it needs.
 */
public final class SaltTrainer implements AutoCloseable {

    /** The {@code kind} of a training checkpoint. */
    public static final String CHECKPOINT_KIND = "salt-trainer";

    /** Checkpoint group of the optimiser's moments. */
    public static final String OPTIMIZER_GROUP = "optimizer";

    /**
     * Epsilon of the LayerNorm applied to the teacher's tokens in Stage 2, PyTorch's default as in
     * V-JEPA's {@code F.layer_norm}.
     */
    public static final double TARGET_NORM_EPSILON = 1e-5;

    private static final Logger LOG = LoggerFactory.getLogger(SaltTrainer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The open trainer of this JVM, with a description of who opened it. */
    private static final AtomicReference<String> OPEN_TRAINER = new AtomicReference<>();

    private final SaltTrainerConfig config;
    private final Device device;
    private final String owner;
    private final NDManager root;
    private final MultiBlockMaskGenerator maskGenerator;

    private StageModels models;
    private AdamW optimizer;
    private GoodState goodState;
    private WarmupCosineSchedule learningRateSchedule;
    private CosineSchedule weightDecaySchedule;

    private long step;
    private long phaseStep;
    private long samplesSeen;
    private long skippedSteps;
    private long restoreCount;
    private long appliedSinceGoodState;
    private int consecutiveSkips;
    private double learningRateScale = 1.0;
    private boolean closed;

    private SaltTrainer(SaltTrainerConfig config, Device device, Checkpoint teacher) {
        this.config = config;
        this.device = device;
        this.owner =
                "SaltTrainer opened on thread '"
                        + Thread.currentThread().getName()
                        + "' for preset "
                        + config.getModelConfig().getPresetName();
        if (!OPEN_TRAINER.compareAndSet(null, owner)) {
            throw new IllegalStateException(
                    "another SaltTrainer is open in this JVM ("
                            + OPEN_TRAINER.get()
                            + "): PyTorch allows one GradientCollector per process, so close the"
                            + " other trainer first or run one trainer per JVM (one training slot"
                            + " per Flink task manager)");
        }
        NDManager created = null;
        try {
            created = NDManager.newBaseManager(device);
            created.setName("salt-trainer");
            this.root = created;
            this.maskGenerator =
                    MultiBlockMaskGenerator.builder()
                            .setGrid(config.getModelConfig().getEncoder())
                            .optMaskConfigs(config.getMaskConfigs())
                            .optSeed(config.getMaskSeed())
                            .build();
            if (teacher != null) {
                models =
                        StageModels.create(
                                SaltPhase.STUDENT,
                                config.getModelConfig(),
                                root,
                                config.getInitSeed(),
                                true);
                EncoderSnapshot.loadInto(teacher, models.getFrozenTeacher(), "the teacher");
            } else {
                models =
                        StageModels.create(
                                SaltPhase.TEACHER,
                                config.getModelConfig(),
                                root,
                                config.getInitSeed(),
                                true);
            }
            startPhase();
        } catch (RuntimeException e) {
            releaseAll();
            if (created != null) {
                created.close();
            }
            OPEN_TRAINER.compareAndSet(owner, null);
            throw e;
        }
        logStart(teacher != null);
    }

    /** Creates a builder; the config is required. */
    public static Builder builder() {
        return new Builder();
    }

    private void logStart(boolean givenTeacher) {
        Map<String, NDArray> trainable = models.trainable();
        long parameters = 0;
        for (NDArray array : trainable.values()) {
            parameters += array.size();
        }
        LOG.info(
                "SaltTrainer started: engine {} {}, device {}, preset {}, phase {}{}, {} trainable"
                        + " parameters in {} arrays, batch size {}, teacher steps {}, total steps"
                        + " {}",
                Engine.getInstance().getEngineName(),
                Engine.getInstance().getVersion(),
                device,
                config.getModelConfig().getPresetName(),
                models.getPhase(),
                givenTeacher ? " (teacher given)" : "",
                parameters,
                trainable.size(),
                config.getBatchSize(),
                config.getTeacherSteps(),
                config.getTotalSteps());
        LOG.info("SaltTrainer config: {}", config.toJson());
    }

    /** Creates the optimiser and schedules for the current models and saves a good state. */
    private void startPhase() {
        if (optimizer != null) {
            optimizer.close();
        }
        optimizer = newOptimizer(models);
        learningRateSchedule = config.learningRateSchedule(models.getPhase());
        weightDecaySchedule = config.weightDecaySchedule(models.getPhase());
        zeroGradients();
        captureGoodState();
    }

    private AdamW newOptimizer(StageModels stage) {
        AdamW.Builder builder =
                AdamW.builder()
                        .setManager(stage.getManager())
                        .optBeta1(config.getBeta1())
                        .optBeta2(config.getBeta2())
                        .optEpsilon(config.getEpsilon());
        for (Map.Entry<String, NDArray> entry : stage.trainable().entrySet()) {
            builder.addParameter(entry.getKey(), entry.getValue());
        }
        return builder.build();
    }

    private void captureGoodState() {
        if (goodState != null) {
            goodState.close();
            goodState = null;
        }
        appliedSinceGoodState = 0;
        if (config.getGoodStateInterval() > 0) {
            goodState = GoodState.capture(root, models.trainable(), optimizer, step);
        }
    }

    /**
     * Trains on one batch.
     *
     * @param batch [B, C, H, W] images or [B, C, T, H, W] clips (for an image model [B, C, 1, H, W]
     *     is accepted too), float32, normalised; on any device. The array is neither closed nor
     *     changed.
     * @return the loss and the settings of this step
     * @throws IllegalArgumentException if the batch has the wrong data type or shape
     * @throws IllegalStateException if the trainer is closed
     */
    public StepResult step(NDArray batch) {
        checkOpen();
        int batchSize = checkBatch(batch);
        long started = System.nanoTime();
        SaltPhase stepPhase = models.getPhase();
        double learningRate = learningRateSchedule.valueAt(phaseStep) * learningRateScale;
        double weightDecay = weightDecaySchedule.valueAt(phaseStep);
        // One (context, target) pair per mask config, as in V-JEPA: the union of 8 small and 2
        // large video blocks would leave only about 4 % of the tokens as context.
        List<MaskBatch> maskPairs = maskGenerator.generatePerConfig(batchSize, step);
        Outcome outcome;
        try {
            outcome = trainOnBatch(batch, maskPairs, learningRate, weightDecay);
        } finally {
            // Also after an exception, so the next step does not add to stale gradients.
            zeroGradients();
        }
        double loss = outcome.loss();
        double gradientNorm = outcome.gradientNorm();
        boolean applied = outcome.applied();
        step++;
        phaseStep++;
        samplesSeen += batchSize;
        double seconds = (System.nanoTime() - started) / 1e9;
        if (applied) {
            onAppliedStep();
        } else {
            onSkippedStep(loss, gradientNorm);
        }
        StepResult result =
                new StepResult(
                        step,
                        stepPhase,
                        loss,
                        learningRate,
                        weightDecay,
                        gradientNorm,
                        !applied,
                        batchSize,
                        seconds);
        LOG.debug("{}", result);
        if (stepPhase == SaltPhase.TEACHER && phaseStep >= config.getTeacherSteps()) {
            switchToStudent();
        }
        return result;
    }

    /**
     * Trains on one batch given as a flat float array.
     *
     * @param data the values in row-major order
     * @param shape [B, C, H, W] or [B, C, T, H, W]
     * @throws IllegalArgumentException if the shape does not match the data or the model
     */
    public StepResult step(float[] data, int[] shape) {
        checkOpen();
        Shape arrayShape = checkFlatInput(data, shape);
        try (NDManager scope = root.newSubManager()) {
            return step(scope.create(data, arrayShape));
        }
    }

    /** Result of the arrays part of a step. */
    private record Outcome(double loss, double gradientNorm, boolean applied) {}

    /**
     * Runs the forward and backward passes and the update of one step. The loss is the mean of the
     * losses of the mask pairs. Gradients are left for the caller to zero.
     */
    private Outcome trainOnBatch(
            NDArray batch, List<MaskBatch> maskPairs, double learningRate, double weightDecay) {
        try (NDManager scope = root.newSubManager();
                NDScope stepArrays = new NDScope()) {
            stepArrays.suppressNotUsedWarning();
            NDArray input = EncoderInference.attachInput(batch, scope);
            List<NDList> indexPairs = new ArrayList<>(maskPairs.size());
            for (MaskBatch masks : maskPairs) {
                indexPairs.add(masks.toNDArrays(scope));
            }
            ParameterStore parameters = new ParameterStore(scope, false);
            NDArray targetsOfAllTokens;
            try (NoGradientScope ignored = NoGradientScope.open()) {
                targetsOfAllTokens = computeTargets(parameters, input);
            }
            double loss;
            // The only GradientCollector of this JVM; closed before any parameter changes.
            try (GradientCollector collector = root.getEngine().newGradientCollector()) {
                NDArray lossArray = null;
                for (NDList indices : indexPairs) {
                    NDArray contextIndices = indices.get(0);
                    NDArray targetIndices = indices.get(1);
                    // [B, N, P or D] -> [B, M, P or D]
                    NDArray targets = Tokens.gather(targetsOfAllTokens, targetIndices);
                    NDArray pairLoss =
                            computeLoss(parameters, input, contextIndices, targetIndices, targets);
                    lossArray = lossArray == null ? pairLoss : lossArray.add(pairLoss);
                }
                lossArray = lossArray.div((float) indexPairs.size());
                loss = lossArray.getFloat();
                if (Double.isFinite(loss)) {
                    collector.backward(lossArray);
                }
            }
            if (!Double.isFinite(loss)) {
                return new Outcome(loss, Double.NaN, false);
            }
            double gradientNorm =
                    GradientClipping.clipGlobalNorm(
                            models.trainable().values(), config.getClipNorm());
            if (!Double.isFinite(gradientNorm)) {
                return new Outcome(loss, gradientNorm, false);
            }
            optimizer.step(learningRate, weightDecay);
            return new Outcome(loss, gradientNorm, true);
        }
    }

    /**
     * Computes the targets of every token, before any mask: Stage 1 the per-patch normalised pixels
     * [B, N, P], Stage 2 the frozen teacher's tokens [B, N, D], each normalised over D without gain
     * or shift. Both are per-token, so gathering afterwards equals gathering first.
     */
    private NDArray computeTargets(ParameterStore parameters, NDArray input) {
        VisionTransformerConfig encoderConfig = config.getModelConfig().getEncoder();
        if (models.getPhase() == SaltPhase.TEACHER) {
            return PixelDecoder.normalizedPixelTargets(input, encoderConfig);
        }
        NDArray teacherTokens =
                models.getFrozenTeacher()
                        .forward(parameters, new NDList(input), false)
                        .singletonOrThrow();
        NDArray mean = teacherTokens.mean(new int[] {2}, true);
        NDArray centred = teacherTokens.sub(mean);
        NDArray variance = centred.square().mean(new int[] {2}, true);
        return centred.div(variance.add((float) TARGET_NORM_EPSILON).sqrt());
    }

    private NDArray computeLoss(
            ParameterStore parameters,
            NDArray input,
            NDArray contextIndices,
            NDArray targetIndices,
            NDArray targets) {
        // [B, C, (T,) H, W] -> [B, K, D]
        NDArray context =
                models.getEncoder()
                        .forward(parameters, new NDList(input, contextIndices), true)
                        .singletonOrThrow();
        // [B, K, D] -> [B, M, P] (decoder) or [B, M, D] (predictor)
        NDArray predictions =
                models.getHead()
                        .forward(
                                parameters,
                                new NDList(context, contextIndices, targetIndices),
                                true)
                        .singletonOrThrow();
        NDArray difference = predictions.sub(targets);
        return models.getPhase() == SaltPhase.TEACHER
                ? difference.square().mean()
                : difference.abs().mean();
    }

    private void zeroGradients() {
        Gradients.zero(models.trainable().values());
    }

    private void onAppliedStep() {
        consecutiveSkips = 0;
        appliedSinceGoodState++;
        if (config.getGoodStateInterval() > 0
                && appliedSinceGoodState >= config.getGoodStateInterval()) {
            captureGoodState();
        }
    }

    private void onSkippedStep(double loss, double gradientNorm) {
        skippedSteps++;
        consecutiveSkips++;
        LOG.warn(
                "step {} skipped without an update: loss {}, gradient norm {} is not finite ({} in"
                        + " a row, {} in total)",
                step,
                loss,
                gradientNorm,
                consecutiveSkips,
                skippedSteps);
        if (consecutiveSkips < config.getMaxConsecutiveSkips()) {
            return;
        }
        learningRateScale *= config.getLearningRateBackoff();
        restoreCount++;
        if (goodState != null) {
            goodState.restore(models.trainable(), optimizer);
            LOG.warn(
                    "{} non-finite steps in a row: restored the parameters and optimiser state of"
                            + " step {} and scaled the learning rate to {} of its schedule",
                    consecutiveSkips,
                    goodState.getTrainerStep(),
                    learningRateScale);
        } else {
            LOG.warn(
                    "{} non-finite steps in a row: no good state is kept (goodStateInterval is 0),"
                            + " so only the learning rate was scaled to {} of its schedule",
                    consecutiveSkips,
                    learningRateScale);
        }
        consecutiveSkips = 0;
    }

    /** Freezes the Stage-1 encoder as the teacher and starts Stage 2 with fresh networks. */
    private void switchToStudent() {
        StageModels next =
                StageModels.create(
                        SaltPhase.STUDENT,
                        config.getModelConfig(),
                        root,
                        config.getInitSeed(),
                        true);
        try {
            next.copyIntoTeacher(models.getEncoder());
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        optimizer.close();
        optimizer = null;
        models.close();
        models = next;
        phaseStep = 0;
        consecutiveSkips = 0;
        learningRateScale = 1.0;
        startPhase();
        LOG.info(
                "switched to Stage 2 (STUDENT) at step {} after {} Stage-1 steps: the encoder is"
                        + " frozen as the teacher, a fresh student and predictor start training and"
                        + " the optimiser state is reset",
                step,
                config.getTeacherSteps());
    }

    /**
     * Encodes a batch with the encoder being trained, without gradients: in Stage 1 the future
     * teacher, in Stage 2 the student. Each vector is the mean of the N tokens.
     *
     * @param batch as for {@link #step(NDArray)}; not closed or changed
     * @return [B][D]
     */
    public float[][] encode(NDArray batch) {
        checkOpen();
        checkBatch(batch);
        return EncoderInference.meanPooled(models.getEncoder(), root, batch);
    }

    /** Encodes a batch given as a flat float array; see {@link #encode(NDArray)}. */
    public float[][] encode(float[] data, int[] shape) {
        checkOpen();
        Shape arrayShape = checkFlatInput(data, shape);
        try (NDManager scope = root.newSubManager()) {
            return encode(scope.create(data, arrayShape));
        }
    }

    /**
     * Encodes a batch into the token grid of the encoder being trained.
     *
     * @return [B][N][D]
     */
    public float[][][] encodeTokens(NDArray batch) {
        checkOpen();
        checkBatch(batch);
        return EncoderInference.tokens(models.getEncoder(), root, batch);
    }

    /**
     * Returns the whole training state as a checkpoint, which {@link #restore(Checkpoint)} reads
     * back. Entry groups: in Stage 1 {@code teacher} (the encoder being trained) and {@code
     * decoder}; in Stage 2 {@code teacher} (frozen), {@code student} and {@code predictor}; in both
     * {@code optimizer} with the slots {@code <group>.<parameter>.first_moment} and {@code
     * .second_moment}. The configuration JSON has {@code kind} {@value #CHECKPOINT_KIND}, the
     * trainer config under {@code trainer} and the counters (phase, step, optimiser step, samples,
     * skips, learning-rate scale) under {@code state}.
     */
    public Checkpoint toCheckpoint() {
        checkOpen();
        ObjectNode json = MAPPER.createObjectNode();
        json.put("kind", CHECKPOINT_KIND);
        json.set("trainer", config.toJsonNode());
        ObjectNode state = json.putObject("state");
        state.put("phase", models.getPhase().name());
        state.put("step", step);
        state.put("phaseStep", phaseStep);
        state.put("samplesSeen", samplesSeen);
        state.put("skippedSteps", skippedSteps);
        state.put("consecutiveSkips", consecutiveSkips);
        state.put("restoreCount", restoreCount);
        state.put("learningRateScale", learningRateScale);
        state.put("optimizerStep", optimizer.getStep());
        List<CheckpointEntry> entries = new ArrayList<>(models.entries());
        for (Map.Entry<String, NDArray> slot : optimizer.getState().entrySet()) {
            entries.add(CheckpointEntry.of(OPTIMIZER_GROUP, slot.getKey(), slot.getValue()));
        }
        return new Checkpoint(json.toString(), entries);
    }

    /** Returns {@link #toCheckpoint()} as bytes, for example for Flink operator state. */
    public byte[] saveCheckpoint() {
        return toCheckpoint().toBytes();
    }

    /**
     * Writes {@link #toCheckpoint()} to a stream, which stays open.
     *
     * @throws IOException if the stream fails
     */
    public void saveCheckpoint(OutputStream out) throws IOException {
        toCheckpoint().write(out);
    }

    /**
     * Restores a state written by {@link #saveCheckpoint()}.
     *
     * @throws IllegalArgumentException if the bytes are not a training checkpoint, or its model
     *     config, a name or a shape differs; the trainer is unchanged then
     */
    public void restore(byte[] checkpoint) {
        restore(Checkpoint.fromBytes(checkpoint));
    }

    /**
     * Restores a state written by {@link #toCheckpoint()}: networks, optimiser moments and step,
     * step counters, phase and learning-rate scale. The next step draws the masks the original
     * trainer would have drawn. Settings other than the model (schedules, seeds, clip norm) stay
     * those of this trainer's config; differences are logged at WARN.
     *
     * @throws IllegalArgumentException if the checkpoint is not a training checkpoint, or its model
     *     config, a name or a shape differs, naming the first mismatch; the trainer is unchanged
     *     then
     * @throws IllegalStateException if the trainer is closed
     */
    public void restore(Checkpoint checkpoint) {
        checkOpen();
        JsonNode json = parseTrainingJson(checkpoint);
        SaltTrainerConfig saved = SaltTrainerConfig.fromJsonNode(json.get("trainer"));
        checkSameModel(saved.getModelConfig());
        warnAboutChangedSettings(saved);
        SavedState state = SavedState.parse(json.get("state"));

        StageModels next =
                StageModels.create(
                        state.phase, config.getModelConfig(), root, config.getInitSeed(), false);
        AdamW nextOptimizer = null;
        try {
            next.load(checkpoint);
            nextOptimizer = newOptimizer(next);
            checkpoint.loadGroup(
                    "optimizer slot", "the optimizer", OPTIMIZER_GROUP, nextOptimizer.getState());
            nextOptimizer.setStep(state.optimizerStep);
        } catch (RuntimeException e) {
            if (nextOptimizer != null) {
                nextOptimizer.close();
            }
            next.close();
            throw e;
        }
        if (goodState != null) {
            goodState.close();
            goodState = null;
        }
        optimizer.close();
        models.close();
        models = next;
        optimizer = nextOptimizer;
        step = state.step;
        phaseStep = state.phaseStep;
        samplesSeen = state.samplesSeen;
        skippedSteps = state.skippedSteps;
        consecutiveSkips = state.consecutiveSkips;
        restoreCount = state.restoreCount;
        learningRateScale = state.learningRateScale;
        learningRateSchedule = config.learningRateSchedule(models.getPhase());
        weightDecaySchedule = config.weightDecaySchedule(models.getPhase());
        zeroGradients();
        captureGoodState();
        LOG.info(
                "restored SaltTrainer state: phase {}, step {} ({} in this phase), {} samples seen,"
                        + " {} skipped steps",
                models.getPhase(),
                step,
                phaseStep,
                samplesSeen,
                skippedSteps);
        if (models.getPhase() == SaltPhase.TEACHER && phaseStep >= config.getTeacherSteps()) {
            // This trainer's config asks for fewer Stage-1 steps than the checkpoint has taken.
            switchToStudent();
        }
    }

    private static JsonNode parseTrainingJson(Checkpoint checkpoint) {
        JsonNode json;
        try {
            json = MAPPER.readTree(checkpoint.getConfigJson());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "checkpoint configuration is not valid JSON: " + e.getOriginalMessage(), e);
        }
        String kind = json == null ? null : json.path("kind").asText(null);
        if (!CHECKPOINT_KIND.equals(kind)) {
            throw new IllegalArgumentException(
                    "expected a training checkpoint (kind '"
                            + CHECKPOINT_KIND
                            + "'), got kind '"
                            + kind
                            + "'; an encoder-only snapshot can only be given as the teacher or"
                            + " loaded with EncoderSnapshot.load");
        }
        if (!json.path("trainer").isObject() || !json.path("state").isObject()) {
            throw new IllegalArgumentException(
                    "training checkpoint lacks the 'trainer' or 'state' object");
        }
        return json;
    }

    private void checkSameModel(SaltModelConfig saved) {
        if (saved.equals(config.getModelConfig())) {
            return;
        }
        String difference =
                firstDifference(
                        readTree(saved.toJson()), readTree(config.getModelConfig().toJson()), "");
        throw new IllegalArgumentException(
                "the checkpoint was written for another model: "
                        + difference
                        + "; restore it with a trainer built for the checkpoint's model config");
    }

    private void warnAboutChangedSettings(SaltTrainerConfig saved) {
        JsonNode savedJson = saved.toJsonNode();
        JsonNode currentJson = config.toJsonNode();
        List<String> changed = new ArrayList<>();
        for (Iterator<String> names = currentJson.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!currentJson.get(name).equals(savedJson.get(name))) {
                changed.add(name + " " + savedJson.get(name) + " -> " + currentJson.get(name));
            }
        }
        if (!changed.isEmpty()) {
            LOG.warn(
                    "the checkpoint was trained with other settings; continuing with this trainer's"
                            + " values: {}",
                    String.join(", ", changed));
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config wrote invalid JSON", e);
        }
    }

    /** Returns "path is A in the checkpoint but B in the trainer" for the first differing key. */
    static String firstDifference(JsonNode saved, JsonNode current, String path) {
        if (saved != null && current != null && saved.isObject() && current.isObject()) {
            for (Iterator<String> names = current.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String childPath = path.isEmpty() ? name : path + "." + name;
                if (!current.get(name).equals(saved.get(name))) {
                    return firstDifference(saved.get(name), current.get(name), childPath);
                }
            }
            for (Iterator<String> names = saved.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!current.has(name)) {
                    String childPath = path.isEmpty() ? name : path + "." + name;
                    return childPath
                            + " is "
                            + saved.get(name)
                            + " in the checkpoint but missing in the trainer";
                }
            }
        }
        return path + " is " + saved + " in the checkpoint but " + current + " in the trainer";
    }

    /**
     * Returns an encoder-only checkpoint of the encoder being trained (in Stage 1 the future
     * teacher, in Stage 2 the student), for serving; {@link EncoderSnapshot#load} reads it.
     */
    public Checkpoint toEncoderSnapshot() {
        checkOpen();
        return EncoderSnapshot.toCheckpoint(
                config.getModelConfig(), models.getEncoder(), step, models.getPhase());
    }

    /** Returns {@link #toEncoderSnapshot()} as bytes. */
    public byte[] saveEncoderSnapshot() {
        return toEncoderSnapshot().toBytes();
    }

    private int checkBatch(NDArray batch) {
        if (batch == null) {
            throw new IllegalArgumentException("batch must not be null");
        }
        if (batch.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    "batch has data type "
                            + batch.getDataType()
                            + ", expected float32; convert it with toType(DataType.FLOAT32, false)");
        }
        Shape shape = batch.getShape();
        VisionTransformerConfig encoder = config.getModelConfig().getEncoder();
        if (shape.dimension() >= 1 && shape.get(0) >= 1 && shape.get(0) <= Integer.MAX_VALUE) {
            long batchSize = shape.get(0);
            Shape expected = encoder.inputShape(batchSize);
            Shape singleFrame =
                    new Shape(
                            batchSize,
                            encoder.getInputChannels(),
                            1,
                            encoder.getImageHeight(),
                            encoder.getImageWidth());
            if (shape.equals(expected) || (!encoder.isVideo() && shape.equals(singleFrame))) {
                return (int) batchSize;
            }
        }
        throw new IllegalArgumentException(
                "batch has shape "
                        + shape
                        + " but the "
                        + config.getModelConfig().getPresetName()
                        + " model expects "
                        + encoder.inputShape(1).slice(1)
                        + " after a batch axis of at least 1"
                        + (encoder.isVideo() ? " ([B, C, T, H, W])" : " ([B, C, H, W])"));
    }

    private static Shape checkFlatInput(float[] data, int[] shape) {
        if (data == null || shape == null) {
            throw new IllegalArgumentException("data and shape must not be null");
        }
        long[] dimensions = new long[shape.length];
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new IllegalArgumentException(
                        "shape "
                                + java.util.Arrays.toString(shape)
                                + " has a dimension below 1 at index "
                                + i);
            }
            dimensions[i] = shape[i];
            size *= shape[i];
        }
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape "
                            + java.util.Arrays.toString(shape)
                            + " needs "
                            + size
                            + " values but data has "
                            + data.length);
        }
        return new Shape(dimensions);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this SaltTrainer is closed");
        }
    }

    /** Settings the trainer was built with. */
    public SaltTrainerConfig getConfig() {
        return config;
    }

    /** Returns the networks' config. */
    public SaltModelConfig getModelConfig() {
        return config.getModelConfig();
    }

    /** Returns the device that runs training. */
    public Device getDevice() {
        return device;
    }

    /** Returns the current stage. */
    public SaltPhase getPhase() {
        return models.getPhase();
    }

    /** Steps taken so far over both stages, skipped steps included. */
    public long getStep() {
        return step;
    }

    /** Steps taken in the current stage; its schedules are at this step. */
    public long getPhaseStep() {
        return phaseStep;
    }

    /** Samples of every step so far, skipped steps included. */
    public long getSamplesSeen() {
        return samplesSeen;
    }

    /** Steps skipped for a non-finite loss or gradient norm so far. */
    public long getSkippedSteps() {
        return skippedSteps;
    }

    /** Non-finite steps since the last applied step or restore. */
    public int getConsecutiveSkips() {
        return consecutiveSkips;
    }

    /** Times the last good state was restored (or the learning rate lowered) so far. */
    public long getRestoreCount() {
        return restoreCount;
    }

    /** Factor on the scheduled learning rate: 1, times the backoff after each restore. */
    public double getLearningRateScale() {
        return learningRateScale;
    }

    /** The learning rate the next step will use. */
    public double getLearningRate() {
        checkOpen();
        return learningRateSchedule.valueAt(phaseStep) * learningRateScale;
    }

    /** Returns the optimiser's update count in the current stage. */
    public long getOptimizerStep() {
        checkOpen();
        return optimizer.getStep();
    }

    /**
     * Counts the NDArrays alive under this trainer's manager: parameters, optimiser moments, the
     * good-state copy and constants. It stays the same from step to step; growth means a leak.
     */
    public int liveArrayCount() {
        checkOpen();
        return root.getManagedArrays().size();
    }

    /** Returns the trainable parameters by {@code group.name}, for tests in this package. */
    Map<String, NDArray> trainableParameters() {
        return models.trainable();
    }

    /** Returns the frozen teacher's parameters by name (empty in Stage 1), for tests. */
    Map<String, NDArray> teacherParameters() {
        return models.getFrozenTeacher() == null
                ? Map.of()
                : BlockParameters.arrays(models.getFrozenTeacher());
    }

    /**
     * Releases every array of the trainer and lets another SaltTrainer open in this JVM. Calling it
     * again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            releaseAll();
            root.close();
        } finally {
            OPEN_TRAINER.compareAndSet(owner, null);
        }
    }

    private void releaseAll() {
        if (goodState != null) {
            goodState.close();
            goodState = null;
        }
        if (optimizer != null) {
            optimizer.close();
            optimizer = null;
        }
        if (models != null) {
            models.close();
        }
    }

    /** The counters of a training checkpoint. */
    private static final class SavedState {
        SaltPhase phase;
        long step;
        long phaseStep;
        long samplesSeen;
        long skippedSteps;
        int consecutiveSkips;
        long restoreCount;
        double learningRateScale;
        long optimizerStep;

        static SavedState parse(JsonNode node) {
            SavedState state = new SavedState();
            String phaseName = node.path("phase").asText("");
            try {
                state.phase = SaltPhase.valueOf(phaseName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "training checkpoint has phase '"
                                + phaseName
                                + "', expected TEACHER or STUDENT",
                        e);
            }
            state.step = count(node, "step");
            state.phaseStep = count(node, "phaseStep");
            state.samplesSeen = count(node, "samplesSeen");
            state.skippedSteps = count(node, "skippedSteps");
            state.consecutiveSkips = Math.toIntExact(count(node, "consecutiveSkips"));
            state.restoreCount = count(node, "restoreCount");
            state.optimizerStep = count(node, "optimizerStep");
            JsonNode scale = node.get("learningRateScale");
            if (scale == null || !scale.isNumber() || !(scale.doubleValue() > 0)) {
                throw new IllegalArgumentException(
                        "training checkpoint has learningRateScale "
                                + scale
                                + ", expected a number > 0");
            }
            state.learningRateScale = scale.doubleValue();
            return state;
        }

        private static long count(JsonNode node, String key) {
            JsonNode value = node.get(key);
            if (value == null || !value.isIntegralNumber() || value.longValue() < 0) {
                throw new IllegalArgumentException(
                        "training checkpoint has "
                                + key
                                + " "
                                + value
                                + ", expected an integer >= 0");
            }
            return value.longValue();
        }
    }

    /**
     * Builder for {@link SaltTrainer}. Required: the config. Optional: the device (the engine's
     * default device: the first GPU if there is one, else the CPU) and a teacher.
     *
     * <pre>{@code
     * try (SaltTrainer trainer = SaltTrainer.builder().setConfig(config).build()) {
     *     StepResult result = trainer.step(batch);
     * }
     * }</pre>
     */
    public static final class Builder {

        private SaltTrainerConfig config;
        private Device device;
        private byte[] teacherBytes;
        private Checkpoint teacher;

        private Builder() {}

        /** Sets the trainer settings (required). */
        public Builder setConfig(SaltTrainerConfig config) {
            this.config = config;
            return this;
        }

        /** Sets the device that runs training (default: the engine's default device). */
        public Builder optDevice(Device device) {
            this.device = device;
            return this;
        }

        /**
         * Starts in Stage 2 with this teacher, an encoder-only snapshot as {@link
         * SaltTrainer#saveEncoderSnapshot()} writes it. Needs {@code teacherSteps = 0}.
         */
        public Builder optTeacher(byte[] encoderSnapshot) {
            this.teacherBytes = encoderSnapshot;
            this.teacher = null;
            return this;
        }

        /** Starts in Stage 2 with this encoder-only checkpoint as the teacher. */
        public Builder optTeacher(Checkpoint encoderSnapshot) {
            this.teacher = encoderSnapshot;
            this.teacherBytes = null;
            return this;
        }

        /**
         * Builds the trainer and its networks.
         *
         * @throws IllegalArgumentException if the config is missing or the teacher does not fit the
         *     model
         * @throws IllegalStateException if a teacher and Stage-1 steps are both given, neither is,
         *     or another SaltTrainer is open in this JVM
         */
        public SaltTrainer build() {
            if (config == null) {
                throw new IllegalArgumentException("SaltTrainer config is missing: call setConfig");
            }
            Checkpoint givenTeacher = teacher;
            if (teacherBytes != null) {
                givenTeacher = Checkpoint.fromBytes(teacherBytes);
            }
            if (givenTeacher != null && config.getTeacherSteps() > 0) {
                throw new IllegalStateException(
                        "a teacher was given but teacherSteps = "
                                + config.getTeacherSteps()
                                + " asks for Stage 1 training: set teacherSteps to 0 to train a"
                                + " student of the given teacher, or drop the teacher");
            }
            if (givenTeacher == null && config.getTeacherSteps() == 0) {
                throw new IllegalStateException(
                        "teacherSteps = 0 skips Stage 1, so a teacher is required: call optTeacher"
                                + " with an encoder snapshot, or set teacherSteps above 0");
            }
            Device target = device == null ? Engine.getInstance().defaultDevice() : device;
            return new SaltTrainer(config, target, givenTeacher);
        }
    }
}
