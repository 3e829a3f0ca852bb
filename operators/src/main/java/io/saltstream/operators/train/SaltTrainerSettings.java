package io.saltstream.operators.train;

import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.operators.device.DeviceMode;
import io.saltstream.operators.model.SnapshotStorage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of {@link SaltTrainerOperator}: the SALT trainer config plus what the operator does
 * around it (policy, intervals, quality metrics, snapshots, device). Serializable, so it travels
 * with the job graph; the trainer config is carried as its JSON.
 *
 * <pre>{@code
 * SaltTrainerSettings settings =
 *         SaltTrainerSettings.builder()
 *                 .setTrainerConfig(trainerConfig)
 *                 .optJobName("salt-train")
 *                 .optPolicy(TrainingPolicy.LATEST)
 *                 .optSnapshotInterval(100)
 *                 .optMaxSteps(2_000)
 *                 .build();
 * }</pre>
 *
 * <p>Messages name the pipeline option keys ({@code train.*}, {@code quality.*}) that set each
 * value.
 */
public final class SaltTrainerSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default of {@code job.name}, the job named in metrics and snapshot versions. */
    public static final String DEFAULT_JOB_NAME = "saltstream";

    /** Default of {@code train.buffer-size}. */
    public static final int DEFAULT_BUFFER_SIZE = 256;

    /** Default of {@code train.metrics-interval}. */
    public static final long DEFAULT_METRICS_INTERVAL = 10;

    /** Default of {@code train.quality-interval}. */
    public static final long DEFAULT_QUALITY_INTERVAL = 200;

    /** Default of {@code train.snapshot-interval}. */
    public static final long DEFAULT_SNAPSHOT_INTERVAL = 100;

    /**
     * Default of {@code quality.reservoir-size}. Each held-out clip stays in operator state, so the
     * state grows by this many clips (256 × 3 KiB for image-28, 256 × 768 KiB for video-64).
     */
    public static final int DEFAULT_RESERVOIR_SIZE = 256;

    /** Default of {@code quality.holdout-every}: every 10th clip is held out of training. */
    public static final int DEFAULT_HOLDOUT_EVERY = 10;

    /** Default of {@code quality.lidar-classes}. */
    public static final int DEFAULT_LIDAR_CLASSES = 32;

    /** Default of {@code quality.lidar-views}. */
    public static final int DEFAULT_LIDAR_VIEWS = 4;

    /** Default of {@code quality.knn-k}: k = 20, the usual kNN evaluation of SSL encoders. */
    public static final int DEFAULT_KNN_K = 20;

    /** Default of {@code quality.view-mask-ratio}: a quarter of the patches of a LiDAR view. */
    public static final double DEFAULT_VIEW_MASK_RATIO = 0.25;

    private final String trainerConfigJson;
    private final String jobName;
    private final TrainingPolicy policy;
    private final int bufferSize;
    private final long metricsInterval;
    private final long qualityInterval;
    private final long snapshotInterval;
    private final long maxSteps;
    private final DeviceMode device;
    private final SnapshotStorage snapshotStorage;
    private final String teacherCheckpoint;
    private final int reservoirSize;
    private final int holdoutEvery;
    private final int lidarClasses;
    private final int lidarViews;
    private final int knnK;
    private final double viewMaskRatio;

    private transient SaltTrainerConfig trainerConfig;

    private SaltTrainerSettings(Builder builder) {
        this.trainerConfig = builder.trainerConfig;
        this.trainerConfigJson = builder.trainerConfig.toJson();
        this.jobName = builder.jobName;
        this.policy = builder.policy;
        this.bufferSize = builder.bufferSize;
        this.metricsInterval = builder.metricsInterval;
        this.qualityInterval = builder.qualityInterval;
        this.snapshotInterval = builder.snapshotInterval;
        this.maxSteps = builder.maxSteps;
        this.device = builder.device;
        this.snapshotStorage = builder.snapshotStorage;
        this.teacherCheckpoint = builder.teacherCheckpoint;
        this.reservoirSize = builder.reservoirSize;
        this.holdoutEvery = builder.holdoutEvery;
        this.lidarClasses = builder.lidarClasses;
        this.lidarViews = builder.lidarViews;
        this.knnK = builder.knnK;
        this.viewMaskRatio = builder.viewMaskRatio;
    }

    /** Creates a builder with the documented defaults; the trainer config is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The SALT trainer config; parsed once from its JSON after deserialization. */
    public SaltTrainerConfig getTrainerConfig() {
        if (trainerConfig == null) {
            trainerConfig = SaltTrainerConfig.fromJson(trainerConfigJson);
        }
        return trainerConfig;
    }

    /** The job named in {@code TrainingMetrics.job} and in snapshot versions. */
    public String getJobName() {
        return jobName;
    }

    public TrainingPolicy getPolicy() {
        return policy;
    }

    /** Clips the {@link TrainingPolicy#LATEST} buffer keeps. */
    public int getBufferSize() {
        return bufferSize;
    }

    /** Steps between two TrainingMetrics records and progress log lines. */
    public long getMetricsInterval() {
        return metricsInterval;
    }

    /** Steps between two quality evaluations; 0 turns them off. */
    public long getQualityInterval() {
        return qualityInterval;
    }

    /** Steps between two ModelSnapshots. */
    public long getSnapshotInterval() {
        return snapshotInterval;
    }

    /** Step after which training stops; 0 trains without end. */
    public long getMaxSteps() {
        return maxSteps;
    }

    public DeviceMode getDevice() {
        return device;
    }

    /** Where snapshot parameters go: inline up to a limit, above it into a directory. */
    public SnapshotStorage getSnapshotStorage() {
        return snapshotStorage;
    }

    /** URI of the encoder-only checkpoint of a trained teacher, or {@code null}. */
    public String getTeacherCheckpoint() {
        return teacherCheckpoint;
    }

    /** Held-out clips kept for the quality metrics. */
    public int getReservoirSize() {
        return reservoirSize;
    }

    /** Every this-many-th clip is held out of training. */
    public int getHoldoutEvery() {
        return holdoutEvery;
    }

    public int getLidarClasses() {
        return lidarClasses;
    }

    public int getLidarViews() {
        return lidarViews;
    }

    public int getKnnK() {
        return knnK;
    }

    /** Share of patches masked in each LiDAR view. */
    public double getViewMaskRatio() {
        return viewMaskRatio;
    }

    /** Whether quality metrics are computed: a quality interval and a reservoir are set. */
    public boolean isQualityEnabled() {
        return qualityInterval > 0 && reservoirSize > 0;
    }

    @Override
    public String toString() {
        return "SaltTrainerSettings{job.name="
                + jobName
                + ", train.policy="
                + policy
                + ", train.buffer-size="
                + bufferSize
                + ", train.metrics-interval="
                + metricsInterval
                + ", train.quality-interval="
                + qualityInterval
                + ", train.snapshot-interval="
                + snapshotInterval
                + ", train.max-steps="
                + maxSteps
                + ", train.device="
                + device
                + ", train.teacher-checkpoint="
                + teacherCheckpoint
                + ", quality.reservoir-size="
                + reservoirSize
                + ", quality.holdout-every="
                + holdoutEvery
                + ", quality.lidar-classes="
                + lidarClasses
                + ", quality.lidar-views="
                + lidarViews
                + ", quality.knn-k="
                + knnK
                + ", quality.view-mask-ratio="
                + viewMaskRatio
                + ", "
                + snapshotStorage
                + "}";
    }

    /** Builder of {@link SaltTrainerSettings}; {@link #setTrainerConfig} is required. */
    public static final class Builder {

        private SaltTrainerConfig trainerConfig;
        private String jobName = DEFAULT_JOB_NAME;
        private TrainingPolicy policy = TrainingPolicy.ALL;
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private long metricsInterval = DEFAULT_METRICS_INTERVAL;
        private long qualityInterval = DEFAULT_QUALITY_INTERVAL;
        private long snapshotInterval = DEFAULT_SNAPSHOT_INTERVAL;
        private long maxSteps = 0;
        private DeviceMode device = DeviceMode.AUTO;
        private SnapshotStorage snapshotStorage = SnapshotStorage.defaults();
        private String teacherCheckpoint;
        private int reservoirSize = DEFAULT_RESERVOIR_SIZE;
        private int holdoutEvery = DEFAULT_HOLDOUT_EVERY;
        private int lidarClasses = DEFAULT_LIDAR_CLASSES;
        private int lidarViews = DEFAULT_LIDAR_VIEWS;
        private int knnK = DEFAULT_KNN_K;
        private double viewMaskRatio = DEFAULT_VIEW_MASK_RATIO;

        private Builder() {}

        /** Sets the SALT trainer config: model, batch size, schedules, stage lengths (required). */
        public Builder setTrainerConfig(SaltTrainerConfig trainerConfig) {
            this.trainerConfig = trainerConfig;
            return this;
        }

        /** Sets {@code job.name} (default {@value #DEFAULT_JOB_NAME}). */
        public Builder optJobName(String jobName) {
            this.jobName = jobName;
            return this;
        }

        /** Sets {@code train.policy} (default {@link TrainingPolicy#ALL}). */
        public Builder optPolicy(TrainingPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Sets {@code train.buffer-size}, at least the batch size (default 256). */
        public Builder optBufferSize(int bufferSize) {
            this.bufferSize = bufferSize;
            return this;
        }

        /** Sets {@code train.metrics-interval} in steps, at least 1 (default 10). */
        public Builder optMetricsInterval(long metricsInterval) {
            this.metricsInterval = metricsInterval;
            return this;
        }

        /** Sets {@code train.quality-interval} in steps, 0 for off (default 200). */
        public Builder optQualityInterval(long qualityInterval) {
            this.qualityInterval = qualityInterval;
            return this;
        }

        /** Sets {@code train.snapshot-interval} in steps, at least 1 (default 100). */
        public Builder optSnapshotInterval(long snapshotInterval) {
            this.snapshotInterval = snapshotInterval;
            return this;
        }

        /**
         * Sets {@code train.max-steps}: after this step the operator stops training, emits a final
         * snapshot and counts later clips in {@code clipsIgnored}. 0 (the default) trains without
         * end.
         */
        public Builder optMaxSteps(long maxSteps) {
            this.maxSteps = maxSteps;
            return this;
        }

        /** Sets {@code train.device} (default {@link DeviceMode#AUTO}). */
        public Builder optDevice(DeviceMode device) {
            this.device = device;
            return this;
        }

        /** Sets the inline limit and directory of snapshot parameters (default: 4 MiB inline). */
        public Builder optSnapshotStorage(SnapshotStorage snapshotStorage) {
            this.snapshotStorage = snapshotStorage;
            return this;
        }

        /**
         * Sets {@code train.teacher-checkpoint}: a Flink file system URI or local path of an
         * encoder-only checkpoint ({@code SaltTrainer.saveEncoderSnapshot()}) that becomes the
         * frozen teacher. Required exactly when the trainer config has {@code teacherSteps = 0}.
         */
        public Builder optTeacherCheckpoint(String teacherCheckpoint) {
            this.teacherCheckpoint = teacherCheckpoint;
            return this;
        }

        /** Sets {@code quality.reservoir-size}, 0 for no held-out clips (default 256). */
        public Builder optReservoirSize(int reservoirSize) {
            this.reservoirSize = reservoirSize;
            return this;
        }

        /** Sets {@code quality.holdout-every}, at least 2 (default 10). */
        public Builder optHoldoutEvery(int holdoutEvery) {
            this.holdoutEvery = holdoutEvery;
            return this;
        }

        /** Sets {@code quality.lidar-classes}, at least 2 (default 32). */
        public Builder optLidarClasses(int lidarClasses) {
            this.lidarClasses = lidarClasses;
            return this;
        }

        /** Sets {@code quality.lidar-views}, at least 2 (default 4). */
        public Builder optLidarViews(int lidarViews) {
            this.lidarViews = lidarViews;
            return this;
        }

        /** Sets {@code quality.knn-k}, at least 1 (default 20). */
        public Builder optKnnK(int knnK) {
            this.knnK = knnK;
            return this;
        }

        /** Sets {@code quality.view-mask-ratio}, in (0, 1) (default 0.25). */
        public Builder optViewMaskRatio(double viewMaskRatio) {
            this.viewMaskRatio = viewMaskRatio;
            return this;
        }

        /**
         * Validates every value and builds the settings.
         *
         * @throws IllegalArgumentException listing every missing or invalid value with its rule
         * @throws IllegalStateException if the teacher checkpoint and the Stage-1 length conflict,
         *     or snapshots of the encoder exceed the inline limit and no snapshot directory is set
         */
        public SaltTrainerSettings build() {
            List<String> errors = new ArrayList<>();
            if (trainerConfig == null) {
                errors.add("the trainer config is missing: call setTrainerConfig");
            }
            if (jobName == null || jobName.isBlank()) {
                errors.add("job.name is '" + jobName + "' but must be a non-blank name");
            }
            if (policy == null) {
                errors.add("train.policy is missing: use all or latest");
            }
            if (device == null) {
                errors.add("train.device is missing: use auto, cpu or gpu");
            }
            if (snapshotStorage == null) {
                errors.add("the snapshot storage is missing: pass SnapshotStorage.defaults()");
            }
            if (trainerConfig != null && bufferSize < trainerConfig.getBatchSize()) {
                errors.add(
                        "train.buffer-size is "
                                + bufferSize
                                + " but must be at least the batch size "
                                + trainerConfig.getBatchSize());
            }
            requireAtLeast(errors, "train.metrics-interval", metricsInterval, 1);
            requireAtLeast(errors, "train.quality-interval", qualityInterval, 0);
            requireAtLeast(errors, "train.snapshot-interval", snapshotInterval, 1);
            requireAtLeast(errors, "train.max-steps", maxSteps, 0);
            requireAtLeast(errors, "quality.reservoir-size", reservoirSize, 0);
            if (qualityInterval > 0 && reservoirSize == 1) {
                errors.add(
                        "quality.reservoir-size is 1 but quality metrics need at least 2 clips;"
                                + " set it to 0 to turn them off");
            }
            requireAtLeast(errors, "quality.holdout-every", holdoutEvery, 2);
            requireAtLeast(errors, "quality.lidar-classes", lidarClasses, 2);
            requireAtLeast(errors, "quality.lidar-views", lidarViews, 2);
            requireAtLeast(errors, "quality.knn-k", knnK, 1);
            if (!(viewMaskRatio > 0 && viewMaskRatio < 1)) {
                errors.add(
                        "quality.view-mask-ratio is " + viewMaskRatio + " but must be in (0, 1)");
            }
            if (teacherCheckpoint != null && teacherCheckpoint.isBlank()) {
                errors.add("train.teacher-checkpoint is blank; set a path or leave it unset");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid trainer settings: " + String.join("; ", errors));
            }
            if (trainerConfig.getTeacherSteps() == 0 && teacherCheckpoint == null) {
                throw new IllegalStateException(
                        "teacherSteps is 0, so Stage 1 is skipped and train.teacher-checkpoint"
                                + " must name the encoder checkpoint of a trained teacher; or set"
                                + " teacherSteps above 0");
            }
            if (trainerConfig.getTeacherSteps() > 0 && teacherCheckpoint != null) {
                throw new IllegalStateException(
                        "train.teacher-checkpoint is set but teacherSteps is "
                                + trainerConfig.getTeacherSteps()
                                + ", which trains a teacher in Stage 1; set teacherSteps to 0 to"
                                + " use the given teacher, or unset train.teacher-checkpoint");
            }
            checkSnapshotsFit();
            return new SaltTrainerSettings(this);
        }

        /**
         * Fails before the job starts when every snapshot would exceed the inline limit and no
         * snapshot directory is set. Without this check the first snapshot would fail mid-training.
         */
        private void checkSnapshotsFit() {
            long parameterBytes =
                    4 * trainerConfig.getModelConfig().getEncoder().encoderParameterCount();
            if (snapshotStorage.getDirectory() == null
                    && !snapshotStorage.isInline(parameterBytes)) {
                throw new IllegalStateException(
                        "the "
                                + trainerConfig.getModelConfig().getPresetName()
                                + " encoder has "
                                + parameterBytes
                                + " bytes of float32 parameters, above snapshot.inline-limit = "
                                + snapshotStorage.getInlineLimitBytes()
                                + " bytes, and snapshot.dir is not set; set snapshot.dir to a"
                                + " directory every encoder can read (file://, s3://, hdfs://)");
            }
        }

        private static void requireAtLeast(
                List<String> errors, String key, long value, long minimum) {
            if (value < minimum) {
                errors.add(key + " is " + value + " but must be at least " + minimum);
            }
        }
    }
}
