package io.saltstream.operators.train;

import io.saltstream.models.train.SaltPhase;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The Flink metrics of {@link SaltTrainerOperator}, registered in the operator's {@code saltstream}
 * group. The names are public so dashboards and tests can refer to them.
 *
 * <p>Gauges read volatile fields, and the counters are thread-safe, because with the {@link
 * TrainingPolicy#LATEST} policy the training thread updates them while the metric reporter reads
 * them. Gauges that have no value yet return NaN (quality metrics before their first evaluation) or
 * -1 ({@link #MODEL_VERSION} before the first snapshot).
 */
public final class TrainerGauges {

    /** Gauge: loss of the latest step. */
    public static final String LOSS = "loss";

    /** Gauge: learning rate of the latest step. */
    public static final String LEARNING_RATE = "learningRate";

    /** Gauge: steps taken over both stages. */
    public static final String STEP = "step";

    /** Gauge: the current stage, 0 for TEACHER (Stage 1) and 1 for STUDENT (Stage 2). */
    public static final String PHASE = "phase";

    /** Gauge: RankMe of the latest quality evaluation. */
    public static final String RANK_ME = "rankMe";

    /** Gauge: LiDAR of the latest quality evaluation. */
    public static final String LIDAR = "lidar";

    /** Gauge: kNN accuracy of the latest quality evaluation with labels. */
    public static final String KNN_ACCURACY = "knnAccuracy";

    /** Gauge: linear-probe accuracy of the latest quality evaluation with labels. */
    public static final String LINEAR_PROBE_ACCURACY = "linearProbeAccuracy";

    /**
     * Gauge: clips trained per second over the latest metrics interval, in wall-clock time that
     * includes waiting for input but not the snapshot and quality work after the interval's last
     * step.
     */
    public static final String SAMPLES_PER_SECOND = "samplesPerSecond";

    /** Gauge: the step of the newest ModelSnapshot, -1 before the first. */
    public static final String MODEL_VERSION = "modelVersion";

    /** Counter: clips the {@link TrainingPolicy#LATEST} buffer dropped because it was full. */
    public static final String DROPPED_CLIPS = "droppedClips";

    /** Counter: steps skipped for a non-finite loss or gradient norm. */
    public static final String SKIPPED_STEPS = "skippedSteps";

    /** Counter: clips trained on. */
    public static final String CLIPS_TRAINED = "clipsTrained";

    /** Counter: clips held out of training for the quality metrics. */
    public static final String CLIPS_HELD_OUT = "clipsHeldOut";

    /**
     * Counter: clips not trained on because training had stopped at {@code train.max-steps}, or
     * because the input ended before they filled a batch.
     */
    public static final String CLIPS_IGNORED = "clipsIgnored";

    final Counter droppedClips;
    final Counter skippedSteps;
    final Counter clipsTrained;
    final Counter clipsHeldOut;
    final Counter clipsIgnored;

    private volatile double loss = Double.NaN;
    private volatile double learningRate = Double.NaN;
    private volatile long step;
    private volatile int phase;
    private volatile double rankMe = Double.NaN;
    private volatile double lidar = Double.NaN;
    private volatile double knnAccuracy = Double.NaN;
    private volatile double linearProbeAccuracy = Double.NaN;
    private volatile double samplesPerSecond = Double.NaN;
    private volatile long modelVersion = -1;

    /** Registers every metric in {@code group}. */
    TrainerGauges(MetricGroup group) {
        group.gauge(LOSS, (Gauge<Double>) () -> loss);
        group.gauge(LEARNING_RATE, (Gauge<Double>) () -> learningRate);
        group.gauge(STEP, (Gauge<Long>) () -> step);
        group.gauge(PHASE, (Gauge<Integer>) () -> phase);
        group.gauge(RANK_ME, (Gauge<Double>) () -> rankMe);
        group.gauge(LIDAR, (Gauge<Double>) () -> lidar);
        group.gauge(KNN_ACCURACY, (Gauge<Double>) () -> knnAccuracy);
        group.gauge(LINEAR_PROBE_ACCURACY, (Gauge<Double>) () -> linearProbeAccuracy);
        group.gauge(SAMPLES_PER_SECOND, (Gauge<Double>) () -> samplesPerSecond);
        group.gauge(MODEL_VERSION, (Gauge<Long>) () -> modelVersion);
        droppedClips = group.counter(DROPPED_CLIPS, new ThreadSafeSimpleCounter());
        skippedSteps = group.counter(SKIPPED_STEPS, new ThreadSafeSimpleCounter());
        clipsTrained = group.counter(CLIPS_TRAINED, new ThreadSafeSimpleCounter());
        clipsHeldOut = group.counter(CLIPS_HELD_OUT, new ThreadSafeSimpleCounter());
        clipsIgnored = group.counter(CLIPS_IGNORED, new ThreadSafeSimpleCounter());
    }

    void onStep(double stepLoss, double stepLearningRate, long stepCount, SaltPhase current) {
        loss = stepLoss;
        learningRate = stepLearningRate;
        step = stepCount;
        phase = current == SaltPhase.TEACHER ? 0 : 1;
    }

    void onState(long stepCount, SaltPhase current, long snapshotStep) {
        step = stepCount;
        phase = current == SaltPhase.TEACHER ? 0 : 1;
        modelVersion = snapshotStep;
    }

    void onThroughput(double clipsPerSecond) {
        samplesPerSecond = clipsPerSecond;
    }

    void onQuality(QualityReport report) {
        rankMe = valueOrNaN(report.rankMe());
        lidar = valueOrNaN(report.lidar());
        knnAccuracy = valueOrNaN(report.knnAccuracy());
        linearProbeAccuracy = valueOrNaN(report.linearProbeAccuracy());
    }

    void onSnapshot(long snapshotStep) {
        modelVersion = snapshotStep;
    }

    private static double valueOrNaN(Double value) {
        return value == null ? Double.NaN : value;
    }

    double getLoss() {
        return loss;
    }

    long getStep() {
        return step;
    }

    int getPhase() {
        return phase;
    }

    double getRankMe() {
        return rankMe;
    }

    double getLidar() {
        return lidar;
    }

    long getModelVersion() {
        return modelVersion;
    }
}
