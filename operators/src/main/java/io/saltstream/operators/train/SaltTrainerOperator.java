package io.saltstream.operators.train;

import ai.djl.Device;
import io.saltstream.models.train.SaltTrainer;
import io.saltstream.operators.OperatorMetrics;
import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.device.DeviceSelection;
import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.TrainingMetrics;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.FlinkException;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains SALT online on a stream of clips: the model lives in operator state, TrainingMetrics go to
 * the main output and ModelSnapshots to {@link #SNAPSHOTS}.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<TrainingMetrics> metrics =
 *         clips.transform(
 *                         "salt-trainer",
 *                         SaltTrainerOperator.TRAINING_METRICS_TYPE,
 *                         new SaltTrainerOperator(settings))
 *                 .uid("salt-trainer")
 *                 .setParallelism(1)
 *                 .slotSharingGroup("train");
 * DataStream<ModelSnapshot> snapshots = metrics.getSideOutput(SaltTrainerOperator.SNAPSHOTS);
 * }</pre>
 *
 * <p><b>Clips.</b> Each clip must have the model's {C, T, H, W} shape; another shape fails the job
 * with a message naming both, because it means the preprocessing does not match the preset. Every
 * {@code quality.holdout-every}-th clip is held out of training for the quality metrics ({@link
 * HeldOutReservoir}); the others are batched by the trainer config's batch size B. When the input
 * ends, clips short of a full batch are not trained (as a data loader with drop-last does) and a
 * final snapshot is emitted.
 *
 * <p><b>Policies.</b> {@link TrainingPolicy#ALL} runs the step on the task thread as soon as a
 * batch is full, so a slow step backpressures the source and every clip is trained on. {@link
 * TrainingPolicy#LATEST} adds clips to a {@link ClipBuffer} of {@code train.buffer-size} clips that
 * drops the oldest clip when full (counter {@value TrainerGauges#DROPPED_CLIPS}); a dedicated
 * training thread takes batches of B from it, so the task thread waits for a step only when a
 * checkpoint is taken (see below). Each step, quality evaluation and snapshot runs entirely on one
 * thread, because PyTorch's gradient mode is per-thread. The task thread emits their results after
 * each record, every 100 ms of processing time, before each checkpoint barrier and at the end of
 * input.
 *
 * <p><b>Consistent checkpoints.</b> The trainer is used only while holding the trainer lock, and
 * the training thread takes a batch out of the buffer only while holding it and releases it only
 * after that batch's step, snapshot and metrics are done. {@link #snapshotState} takes the same
 * lock, so it waits for the step in flight to finish and no step can start until it has copied the
 * state. At that moment every clip that arrived before the barrier is in exactly one place: in the
 * model (its step has completed), still in the buffer or partial batch (saved as pending clips), or
 * in the reservoir (saved too). Records produced by completed steps but not yet emitted are saved
 * as well and emitted after a restore, so no output is lost or, with transactional sinks,
 * duplicated.
 *
 * <p><b>State</b> (operator list state, one element each): {@value #CHECKPOINT_STATE} the full
 * {@link SaltTrainer} checkpoint (networks, optimiser moments, step, phase, counters; the masks
 * derive from the step, so they replay); {@value #PENDING_CLIPS_STATE} clips received but not
 * trained yet; {@value #RESERVOIR_STATE} the held-out clips; {@value #PROGRESS_STATE} the hold-out
 * counters and the newest snapshot version; {@value #PENDING_METRICS_STATE} and {@value
 * #PENDING_SNAPSHOTS_STATE} records not emitted yet. After a restore the step continues from the
 * saved step. A checkpoint that does not fit the configured model fails the job rather than
 * silently training from step 0.
 *
 * <p><b>Parallelism.</b> The operator trains one model and must run with parallelism 1. PyTorch
 * allows one open gradient collector per JVM, so {@link SaltTrainer} allows one trainer per JVM:
 * give the trainer's slot-sharing group one slot per task manager. The device comes from {@code
 * train.device} through {@link DeviceSelection}.
 *
 * <p><b>Records.</b> A TrainingMetrics record carries the loss, learning rate and gradient norm of
 * its step, the throughput since the previous record, the quality figures when they were computed
 * at that step, and the version of the newest snapshot (empty before the first). Its timestamp is
 * the wall-clock time the step finished, and a snapshot's is its creation time.
 *
 * <p><b>Metrics</b> in the {@value OperatorMetrics#GROUP} group: see {@link TrainerGauges}. Every
 * {@code train.metrics-interval} steps an INFO line reports step, phase, loss, learning rate and
 * throughput, plus RankMe, LiDAR and accuracies when they were computed; skipped non-finite steps
 * are logged at WARN (rate-limited) with the clip ids of the batch. After {@code train.max-steps}
 * the operator stops training, emits a final snapshot and counts later clips in {@value
 * TrainerGauges#CLIPS_IGNORED}.
 */
public class SaltTrainerOperator extends AbstractStreamOperator<TrainingMetrics>
        implements OneInputStreamOperator<ClipTensor, TrainingMetrics>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** Type of the main output. */
    public static final AvroTypeInfo<TrainingMetrics> TRAINING_METRICS_TYPE =
            new AvroTypeInfo<>(TrainingMetrics.class);

    /** Side output of the model snapshots, for the models topic and the encoders. */
    public static final OutputTag<ModelSnapshot> SNAPSHOTS =
            new OutputTag<>("model-snapshots", ModelSnapshots.TYPE);

    /**
     * List state with the trainer checkpoint bytes.
     *
     * <p>NOTE: the checkpoint is one Java byte array, so it must stay below 2 GiB. By parameter
     * count, a Stage-2 checkpoint (frozen teacher, student, predictor, two AdamW moments) is about
     * 1.6 GB for vit-base but about 5 GB for vit-large, which does not fit.
     */
    public static final String CHECKPOINT_STATE = "salt-trainer-checkpoint";

    /** List state with the clips received but not trained yet, oldest first. */
    public static final String PENDING_CLIPS_STATE = "salt-trainer-pending-clips";

    /** List state with the held-out clips of the quality metrics. */
    public static final String RESERVOIR_STATE = "salt-trainer-reservoir";

    /** List state with the operator's counters, one {@link TrainerProgress}. */
    public static final String PROGRESS_STATE = "salt-trainer-progress";

    /** List state with the TrainingMetrics records not emitted yet. */
    public static final String PENDING_METRICS_STATE = "salt-trainer-pending-metrics";

    /** List state with the ModelSnapshots not emitted yet. */
    public static final String PENDING_SNAPSHOTS_STATE = "salt-trainer-pending-snapshots";

    /** Processing-time period at which results of the training thread are emitted. */
    static final long OUTPUT_PERIOD_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(SaltTrainerOperator.class);

    private final SaltTrainerSettings settings;

    private transient ListState<byte[]> checkpointState;
    private transient ListState<ClipTensor> pendingClipsState;
    private transient ListState<ClipTensor> reservoirState;
    private transient ListState<TrainerProgress> progressState;
    private transient ListState<TrainingMetrics> pendingMetricsState;
    private transient ListState<ModelSnapshot> pendingSnapshotsState;

    private transient byte[] restoredCheckpoint;
    private transient List<ClipTensor> restoredClips;
    private transient List<ClipTensor> restoredReservoir;
    private transient TrainerProgress restoredProgress;
    private transient List<TrainingMetrics> restoredMetrics;
    private transient List<ModelSnapshot> restoredSnapshots;

    /** Lock that every call into the session takes. */
    private transient Object trainerLock;

    private transient TrainingSession session;
    private transient TrainerGauges gauges;
    private transient HeldOutReservoir reservoir;
    private transient List<ClipTensor> partialBatch;
    private transient ClipBuffer buffer;
    private transient Thread trainingThread;
    private transient volatile Throwable trainingFailure;

    /**
     * Creates the operator.
     *
     * @param settings the trainer config and the operator settings
     * @throws IllegalArgumentException if the settings are null
     */
    public SaltTrainerOperator(SaltTrainerSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException(
                    "settings must not be null; build them with SaltTrainerSettings.builder()");
        }
        this.settings = settings;
    }

    /** Returns the settings this operator was created with. */
    public SaltTrainerSettings getSettings() {
        return settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        OperatorStateStore store = context.getOperatorStateStore();
        checkpointState =
                store.getListState(
                        new ListStateDescriptor<>(
                                CHECKPOINT_STATE,
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        pendingClipsState =
                store.getListState(
                        new ListStateDescriptor<>(PENDING_CLIPS_STATE, OperatorTypes.CLIP_TENSOR));
        reservoirState =
                store.getListState(
                        new ListStateDescriptor<>(RESERVOIR_STATE, OperatorTypes.CLIP_TENSOR));
        progressState =
                store.getListState(
                        new ListStateDescriptor<>(
                                PROGRESS_STATE, TypeInformation.of(TrainerProgress.class)));
        pendingMetricsState =
                store.getListState(
                        new ListStateDescriptor<>(PENDING_METRICS_STATE, TRAINING_METRICS_TYPE));
        pendingSnapshotsState =
                store.getListState(
                        new ListStateDescriptor<>(PENDING_SNAPSHOTS_STATE, ModelSnapshots.TYPE));

        if (!context.isRestored()) {
            return;
        }
        List<byte[]> checkpoints = toList(checkpointState.get());
        if (checkpoints.size() > 1) {
            throw new IllegalStateException(
                    "the restored state contains "
                            + checkpoints.size()
                            + " trainer checkpoints, but "
                            + getClass().getSimpleName()
                            + " trains one model: restore it with parallelism 1");
        }
        restoredCheckpoint = checkpoints.isEmpty() ? null : checkpoints.get(0);
        restoredClips = toList(pendingClipsState.get());
        restoredReservoir = toList(reservoirState.get());
        List<TrainerProgress> progress = toList(progressState.get());
        restoredProgress = progress.isEmpty() ? null : progress.get(0);
        restoredMetrics = toList(pendingMetricsState.get());
        restoredSnapshots = toList(pendingSnapshotsState.get());
    }

    @Override
    public void open() throws Exception {
        super.open();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        if (parallelism != 1) {
            throw new IllegalStateException(
                    getOperatorName()
                            + " runs with parallelism "
                            + parallelism
                            + " but trains one model: set the trainer's parallelism to 1");
        }

        trainerLock = new Object();
        gauges = new TrainerGauges(OperatorMetrics.group(getRuntimeContext()));
        reservoir =
                new HeldOutReservoir(
                        settings.isQualityEnabled() ? settings.getReservoirSize() : 0,
                        settings.getHoldoutEvery(),
                        settings.getTrainerConfig().getMaskSeed());
        Device device =
                DeviceSelection.select(settings.getDevice(), "train.device", getRuntimeContext());
        SaltTrainer trainer = buildTrainer(device);
        try {
            session = new TrainingSession(settings, trainer, gauges, reservoir);
            restoreState();
        } catch (Exception e) {
            trainer.close();
            session = null;
            throw e;
        }

        partialBatch = new ArrayList<>();
        if (settings.getPolicy() == TrainingPolicy.LATEST) {
            buffer = new ClipBuffer(settings.getBufferSize());
        }
        addRestoredClips();
        logStart(device);
        if (settings.getPolicy() == TrainingPolicy.LATEST) {
            startTrainingThread();
            getProcessingTimeService()
                    .scheduleWithFixedDelay(
                            time -> emitResults(), OUTPUT_PERIOD_MILLIS, OUTPUT_PERIOD_MILLIS);
        }
    }

    private SaltTrainer buildTrainer(Device device) throws IOException {
        SaltTrainer.Builder builder =
                SaltTrainer.builder().setConfig(settings.getTrainerConfig()).optDevice(device);
        if (settings.getTeacherCheckpoint() != null) {
            builder.optTeacher(readTeacher(settings.getTeacherCheckpoint()));
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            if (settings.getTeacherCheckpoint() == null) {
                throw e;
            }
            throw new IllegalArgumentException(
                    "train.teacher-checkpoint "
                            + settings.getTeacherCheckpoint()
                            + " is not a teacher for this model: "
                            + e.getMessage(),
                    e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "cannot start the SALT trainer of "
                            + getOperatorName()
                            + ": "
                            + e.getMessage()
                            + ". The trainer needs a JVM of its own: run it with parallelism 1"
                            + " and one slot per task manager in its slot-sharing group",
                    e);
        }
    }

    private static byte[] readTeacher(String uri) throws IOException {
        Path path = new Path(uri);
        try (FSDataInputStream in = path.getFileSystem().open(path)) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            FileNotFoundException missing =
                    new FileNotFoundException(
                            "train.teacher-checkpoint "
                                    + uri
                                    + " not found; give the encoder checkpoint of a trained"
                                    + " teacher (SaltTrainer.saveEncoderSnapshot()) on a file"
                                    + " system every task manager can read");
            missing.initCause(e);
            throw missing;
        }
    }

    private void restoreState() {
        TrainerProgress progress =
                restoredProgress == null ? new TrainerProgress() : restoredProgress;
        if (restoredCheckpoint != null) {
            try {
                session.restore(restoredCheckpoint, progress);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "cannot restore the trainer from the Flink checkpoint: "
                                + e.getMessage()
                                + "; restore with the model config the checkpoint was written"
                                + " with, or start the job without this checkpoint or savepoint",
                        e);
            }
            LOG.info(
                    "restored the trainer from operator state: step {} ({}), {} pending clips, {}"
                            + " held-out clips, {} clips received, newest snapshot {}",
                    session.getStep(),
                    session.getPhase(),
                    size(restoredClips),
                    size(restoredReservoir),
                    progress.clipsReceived,
                    progress.modelVersion);
        }
        reservoir.restore(
                restoredReservoir == null ? List.of() : restoredReservoir,
                progress.clipsReceived,
                progress.clipsHeldOut);
        session.requeue(
                restoredMetrics == null ? List.of() : restoredMetrics,
                restoredSnapshots == null ? List.of() : restoredSnapshots);
        restoredCheckpoint = null;
        restoredReservoir = null;
        restoredProgress = null;
        restoredMetrics = null;
        restoredSnapshots = null;
    }

    /** Puts restored pending clips back where the current policy keeps them. */
    private void addRestoredClips() throws IOException {
        if (restoredClips == null) {
            return;
        }
        List<ClipTensor> clips = restoredClips;
        restoredClips = null;
        if (session.isFinished()) {
            gauges.clipsIgnored.inc(clips.size());
            session.snapshotIfBehind("train.max-steps was reached before the restore");
            return;
        }
        for (ClipTensor clip : clips) {
            if (buffer != null) {
                gauges.droppedClips.inc(buffer.add(clip));
            } else {
                partialBatch.add(clip);
            }
        }
        trainFullBatches();
    }

    private void logStart(Device device) {
        LOG.info(
                "{} started on {}: preset {}, batch size {}, teacher steps {}, total steps {}, step"
                        + " {} ({}); {}",
                getOperatorName(),
                device,
                settings.getTrainerConfig().getModelConfig().getPresetName(),
                settings.getTrainerConfig().getBatchSize(),
                settings.getTrainerConfig().getTeacherSteps(),
                settings.getTrainerConfig().getTotalSteps(),
                session.getStep(),
                session.getPhase(),
                settings);
    }

    private void startTrainingThread() {
        trainingThread = new Thread(this::runTrainingLoop, "salt-trainer " + getOperatorName());
        trainingThread.setDaemon(true);
        trainingThread.setContextClassLoader(getUserCodeClassloader());
        trainingThread.start();
    }

    /**
     * Body of the training thread of the LATEST policy: waits for a full batch, then takes it and
     * trains on it while holding the trainer lock. Exits when the buffer is stopped, the input has
     * ended with less than a batch left, or {@code train.max-steps} is reached. A failure is kept
     * and rethrown on the task thread.
     */
    private void runTrainingLoop() {
        int batchSize = settings.getTrainerConfig().getBatchSize();
        try {
            while (buffer.awaitBatch(batchSize)) {
                synchronized (trainerLock) {
                    if (buffer.isStopped() || session.isFinished()) {
                        return;
                    }
                    List<ClipTensor> batch = buffer.takeBatch(batchSize);
                    if (batch != null) {
                        session.train(batch);
                    }
                    if (session.isFinished()) {
                        gauges.clipsIgnored.inc(buffer.clear());
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            trainingFailure = e;
        }
    }

    @Override
    public void processElement(StreamRecord<ClipTensor> element) throws Exception {
        checkTrainingThread();
        ClipTensor clip = element.getValue();
        if (session.isFinished()) {
            gauges.clipsIgnored.inc();
            emitResults();
            return;
        }
        session.checkClip(clip);
        if (reservoir.offer(clip)) {
            gauges.clipsHeldOut.inc();
        } else if (buffer != null) {
            gauges.droppedClips.inc(buffer.add(clip));
        } else {
            partialBatch.add(clip);
            trainFullBatches();
        }
        emitResults();
    }

    /** Trains on the task thread (ALL policy) while the partial batch contains a full batch. */
    private void trainFullBatches() throws IOException {
        int batchSize = settings.getTrainerConfig().getBatchSize();
        while (buffer == null && partialBatch.size() >= batchSize && !session.isFinished()) {
            List<ClipTensor> batch = new ArrayList<>(partialBatch.subList(0, batchSize));
            partialBatch.subList(0, batchSize).clear();
            synchronized (trainerLock) {
                session.train(batch);
            }
        }
        if (session.isFinished() && !partialBatch.isEmpty()) {
            gauges.clipsIgnored.inc(partialBatch.size());
            partialBatch.clear();
        }
    }

    /** Emits the queued snapshots, then the queued metrics; on the task thread only. */
    private void emitResults() throws FlinkException {
        checkTrainingThread();
        for (ModelSnapshot snapshot = session.pollSnapshot();
                snapshot != null;
                snapshot = session.pollSnapshot()) {
            output.collect(
                    SNAPSHOTS,
                    new StreamRecord<>(snapshot, snapshot.getCreatedAt().toEpochMilli()));
        }
        for (TrainingMetrics metrics = session.pollMetrics();
                metrics != null;
                metrics = session.pollMetrics()) {
            output.collect(new StreamRecord<>(metrics, metrics.getEventTime().toEpochMilli()));
        }
    }

    private void checkTrainingThread() throws FlinkException {
        Throwable failure = trainingFailure;
        if (failure != null) {
            throw new FlinkException(
                    "the training thread of " + getOperatorName() + " failed: " + failure, failure);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitResults();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkTrainingThread();
        long started = System.nanoTime();
        byte[] checkpoint;
        List<ClipTensor> pending;
        List<ClipTensor> heldOut;
        TrainerProgress progress = new TrainerProgress();
        List<TrainingMetrics> metrics;
        List<ModelSnapshot> snapshots;
        long step;
        // Waits for the step in flight; no step starts until the copy is complete.
        synchronized (trainerLock) {
            checkpoint = session.saveCheckpoint();
            pending = buffer != null ? buffer.copy() : new ArrayList<>(partialBatch);
            heldOut = reservoir.clips();
            progress.clipsReceived = reservoir.getClipsReceived();
            progress.clipsHeldOut = reservoir.getHeldOut();
            session.saveProgress(progress);
            metrics = session.pendingMetrics();
            snapshots = session.pendingSnapshots();
            step = session.getStep();
        }

        checkpointState.update(List.of(checkpoint));
        pendingClipsState.update(pending);
        reservoirState.update(heldOut);
        progressState.update(List.of(progress));
        pendingMetricsState.update(metrics);
        pendingSnapshotsState.update(snapshots);
        LOG.debug(
                "checkpoint {}: trainer state of step {} ({} bytes), {} pending clips, {} held-out"
                        + " clips, {} unsent records, copied in {} ms",
                context.getCheckpointId(),
                step,
                checkpoint.length,
                pending.size(),
                heldOut.size(),
                metrics.size() + snapshots.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public void endInput() throws Exception {
        int leftover;
        if (buffer != null) {
            buffer.endInput();
            joinTrainingThread();
            checkTrainingThread();
            leftover = buffer.clear();
        } else {
            leftover = partialBatch.size();
            partialBatch.clear();
        }
        if (leftover > 0) {
            gauges.clipsIgnored.inc(leftover);
            LOG.info(
                    "end of input: {} clips short of a full batch of {} are not trained",
                    leftover,
                    settings.getTrainerConfig().getBatchSize());
        }
        synchronized (trainerLock) {
            session.snapshotIfBehind("end of input");
        }
        emitResults();
    }

    private void joinTrainingThread() throws InterruptedException {
        if (trainingThread != null) {
            trainingThread.join();
            trainingThread = null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (buffer != null) {
                buffer.stop();
            }
            joinTrainingThread();
        } finally {
            if (session != null) {
                synchronized (trainerLock) {
                    session.close();
                    session = null;
                }
            }
            super.close();
        }
    }

    /** Returns the operator's metrics; for tests in this package. */
    TrainerGauges gauges() {
        return gauges;
    }

    /** Returns the lock that guards the trainer; for tests in this package. */
    Object trainerLock() {
        return trainerLock;
    }

    /** Returns the trainer's step, read under the trainer lock; for tests in this package. */
    long trainerStep() {
        synchronized (trainerLock) {
            return session.getStep();
        }
    }

    private static <T> List<T> toList(Iterable<T> values) {
        List<T> list = new ArrayList<>();
        if (values != null) {
            for (T value : values) {
                list.add(value);
            }
        }
        return list;
    }

    private static int size(List<?> list) {
        return list == null ? 0 : list.size();
    }
}
