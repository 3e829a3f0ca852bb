package io.saltstream.operators.encode;

import io.saltstream.operators.device.DeviceMode;
import io.saltstream.operators.device.DeviceSelection;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.core.fs.Path;

/**
 * Settings of {@link EncoderOperator}.
 *
 * <pre>{@code
 * EncoderSettings settings =
 *         EncoderSettings.builder()
 *                 .optBatchSize(64)
 *                 .optMaxDelay(Duration.ofMillis(200))
 *                 .optInitialSnapshotPath("file:///models/student.ckpt")
 *                 .optDevice(DeviceMode.AUTO)
 *                 .build();
 * }</pre>
 *
 * <p>Micro-batching: a batch is encoded as soon as {@code encoder.batch-size} clips wait, or when
 * the oldest waiting clip has waited {@code encoder.max-delay} (processing time), whichever comes
 * first. A batch size of 1 encodes every clip on arrival (lowest latency, lowest throughput); a
 * long delay with a large batch size gives the best throughput on a GPU but holds clips of slow
 * streams back for up to the delay.
 *
 * <p>Serializable, so it can be a field of a Flink operator.
 */
public final class EncoderSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default of {@code encoder.batch-size}. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /** Default of {@code encoder.max-delay}. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(200);

    /** Default of {@code encoder.max-buffered-clips}. */
    public static final int DEFAULT_MAX_BUFFERED_CLIPS = 1024;

    /** Key of the device option, as {@link DeviceSelection} names it in messages. */
    public static final String DEVICE_KEY = "encoder.device";

    /** Default of {@code encoder.device}. */
    public static final DeviceMode DEFAULT_DEVICE = DeviceMode.AUTO;

    private final int batchSize;
    private final Duration maxDelay;
    private final int maxBufferedClips;
    private final String initialSnapshotPath;
    private final DeviceMode device;

    private EncoderSettings(Builder builder) {
        this.batchSize = builder.batchSize;
        this.maxDelay = builder.maxDelay;
        this.maxBufferedClips = builder.maxBufferedClips;
        this.initialSnapshotPath = builder.initialSnapshotPath;
        this.device = builder.device;
    }

    /** Returns a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the settings with every default. */
    public static EncoderSettings defaults() {
        return builder().build();
    }

    /** Returns {@code encoder.batch-size}: the clips encoded in one forward pass at most. */
    public int getBatchSize() {
        return batchSize;
    }

    /** Returns {@code encoder.max-delay}: how long a clip waits for a full batch at most. */
    public Duration getMaxDelay() {
        return maxDelay;
    }

    /** Returns {@code encoder.max-buffered-clips}: the warning threshold of the buffer. */
    public int getMaxBufferedClips() {
        return maxBufferedClips;
    }

    /**
     * Returns {@code encoder.initial-snapshot}: an encoder-only checkpoint loaded at start, or
     * {@code null}.
     */
    public String getInitialSnapshotPath() {
        return initialSnapshotPath;
    }

    /** Returns {@code encoder.device}: which device runs the encoder. */
    public DeviceMode getDevice() {
        return device;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof EncoderSettings)) {
            return false;
        }
        EncoderSettings that = (EncoderSettings) other;
        return batchSize == that.batchSize
                && maxBufferedClips == that.maxBufferedClips
                && maxDelay.equals(that.maxDelay)
                && Objects.equals(initialSnapshotPath, that.initialSnapshotPath)
                && device == that.device;
    }

    @Override
    public int hashCode() {
        return Objects.hash(batchSize, maxDelay, maxBufferedClips, initialSnapshotPath, device);
    }

    @Override
    public String toString() {
        return "encoder.batch-size="
                + batchSize
                + ", encoder.max-delay="
                + maxDelay.toMillis()
                + " ms, encoder.max-buffered-clips="
                + maxBufferedClips
                + ", encoder.initial-snapshot="
                + initialSnapshotPath
                + ", encoder.device="
                + device;
    }

    /** Builder of {@link EncoderSettings}; every setting is optional. */
    public static final class Builder {

        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private int maxBufferedClips = DEFAULT_MAX_BUFFERED_CLIPS;
        private String initialSnapshotPath;
        private DeviceMode device = DEFAULT_DEVICE;

        private Builder() {}

        /**
         * Sets {@code encoder.batch-size}: a batch is encoded once this many clips wait. Default
         * {@value EncoderSettings#DEFAULT_BATCH_SIZE}.
         *
         * @param batchSize 1 or more
         * @return this builder
         */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets {@code encoder.max-delay}: the waiting clips are encoded when the oldest has waited
         * this long in processing time, even if the batch is not full. Default 200 ms.
         *
         * @param maxDelay positive, at least 1 ms
         * @return this builder
         */
        public Builder optMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * Sets {@code encoder.max-buffered-clips}: when more clips than this wait because no
         * snapshot has arrived yet, the operator logs one WARN and keeps buffering. The clips stay
         * in memory and in checkpoints, so size it by memory: a clip takes C·T·H·W·4 bytes (3 KB
         * for {@code image-28}, 786 KB for {@code video-64}). Once a model is loaded, fewer than
         * {@code encoder.batch-size} clips wait at any time. Default {@value
         * EncoderSettings#DEFAULT_MAX_BUFFERED_CLIPS}.
         *
         * @param maxBufferedClips 1 or more
         * @return this builder
         */
        public Builder optMaxBufferedClips(int maxBufferedClips) {
            this.maxBufferedClips = maxBufferedClips;
            return this;
        }

        /**
         * Sets {@code encoder.initial-snapshot}: an encoder-only checkpoint file ({@code
         * SaltTrainer.saveEncoderSnapshot()}, or a stored snapshot's {@code .ckpt} file) loaded in
         * {@code open()}, so clips are encoded before the first snapshot arrives. A Flink file
         * system URI or a local path. A snapshot restored from a Flink checkpoint takes precedence.
         *
         * @param initialSnapshotPath a path, or {@code null} to wait for the first snapshot
         * @return this builder
         */
        public Builder optInitialSnapshotPath(String initialSnapshotPath) {
            this.initialSnapshotPath = initialSnapshotPath;
            return this;
        }

        /**
         * Sets {@code encoder.device}: {@code cpu}; {@code gpu} (the GPU that Flink's external
         * resource {@code gpu} assigns to the subtask, failing when there is none); or {@code auto}
         * (that GPU when there is one, else the CPU). {@link DeviceSelection} maps it to a DJL
         * device in {@code open()}. Default {@code auto}.
         *
         * @param device the mode
         * @return this builder
         */
        public Builder optDevice(DeviceMode device) {
            this.device = device;
            return this;
        }

        /**
         * Sets {@code encoder.device} from its option value.
         *
         * @param device {@code auto}, {@code cpu} or {@code gpu}, in any case
         * @return this builder
         * @throws IllegalArgumentException if the value names no mode
         */
        public Builder optDevice(String device) {
            this.device = DeviceMode.parse(DEVICE_KEY, device);
            return this;
        }

        /**
         * Validates the settings and builds them.
         *
         * @return the settings
         * @throws IllegalArgumentException if a value is out of range
         */
        public EncoderSettings build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException(
                        "encoder.batch-size is " + batchSize + " but must be 1 or more");
            }
            if (maxDelay == null || maxDelay.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "encoder.max-delay is "
                                + maxDelay
                                + " but must be at least 1 ms, for example 200 ms");
            }
            if (maxBufferedClips < 1) {
                throw new IllegalArgumentException(
                        "encoder.max-buffered-clips is "
                                + maxBufferedClips
                                + " but must be 1 or more");
            }
            if (initialSnapshotPath != null) {
                if (initialSnapshotPath.isBlank()) {
                    throw new IllegalArgumentException(
                            "encoder.initial-snapshot is blank; set the path of an encoder-only"
                                    + " checkpoint or leave it unset");
                }
                try {
                    new Path(initialSnapshotPath);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "encoder.initial-snapshot '"
                                    + initialSnapshotPath
                                    + "' is not a valid path: "
                                    + e.getMessage(),
                            e);
                }
            }
            if (device == null) {
                throw new IllegalArgumentException(
                        "encoder.device is null but must be one of: auto, cpu, gpu");
            }
            return new EncoderSettings(this);
        }
    }
}
