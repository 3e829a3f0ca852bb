package io.saltstream.operators.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.saltstream.models.checkpoint.Checkpoint;
import io.saltstream.models.checkpoint.EncoderSnapshot;
import io.saltstream.models.train.SaltPhase;
import io.saltstream.models.train.SaltTrainer;
import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.models.train.StepResult;
import io.saltstream.models.vit.VisionTransformerConfig;
import io.saltstream.operators.deadletter.RateLimitedLogger;
import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.TrainingMetrics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link SaltTrainer} with what {@link SaltTrainerOperator} does around each step: stacking
 * clips into a batch, the interval bookkeeping, quality evaluation, ModelSnapshots and
 * TrainingMetrics records. It has no Flink dependencies beyond the metrics, so both training
 * policies share it.
 *
 * <p>Dimensions: B batch, C channels, T frames, H×W pixels. A batch is [B, C, T, H, W] in row-major
 * order, the clips' C, T, H, W data one after the other.
 *
 * <p>After each step, in this order:
 *
 * <ol>
 *   <li>a snapshot when the step completed Stage 1 (the frozen teacher, phase TEACHER), or else
 *       when the step is a multiple of {@code train.snapshot-interval}, equals the trainer's {@code
 *       totalSteps} (end of Stage 2) or reaches {@code train.max-steps}. Versions read {@code
 *       <job>/<phase>/<step>}, for example {@code saltstream/student/1200};
 *   <li>a quality evaluation when the step is a multiple of {@code train.quality-interval}, ends
 *       Stage 1 (the teacher is evaluated) or reaches {@code train.max-steps};
 *   <li>a TrainingMetrics record and an INFO line when the step is a multiple of {@code
 *       train.metrics-interval}, when quality was evaluated, or at {@code train.max-steps}.
 * </ol>
 *
 * <p>Records wait in two queues until the task thread emits them ({@link #pollMetrics}, {@link
 * #pollSnapshot}); the queues are thread-safe. Every other method must be called while holding the
 * operator's trainer lock, one thread at a time.
 */
final class TrainingSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingSession.class);

    /** Clips per encoder call of the quality evaluation. */
    private static final int QUALITY_ENCODE_BATCH = 64;

    /** Clip ids named in the warning about a skipped step. */
    private static final int CLIP_IDS_IN_WARNING = 4;

    private final SaltTrainerSettings settings;
    private final SaltTrainer trainer;
    private final TrainerGauges gauges;
    private final HeldOutReservoir reservoir;
    private final QualityEvaluator evaluator;
    private final RateLimitedLogger skipWarnings;
    private final int[] clipShape;
    private final String preset;
    private final String modelJson;

    private final Queue<TrainingMetrics> pendingMetrics = new ConcurrentLinkedQueue<>();
    private final Queue<ModelSnapshot> pendingSnapshots = new ConcurrentLinkedQueue<>();

    private String modelVersion;
    private long modelVersionStep = -1;
    private long intervalStartNanos = -1;
    private long intervalSamples;
    private long reportedSkippedSteps;
    private volatile boolean finished;

    TrainingSession(
            SaltTrainerSettings settings,
            SaltTrainer trainer,
            TrainerGauges gauges,
            HeldOutReservoir reservoir) {
        this.settings = settings;
        this.trainer = trainer;
        this.gauges = gauges;
        this.reservoir = reservoir;
        VisionTransformerConfig encoder = trainer.getModelConfig().getEncoder();
        this.clipShape =
                new int[] {
                    encoder.getInputChannels(),
                    encoder.getFrames(),
                    encoder.getImageHeight(),
                    encoder.getImageWidth()
                };
        this.evaluator =
                settings.isQualityEnabled()
                        ? new QualityEvaluator(
                                settings.getLidarClasses(),
                                settings.getLidarViews(),
                                settings.getKnnK(),
                                settings.getViewMaskRatio(),
                                encoder.getPatchSize(),
                                QUALITY_ENCODE_BATCH)
                        : null;
        this.skipWarnings = new RateLimitedLogger(LOG, Duration.ofSeconds(30));
        this.preset = trainer.getModelConfig().getPresetName();
        this.modelJson = trainer.getModelConfig().toJson();
        this.reportedSkippedSteps = trainer.getSkippedSteps();
        this.finished = reachedMaxSteps(trainer.getStep());
        gauges.onState(trainer.getStep(), trainer.getPhase(), modelVersionStep);
    }

    /**
     * Checks that a clip fits the model.
     *
     * @throws IllegalArgumentException naming the clip, its shape and the model's
     */
    void checkClip(ClipTensor clip) {
        boolean shapeMatches = clip.shape != null && Arrays.equals(clip.shape, clipShape);
        int expectedLength = clipShape[0] * clipShape[1] * clipShape[2] * clipShape[3];
        if (!shapeMatches || clip.data == null || clip.data.length != expectedLength) {
            throw new IllegalArgumentException(
                    "clip "
                            + clip.id
                            + " has shape "
                            + Arrays.toString(clip.shape)
                            + " and "
                            + (clip.data == null ? "no" : String.valueOf(clip.data.length))
                            + " values, but the "
                            + preset
                            + " model trains on {C, T, H, W} = "
                            + Arrays.toString(clipShape)
                            + " ("
                            + expectedLength
                            + " values); make the preprocessing channels, clip length and size"
                            + " match the model preset");
        }
    }

    /**
     * Runs one training step on the batch, then queues the snapshots and metrics that are due.
     *
     * @param batch B clips of the model's shape, B ≥ 1
     * @throws IOException if a snapshot's parameters cannot be stored
     */
    void train(List<ClipTensor> batch) throws IOException {
        long started = System.nanoTime();
        if (intervalStartNanos < 0) {
            intervalStartNanos = started;
        }
        StepResult result = trainer.step(stack(batch), batchShape(batch.size()));
        long stepEnded = System.nanoTime();
        long step = result.step();
        SaltPhase phase = trainer.getPhase();
        gauges.onStep(result.loss(), result.learningRate(), step, phase);
        gauges.clipsTrained.inc(result.samples());
        long skipped = trainer.getSkippedSteps();
        gauges.skippedSteps.inc(skipped - reportedSkippedSteps);
        reportedSkippedSteps = skipped;
        intervalSamples += result.samples();
        if (result.skipped()) {
            skipWarnings.warn(
                    String.format(
                            Locale.ROOT,
                            "step %d skipped: loss %s, gradient norm %s not finite (%d skipped"
                                    + " steps so far); clips %s",
                            step,
                            result.loss(),
                            result.gradientNorm(),
                            skipped,
                            clipIds(batch)));
        }

        boolean stageOneEnded = result.phase() != phase;
        boolean atMaxSteps = reachedMaxSteps(step);
        Checkpoint teacher = null;
        if (stageOneEnded) {
            teacher =
                    TeacherSnapshots.fromTrainingCheckpoint(
                            trainer.toCheckpoint(), trainer.getModelConfig(), step);
            queueSnapshot(step, SaltPhase.TEACHER, teacher.toBytes());
        } else if (step % settings.getSnapshotInterval() == 0
                || step == settings.getTrainerConfig().getTotalSteps()
                || atMaxSteps) {
            queueSnapshot(step, phase, trainer.saveEncoderSnapshot());
        }

        QualityReport quality = null;
        if (evaluator != null
                && (step % settings.getQualityInterval() == 0 || stageOneEnded || atMaxSteps)) {
            quality = evaluate(step, teacher);
        }
        if (step % settings.getMetricsInterval() == 0 || quality != null || atMaxSteps) {
            queueMetrics(result, quality, stepEnded);
        }
        if (atMaxSteps) {
            finished = true;
            LOG.info(
                    "reached train.max-steps = {} at step {}: training stops, the final snapshot"
                            + " is {}; later clips are counted in {} and not trained",
                    settings.getMaxSteps(),
                    step,
                    modelVersion,
                    TrainerGauges.CLIPS_IGNORED);
        }
    }

    /**
     * Queues a snapshot of the encoder being trained unless the newest snapshot is of the current
     * step or no step was taken.
     *
     * @param reason why, for the log
     * @throws IOException if the snapshot's parameters cannot be stored
     */
    void snapshotIfBehind(String reason) throws IOException {
        long step = trainer.getStep();
        if (step == 0 || step <= modelVersionStep) {
            return;
        }
        LOG.info("final snapshot at step {}: {}", step, reason);
        queueSnapshot(step, trainer.getPhase(), trainer.saveEncoderSnapshot());
    }

    private QualityReport evaluate(long step, Checkpoint teacher) {
        List<ClipTensor> clips = reservoir.clips();
        QualityReport report;
        if (teacher != null) {
            // The trainer already contains the fresh student, so evaluate the Stage-1 encoder.
            try (EncoderSnapshot encoder = EncoderSnapshot.load(teacher, trainer.getDevice())) {
                report =
                        evaluator.evaluate(
                                clips, (data, shape) -> encode(encoder, data, shape), step);
            }
        } else {
            report = evaluator.evaluate(clips, trainer::encode, step);
        }
        gauges.onQuality(report);
        LOG.debug(
                "quality at step {} on {} held-out clips took {} s",
                step,
                report.clips(),
                report.seconds());
        return report;
    }

    private static float[][] encode(EncoderSnapshot encoder, float[] data, int[] shape) {
        long[] dimensions = Arrays.stream(shape).asLongStream().toArray();
        try (NDManager scope = encoder.getManager().newSubManager()) {
            return encoder.encode(scope.create(data, new Shape(dimensions)));
        }
    }

    private void queueSnapshot(long step, SaltPhase phase, byte[] encoderCheckpoint)
            throws IOException {
        String version =
                settings.getJobName() + "/" + phase.name().toLowerCase(Locale.ROOT) + "/" + step;
        ModelSnapshot snapshot =
                ModelSnapshots.create(
                        version,
                        step,
                        ModelSnapshots.toTrainingPhase(phase),
                        preset,
                        modelJson,
                        encoderCheckpoint,
                        settings.getSnapshotStorage());
        pendingSnapshots.add(snapshot);
        modelVersion = version;
        modelVersionStep = step;
        gauges.onSnapshot(step);
        LOG.info("model snapshot {}", ModelSnapshots.describe(snapshot));
    }

    /**
     * Queues a metrics record. Its throughput counts the clips trained since the previous record
     * over the wall-clock time until {@code stepEndedNanos}, so the snapshot, quality evaluation
     * and logging after this step are left out.
     */
    private void queueMetrics(StepResult result, QualityReport quality, long stepEndedNanos) {
        double seconds = (stepEndedNanos - intervalStartNanos) / 1e9;
        double samplesPerSecond = seconds > 0 ? intervalSamples / seconds : 0.0;
        gauges.onThroughput(samplesPerSecond);
        TrainingMetrics metrics =
                TrainingMetrics.newBuilder()
                        .setJob(settings.getJobName())
                        .setPhase(ModelSnapshots.toTrainingPhase(result.phase()))
                        .setStep(result.step())
                        .setSamplesSeen(trainer.getSamplesSeen())
                        .setEventTime(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                        .setLoss(result.loss())
                        .setLearningRate(result.learningRate())
                        .setGradientNorm(result.gradientNorm())
                        .setSamplesPerSecond(samplesPerSecond)
                        .setRankMe(quality == null ? null : quality.rankMe())
                        .setLidar(quality == null ? null : quality.lidar())
                        .setKnnAccuracy(quality == null ? null : quality.knnAccuracy())
                        .setLinearProbeAccuracy(
                                quality == null ? null : quality.linearProbeAccuracy())
                        .setModelVersion(modelVersion == null ? "" : modelVersion)
                        .build();
        pendingMetrics.add(metrics);
        logProgress(result, samplesPerSecond, quality);
        intervalStartNanos = System.nanoTime();
        intervalSamples = 0;
    }

    private void logProgress(StepResult result, double samplesPerSecond, QualityReport quality) {
        StringBuilder line =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "step %d (%s): loss %.5f, lr %.3e, gradient norm %.4f, %.1f"
                                        + " clips/s, %d skipped steps",
                                result.step(),
                                result.phase(),
                                result.loss(),
                                result.learningRate(),
                                result.gradientNorm(),
                                samplesPerSecond,
                                reportedSkippedSteps));
        if (quality != null) {
            line.append(
                    String.format(
                            Locale.ROOT,
                            "; on %d held-out clips: RankMe %s, LiDAR %s, kNN %s, linear probe %s"
                                    + " (%.2f s)",
                            quality.clips(),
                            format(quality.rankMe()),
                            format(quality.lidar()),
                            format(quality.knnAccuracy()),
                            format(quality.linearProbeAccuracy()),
                            quality.seconds()));
        }
        LOG.info("{}", line);
    }

    private static String format(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
    }

    private float[] stack(List<ClipTensor> batch) {
        int length = clipShape[0] * clipShape[1] * clipShape[2] * clipShape[3];
        float[] data = new float[batch.size() * length];
        for (int b = 0; b < batch.size(); b++) {
            System.arraycopy(batch.get(b).data, 0, data, b * length, length);
        }
        return data;
    }

    private int[] batchShape(int batchSize) {
        return new int[] {batchSize, clipShape[0], clipShape[1], clipShape[2], clipShape[3]};
    }

    private static String clipIds(List<ClipTensor> batch) {
        String ids =
                batch.stream()
                        .limit(CLIP_IDS_IN_WARNING)
                        .map(clip -> clip.id)
                        .collect(Collectors.joining(", "));
        return batch.size() > CLIP_IDS_IN_WARNING
                ? "[" + ids + ", … " + batch.size() + " in all]"
                : "[" + ids + "]";
    }

    private boolean reachedMaxSteps(long step) {
        return settings.getMaxSteps() > 0 && step >= settings.getMaxSteps();
    }

    /** Returns whether training has stopped at {@code train.max-steps}. */
    boolean isFinished() {
        return finished;
    }

    /** Returns the trainer's step count. */
    long getStep() {
        return trainer.getStep();
    }

    SaltPhase getPhase() {
        return trainer.getPhase();
    }

    SaltTrainerConfig getTrainerConfig() {
        return trainer.getConfig();
    }

    /** Returns the full training state, as {@link SaltTrainer#saveCheckpoint()} writes it. */
    byte[] saveCheckpoint() {
        return trainer.saveCheckpoint();
    }

    /**
     * Restores the trainer and the snapshot bookkeeping; the step continues from the checkpoint's.
     *
     * @throws IllegalArgumentException if the checkpoint does not fit the trainer's model
     */
    void restore(byte[] checkpoint, TrainerProgress progress) {
        trainer.restore(checkpoint);
        modelVersion = progress.modelVersion;
        modelVersionStep = progress.modelVersionStep;
        reportedSkippedSteps = trainer.getSkippedSteps();
        finished = reachedMaxSteps(trainer.getStep());
        gauges.onState(trainer.getStep(), trainer.getPhase(), modelVersionStep);
    }

    /** Writes the snapshot bookkeeping into {@code progress}. */
    void saveProgress(TrainerProgress progress) {
        progress.modelVersion = modelVersion;
        progress.modelVersionStep = modelVersionStep;
    }

    /** Returns the records not emitted yet, oldest first, without removing them. */
    List<TrainingMetrics> pendingMetrics() {
        return new ArrayList<>(pendingMetrics);
    }

    /** Returns the snapshots not emitted yet, oldest first, without removing them. */
    List<ModelSnapshot> pendingSnapshots() {
        return new ArrayList<>(pendingSnapshots);
    }

    /** Queues restored records for emission. */
    void requeue(List<TrainingMetrics> metrics, List<ModelSnapshot> snapshots) {
        pendingMetrics.addAll(metrics);
        pendingSnapshots.addAll(snapshots);
    }

    /** Removes and returns the oldest queued metrics record, or {@code null}; thread-safe. */
    TrainingMetrics pollMetrics() {
        return pendingMetrics.poll();
    }

    /** Removes and returns the oldest queued snapshot, or {@code null}; thread-safe. */
    ModelSnapshot pollSnapshot() {
        return pendingSnapshots.poll();
    }

    /** Closes the trainer, so another one may open in this JVM. */
    @Override
    public void close() {
        trainer.close();
    }
}
