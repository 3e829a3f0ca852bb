package io.saltstream.operators.encode;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.saltstream.models.checkpoint.EncoderSnapshot;
import io.saltstream.models.vit.VisionTransformerConfig;
import io.saltstream.operators.OperatorMetrics;
import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.deadletter.RateLimitedLogger;
import io.saltstream.operators.device.DeviceSelection;
import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.schemas.Architecture;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.StoredParameters;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes clips with the newest model snapshot: the serving side of the online training job. Input
 * 1 carries the {@link ClipTensor}s, input 2 the {@link ModelSnapshot}s, broadcast so that every
 * subtask receives every snapshot; the output is one {@link Embedding} per clip.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Embedding> embeddings =
 *         EncoderOperator.encode(clipTensors, modelSnapshots, EncoderSettings.defaults());
 * // the same as
 * clipTensors.connect(modelSnapshots.broadcast())
 *         .transform(EncoderOperator.NAME, EncoderOperator.EMBEDDING_TYPE,
 *                 new EncoderOperator(settings))
 *         .uid(EncoderOperator.UID);
 * }</pre>
 *
 * <p><b>Model.</b> The operator keeps the snapshot with the highest {@code step}, loaded as an
 * {@link EncoderSnapshot} on the device that {@link DeviceSelection} picks for {@code
 * encoder.device}. A snapshot whose step is not above the loaded one (late, replayed or a
 * duplicate) is ignored and counted in {@code staleSnapshots}. A newer snapshot replaces the model
 * between two batches, and the clips waiting at that moment are encoded with the new model. A
 * snapshot whose parameters cannot be read or loaded (missing file, size or SHA-256 mismatch, not
 * an encoder-only checkpoint) is skipped with a WARN and counted in {@code snapshotLoadFailures}:
 * the operator keeps encoding with the model it has, and every embedding names the snapshot that
 * produced it, so the output stays correct.
 *
 * <p><b>Before the first snapshot</b> clips wait in the buffer, unless {@code
 * encoder.initial-snapshot} names an encoder-only checkpoint file to load in {@code open()}. Its
 * version is the file name without {@code .ckpt}, its step the one written in the checkpoint. When
 * more than {@code encoder.max-buffered-clips} clips wait, one WARN reports it and buffering goes
 * on: clips are never dropped for want of a model. The buffer is kept in memory and in checkpoints,
 * so that limit is a memory alarm, not a bound.
 *
 * <p><b>Micro-batches.</b> With a model loaded, the waiting clips are encoded as soon as {@code
 * encoder.batch-size} of them wait, or when the oldest has waited {@code encoder.max-delay} in
 * processing time, whichever comes first; then all waiting clips are encoded, in batches of at most
 * the batch size. When the clip input ends, every waiting clip is encoded at once. A clip whose
 * shape is not the model's {@code {C, T, H, W}} (T = 1 for image models) is dropped with a WARN and
 * counted in {@code clipsRejected}, since that model can never encode it.
 *
 * <p><b>Exactly once.</b> The waiting clips are operator list state {@value #BUFFER_STATE} and the
 * loaded snapshot record is broadcast state {@value #SNAPSHOT_STATE} (key {@value #SNAPSHOT_KEY}).
 * A checkpoint holds every clip that arrived and was not yet emitted; after a restore those clips
 * are encoded once with the restored snapshot, which is loaded again in {@code open()} (from the
 * inline bytes, or from the snapshot store with its checksum verified). With exactly-once sinks
 * downstream, each clip yields exactly one committed embedding. If the restored snapshot cannot be
 * loaded, the operator falls back to {@code encoder.initial-snapshot} when set, else waits for the
 * next snapshot.
 *
 * <p><b>Embeddings</b> have the clip's id, stream, sequence range, event time and label, the
 * snapshot's version and step, and the mean of the encoder's tokens as the vector. Their record
 * timestamp is the clip's event time. NOTE: clips that wait in the buffer are emitted after the
 * watermarks that passed meanwhile, so an event-time operator downstream may see their embeddings
 * as late.
 *
 * <p><b>Metrics</b> in the {@code saltstream} group: gauges {@value #METRIC_MODEL_VERSION} (step of
 * the loaded snapshot, -1 before the first) and {@value #METRIC_BUFFERED_CLIPS}; counters {@value
 * #METRIC_EMBEDDINGS_WRITTEN}, {@value #METRIC_STALE_SNAPSHOTS}, {@value #METRIC_SNAPSHOTS_LOADED},
 * {@value #METRIC_SNAPSHOT_LOAD_FAILURES}, {@value #METRIC_CLIPS_REJECTED} and {@value
 * #METRIC_CLIPS_NOT_ENCODED} (clips still waiting for a model when all input ended); histogram
 * {@value #METRIC_ENCODE_LATENCY} (milliseconds from a clip's arrival to its embedding's emission,
 * over the last {@value #LATENCY_WINDOW} clips).
 *
 * <p>All methods run on the task thread, timers included, so the operator needs no locks.
 */
public class EncoderOperator extends AbstractStreamOperator<Embedding>
        implements TwoInputStreamOperator<ClipTensor, ModelSnapshot, Embedding>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(EncoderOperator.class);

    /** Operator name used by {@link #encode}. */
    public static final String NAME = "encoder";

    /** Operator uid used by {@link #encode}; keep it stable so savepoints map to the operator. */
    public static final String UID = "encoder";

    /** Flink type information of {@link Embedding}, so no stream falls back to Kryo. */
    public static final AvroTypeInfo<Embedding> EMBEDDING_TYPE =
            new AvroTypeInfo<>(Embedding.class);

    /** Name of the operator list state with the waiting clips. */
    public static final String BUFFER_STATE = "buffered-clips";

    /** Name of the broadcast state with the loaded snapshot record. */
    public static final String SNAPSHOT_STATE = "model-snapshot";

    /** Key of the loaded snapshot record in {@link #SNAPSHOT_STATE}. */
    public static final String SNAPSHOT_KEY = "current";

    /** Gauge: step of the loaded snapshot, -1 before the first. */
    public static final String METRIC_MODEL_VERSION = "modelVersion";

    /** Gauge: clips waiting to be encoded. */
    public static final String METRIC_BUFFERED_CLIPS = "bufferedClips";

    /** Counter: embeddings emitted. */
    public static final String METRIC_EMBEDDINGS_WRITTEN = "embeddingsWritten";

    /** Counter: snapshots ignored because their step was not above the loaded one. */
    public static final String METRIC_STALE_SNAPSHOTS = "staleSnapshots";

    /** Counter: snapshots loaded, the initial and restored ones included. */
    public static final String METRIC_SNAPSHOTS_LOADED = "snapshotsLoaded";

    /** Counter: snapshots whose parameters could not be read or loaded. */
    public static final String METRIC_SNAPSHOT_LOAD_FAILURES = "snapshotLoadFailures";

    /** Counter: clips dropped because their shape does not fit the model. */
    public static final String METRIC_CLIPS_REJECTED = "clipsRejected";

    /** Counter: clips that never met a model because all input ended first. */
    public static final String METRIC_CLIPS_NOT_ENCODED = "clipsNotEncoded";

    /** Histogram: milliseconds from a clip's arrival to the emission of its embedding. */
    public static final String METRIC_ENCODE_LATENCY = "encodeLatencyMs";

    /** Clips in the sliding window of {@link #METRIC_ENCODE_LATENCY}. */
    public static final int LATENCY_WINDOW = 1000;

    private static final long NO_TIMER = Long.MIN_VALUE;

    private final EncoderSettings settings;

    private transient ArrayDeque<WaitingClip> buffer;
    private transient ListState<ClipTensor> bufferState;
    private transient BroadcastState<String, ModelSnapshot> snapshotState;
    private transient ModelSnapshot restoredSnapshot;

    private transient Device device;
    // volatile: the modelVersion gauge reads it from the metric reporter thread.
    private transient volatile ModelSnapshot current;
    private transient EncoderSnapshot encoder;
    private transient long flushTimerTime;
    private transient boolean bufferingLogged;
    private transient boolean overflowWarned;
    private transient RateLimitedLogger rejections;

    private transient Counter embeddingsWritten;
    private transient Counter staleSnapshots;
    private transient Counter snapshotsLoaded;
    private transient Counter snapshotLoadFailures;
    private transient Counter clipsRejected;
    private transient Counter clipsNotEncoded;
    private transient Histogram encodeLatency;

    /**
     * Creates the operator.
     *
     * @param settings batch size, delay, buffer warning threshold, initial snapshot and device
     * @throws IllegalArgumentException if the settings are null
     */
    public EncoderOperator(EncoderSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException(
                    "EncoderOperator settings are null; pass EncoderSettings.defaults() or build"
                            + " them with EncoderSettings.builder()");
        }
        this.settings = settings;
    }

    /**
     * Connects clips with the broadcast snapshots and adds the encoder, named {@value #NAME} with
     * uid {@value #UID}. The caller adds the slot sharing group and resources.
     *
     * @param clips preprocessed clips
     * @param snapshots model snapshots; broadcast to every encoder subtask here
     * @param settings the encoder settings
     * @return the embeddings
     */
    public static SingleOutputStreamOperator<Embedding> encode(
            DataStream<ClipTensor> clips,
            DataStream<ModelSnapshot> snapshots,
            EncoderSettings settings) {
        return clips.connect(snapshots.broadcast())
                .transform(NAME, EMBEDDING_TYPE, new EncoderOperator(settings))
                .uid(UID);
    }

    /** Returns the settings. */
    public EncoderSettings getSettings() {
        return settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        buffer = new ArrayDeque<>();
        flushTimerTime = NO_TIMER;
        bufferState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(BUFFER_STATE, OperatorTypes.CLIP_TENSOR));
        snapshotState =
                context.getOperatorStateStore()
                        .getBroadcastState(
                                new MapStateDescriptor<>(
                                        SNAPSHOT_STATE, Types.STRING, ModelSnapshots.TYPE));
        if (context.isRestored()) {
            long now = processingTime();
            for (ClipTensor clip : bufferState.get()) {
                buffer.add(new WaitingClip(clip, now));
            }
            restoredSnapshot = snapshotState.get(SNAPSHOT_KEY);
            LOG.info(
                    "EncoderOperator restored {} waiting clips and snapshot {}",
                    buffer.size(),
                    restoredSnapshot == null ? "none" : ModelSnapshots.describe(restoredSnapshot));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        registerMetrics();
        rejections = new RateLimitedLogger(LOG, RateLimitedLogger.DEFAULT_INTERVAL);
        device =
                DeviceSelection.select(
                        settings.getDevice(), EncoderSettings.DEVICE_KEY, getRuntimeContext());
        LOG.info("EncoderOperator started: {}, device {}", settings, device);

        if (restoredSnapshot != null && !tryLoad(restoredSnapshot, "restored from checkpoint")) {
            snapshotState.remove(SNAPSHOT_KEY);
        }
        restoredSnapshot = null;
        if (encoder == null && settings.getInitialSnapshotPath() != null) {
            loadInitialSnapshot(settings.getInitialSnapshotPath());
        }
        if (encoder != null && !buffer.isEmpty()) {
            // Restored clips have waited already: encode them at the first timer tick.
            registerFlushTimer(processingTime(), true);
        }
    }

    private void registerMetrics() {
        MetricGroup group = getMetricGroup().addGroup(OperatorMetrics.GROUP);
        group.gauge(METRIC_MODEL_VERSION, () -> current == null ? -1L : current.getStep());
        group.gauge(METRIC_BUFFERED_CLIPS, () -> buffer.size());
        embeddingsWritten = group.counter(METRIC_EMBEDDINGS_WRITTEN);
        staleSnapshots = group.counter(METRIC_STALE_SNAPSHOTS);
        snapshotsLoaded = group.counter(METRIC_SNAPSHOTS_LOADED);
        snapshotLoadFailures = group.counter(METRIC_SNAPSHOT_LOAD_FAILURES);
        clipsRejected = group.counter(METRIC_CLIPS_REJECTED);
        clipsNotEncoded = group.counter(METRIC_CLIPS_NOT_ENCODED);
        encodeLatency =
                group.histogram(
                        METRIC_ENCODE_LATENCY, new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
    }

    @Override
    public void processElement1(StreamRecord<ClipTensor> element) throws Exception {
        ClipTensor clip = element.getValue();
        if (encoder != null) {
            int[] expected = clipShape(encoder.getModelConfig().getEncoder());
            if (!fits(clip, expected)) {
                reject(clip, expected);
                return;
            }
        }
        buffer.add(new WaitingClip(clip, processingTime()));
        if (encoder == null) {
            noteWaitingForModel();
            return;
        }
        encodeFullBatches();
        scheduleFlush();
    }

    private void noteWaitingForModel() {
        if (!bufferingLogged) {
            bufferingLogged = true;
            LOG.info("EncoderOperator buffers clips until the first model snapshot arrives");
        }
        if (!overflowWarned && buffer.size() > settings.getMaxBufferedClips()) {
            overflowWarned = true;
            LOG.warn(
                    "{} clips wait for the first model snapshot, more than"
                            + " encoder.max-buffered-clips = {}; buffering goes on, so check that"
                            + " the trainer publishes snapshots or set encoder.initial-snapshot"
                            + " (this warning is logged once)",
                    buffer.size(),
                    settings.getMaxBufferedClips());
        }
    }

    @Override
    public void processElement2(StreamRecord<ModelSnapshot> element) throws Exception {
        ModelSnapshot snapshot = element.getValue();
        if (current != null && snapshot.getStep() <= current.getStep()) {
            staleSnapshots.inc();
            LOG.debug(
                    "ignored snapshot {}: not newer than the loaded {} (step {})",
                    ModelSnapshots.describe(snapshot),
                    current.getVersion(),
                    current.getStep());
            return;
        }
        if (!tryLoad(snapshot, "broadcast")) {
            return;
        }
        encodeFullBatches();
        scheduleFlush();
    }

    /**
     * Loads a snapshot and makes it the current model, or logs and counts why it cannot.
     *
     * @return whether the snapshot is now the current model
     */
    private boolean tryLoad(ModelSnapshot snapshot, String origin) throws Exception {
        long started = System.nanoTime();
        EncoderSnapshot loaded;
        try {
            loaded = EncoderSnapshot.load(ModelSnapshots.readParameters(snapshot), device);
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            snapshotLoadFailures.inc();
            // The message names the file, the sizes and the hashes, so the WARN omits the stack.
            LOG.warn(
                    "skipped snapshot {} ({}): {}; encoding continues with {}",
                    ModelSnapshots.describe(snapshot),
                    origin,
                    e.toString(),
                    current == null
                            ? "no model, so clips keep waiting"
                            : "snapshot "
                                    + current.getVersion()
                                    + " (step "
                                    + current.getStep()
                                    + ")");
            LOG.debug("snapshot {} failed to load", snapshot.getVersion(), e);
            return false;
        }
        install(snapshot, loaded, origin, started);
        return true;
    }

    private void install(
            ModelSnapshot snapshot, EncoderSnapshot loaded, String origin, long started)
            throws Exception {
        EncoderSnapshot previous = encoder;
        encoder = loaded;
        current = snapshot;
        snapshotState.put(SNAPSHOT_KEY, snapshot);
        if (previous != null) {
            previous.close();
        }
        snapshotsLoaded.inc();
        LOG.info(
                "loaded model snapshot {} ({}), step {}, phase {}, preset {} on {} in {} ms",
                snapshot.getVersion(),
                origin,
                snapshot.getStep(),
                snapshot.getPhase(),
                loaded.getModelConfig().getPresetName(),
                device,
                (System.nanoTime() - started) / 1_000_000);
    }

    private void loadInitialSnapshot(String uri) throws Exception {
        long started = System.nanoTime();
        Path path = new Path(uri);
        FileSystem fileSystem = path.getFileSystem();
        FileStatus status;
        byte[] bytes;
        try {
            status = fileSystem.getFileStatus(path);
            bytes = ModelSnapshots.readFile(uri);
        } catch (FileNotFoundException e) {
            FileNotFoundException missing =
                    new FileNotFoundException(
                            "encoder.initial-snapshot "
                                    + uri
                                    + " not found; set it to an encoder-only checkpoint written by"
                                    + " SaltTrainer.saveEncoderSnapshot() or a stored snapshot"
                                    + " file");
            missing.initCause(e);
            throw missing;
        }
        EncoderSnapshot loaded;
        try {
            loaded = EncoderSnapshot.load(bytes, device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "encoder.initial-snapshot " + uri + " is not usable: " + e.getMessage(), e);
        }
        String qualified = path.makeQualified(fileSystem).toUri().toString();
        ModelSnapshot snapshot = describeFile(qualified, path.getName(), status, bytes, loaded);
        install(snapshot, loaded, "encoder.initial-snapshot", started);
    }

    /**
     * Builds the record of a checkpoint file as stored parameters, so that a restore reads the file
     * again and verifies its checksum.
     */
    private static ModelSnapshot describeFile(
            String uri, String fileName, FileStatus status, byte[] bytes, EncoderSnapshot loaded) {
        String version =
                fileName.endsWith(ModelSnapshots.FILE_EXTENSION)
                        ? fileName.substring(
                                0, fileName.length() - ModelSnapshots.FILE_EXTENSION.length())
                        : fileName;
        return ModelSnapshot.newBuilder()
                .setVersion(version)
                .setStep(loaded.getStep())
                .setPhase(ModelSnapshots.toTrainingPhase(loaded.getPhase()))
                .setArchitecture(
                        new Architecture(
                                loaded.getModelConfig().getPresetName(),
                                loaded.getModelConfig().toJson()))
                .setCreatedAt(Instant.ofEpochMilli(status.getModificationTime()))
                .setParameters(
                        new StoredParameters(
                                uri, ModelSnapshots.sha256Hex(bytes), (long) bytes.length))
                .build();
    }

    private void encodeFullBatches() {
        while (buffer.size() >= settings.getBatchSize()) {
            encodeBatch();
        }
    }

    private void encodeAll() {
        while (!buffer.isEmpty()) {
            encodeBatch();
        }
    }

    /** Encodes up to one batch of the oldest waiting clips and emits their embeddings. */
    private void encodeBatch() {
        VisionTransformerConfig config = encoder.getModelConfig().getEncoder();
        int[] expected = clipShape(config);
        int values = expected[0] * expected[1] * expected[2] * expected[3];
        List<WaitingClip> batch = new ArrayList<>(settings.getBatchSize());
        while (batch.size() < settings.getBatchSize() && !buffer.isEmpty()) {
            WaitingClip waiting = buffer.poll();
            if (fits(waiting.clip, expected)) {
                batch.add(waiting);
            } else {
                reject(waiting.clip, expected);
            }
        }
        if (batch.isEmpty()) {
            return;
        }

        long started = System.nanoTime();
        float[][] vectors;
        try (NDManager scope = encoder.getManager().newSubManager()) {
            float[] data = new float[batch.size() * values];
            for (int i = 0; i < batch.size(); i++) {
                System.arraycopy(batch.get(i).clip.data, 0, data, i * values, values);
            }
            // B clips of {C, T, H, W} -> [B, C, T, H, W], or [B, C, H, W] for an image model
            NDArray input = scope.create(data, config.inputShape(batch.size()));
            vectors = encoder.encode(input);
        }
        long now = processingTime();
        for (int i = 0; i < batch.size(); i++) {
            emit(batch.get(i), vectors[i], now);
        }
        LOG.debug(
                "encoded {} clips with snapshot {} in {} ms; {} clips wait",
                batch.size(),
                current.getVersion(),
                (System.nanoTime() - started) / 1_000_000,
                buffer.size());
    }

    private void emit(WaitingClip waiting, float[] vector, long now) {
        ClipTensor clip = waiting.clip;
        List<Float> values = new ArrayList<>(vector.length);
        for (float value : vector) {
            values.add(value);
        }
        Embedding embedding =
                Embedding.newBuilder()
                        .setId(clip.id)
                        .setStreamId(clip.streamId)
                        .setFirstSequence(clip.firstSequence)
                        .setLastSequence(clip.lastSequence)
                        .setEventTime(Instant.ofEpochMilli(clip.eventTime))
                        .setModelVersion(current.getVersion())
                        .setModelStep(current.getStep())
                        .setVector(values)
                        .setLabel(clip.label)
                        .build();
        output.collect(new StreamRecord<>(embedding, clip.eventTime));
        embeddingsWritten.inc();
        encodeLatency.update(Math.max(0, now - waiting.arrivalTime));
    }

    /** Returns the clip shape {C, T, H, W} the encoder takes; T is 1 for an image model. */
    private static int[] clipShape(VisionTransformerConfig config) {
        return new int[] {
            config.getInputChannels(),
            config.getFrames(),
            config.getImageHeight(),
            config.getImageWidth()
        };
    }

    private static boolean fits(ClipTensor clip, int[] expected) {
        return Arrays.equals(clip.shape, expected)
                && clip.data != null
                && clip.data.length == expected[0] * expected[1] * expected[2] * expected[3];
    }

    private void reject(ClipTensor clip, int[] expected) {
        clipsRejected.inc();
        rejections.warn(
                "dropped clip "
                        + clip.id
                        + ": shape "
                        + Arrays.toString(clip.shape)
                        + " with "
                        + (clip.data == null ? "no" : String.valueOf(clip.data.length))
                        + " values, but snapshot "
                        + current.getVersion()
                        + " ("
                        + encoder.getModelConfig().getPresetName()
                        + ") expects {C, T, H, W} = "
                        + Arrays.toString(expected)
                        + "; make the preprocessing settings match the model preset");
    }

    /** Registers a timer for the oldest waiting clip's deadline, unless one is pending. */
    private void scheduleFlush() {
        if (buffer.isEmpty() || flushTimerTime != NO_TIMER) {
            return;
        }
        registerFlushTimer(buffer.peek().arrivalTime + settings.getMaxDelay().toMillis(), false);
    }

    /**
     * Registers the flush timer. A forced flush encodes every waiting clip when it fires; a normal
     * one only when the oldest clip has waited {@code encoder.max-delay}.
     */
    private void registerFlushTimer(long time, boolean force) {
        flushTimerTime = time;
        getProcessingTimeService().registerTimer(time, fired -> onFlushTimer(fired, force));
    }

    private void onFlushTimer(long time, boolean force) {
        flushTimerTime = NO_TIMER;
        if (encoder == null || buffer.isEmpty()) {
            return;
        }
        if (force || buffer.peek().arrivalTime + settings.getMaxDelay().toMillis() <= time) {
            encodeAll();
        }
        scheduleFlush();
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1 && encoder != null) {
            encodeAll();
        }
    }

    @Override
    public void finish() throws Exception {
        if (encoder != null) {
            encodeAll();
        } else if (!buffer.isEmpty()) {
            clipsNotEncoded.inc(buffer.size());
            LOG.warn(
                    "all input ended before any model snapshot arrived, so {} waiting clips were"
                            + " not encoded; set encoder.initial-snapshot to encode them",
                    buffer.size());
            buffer.clear();
        }
        super.finish();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<ClipTensor> clips = new ArrayList<>(buffer.size());
        for (WaitingClip waiting : buffer) {
            clips.add(waiting.clip);
        }
        bufferState.update(clips);
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (encoder != null) {
                encoder.close();
                encoder = null;
            }
        }
    }

    private long processingTime() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    /** Returns the step of the loaded snapshot, or -1; for tests. */
    long loadedStep() {
        return current == null ? -1 : current.getStep();
    }

    /** Returns the version of the loaded snapshot, or null; for tests. */
    String loadedVersion() {
        return current == null ? null : current.getVersion();
    }

    /** Returns the number of waiting clips; for tests. */
    int bufferedClipCount() {
        return buffer.size();
    }

    /** Returns the {@value #METRIC_STALE_SNAPSHOTS} count; for tests. */
    long staleSnapshotCount() {
        return staleSnapshots.getCount();
    }

    /** Returns the {@value #METRIC_SNAPSHOT_LOAD_FAILURES} count; for tests. */
    long snapshotLoadFailureCount() {
        return snapshotLoadFailures.getCount();
    }

    /** Returns the {@value #METRIC_CLIPS_REJECTED} count; for tests. */
    long rejectedClipCount() {
        return clipsRejected.getCount();
    }

    /** Returns the {@value #METRIC_CLIPS_NOT_ENCODED} count; for tests. */
    long notEncodedClipCount() {
        return clipsNotEncoded.getCount();
    }

    /** Returns the latency histogram; for tests. */
    Histogram encodeLatencyHistogram() {
        return encodeLatency;
    }

    /** A clip and the processing time it arrived at. */
    private static final class WaitingClip {
        final ClipTensor clip;
        final long arrivalTime;

        WaitingClip(ClipTensor clip, long arrivalTime) {
            this.clip = clip;
            this.arrivalTime = arrivalTime;
        }
    }
}
