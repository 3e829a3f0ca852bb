package io.saltstream.pipeline.job;

import io.saltstream.models.mask.MaskConfig;
import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.models.vit.PredictorConfig;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformerConfig;
import io.saltstream.models.vit.VisionTransformerPresets;
import io.saltstream.operators.clip.ClipAssembler;
import io.saltstream.operators.clip.GapPolicy;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.operators.device.DeviceMode;
import io.saltstream.operators.encode.EncoderSettings;
import io.saltstream.operators.model.SnapshotStorage;
import io.saltstream.operators.parse.ParseFrame;
import io.saltstream.operators.preprocess.Preprocess;
import io.saltstream.operators.train.SaltTrainerSettings;
import io.saltstream.operators.train.TrainingPolicy;
import io.saltstream.pipeline.config.ComputeDevice;
import io.saltstream.pipeline.config.DataOptions;
import io.saltstream.pipeline.config.EncodeOptions;
import io.saltstream.pipeline.config.FlinkSettings;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.MaskOptions;
import io.saltstream.pipeline.config.ModelOptions;
import io.saltstream.pipeline.config.OptimizationOptions;
import io.saltstream.pipeline.config.QualityOptions;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.config.TrainOptions;
import io.saltstream.pipeline.config.ValueRange;
import java.util.List;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates the saltstream options into the settings of the operators: the model of {@code
 * model.preset} with its overrides, the SALT trainer config, the trainer and encoder settings, and
 * the parse, clip and preprocess functions.
 *
 * <p>{@code optimization.total-steps} is both the length of the learning-rate and weight-decay
 * schedules and the step after which the trainer stops. When it is 0 the trainer never stops and
 * the schedules run over {@code teacher-steps} + {@link #OPEN_ENDED_STUDENT_STEPS} steps, then stay
 * at their final values.
 */
public final class JobSettings {

    private static final Logger LOG = LoggerFactory.getLogger(JobSettings.class);

    /** Student-stage schedule length when {@code optimization.total-steps} is 0. */
    public static final long OPEN_ENDED_STUDENT_STEPS = 10_000;

    /**
     * Folder under {@code checkpoint.dir} that receives snapshot parameters too large to inline.
     */
    public static final String SNAPSHOT_FOLDER = "model-snapshots";

    private JobSettings() {}

    /**
     * Returns the model of {@code model.preset} with the predictor overrides applied.
     *
     * @throws IllegalArgumentException for an unknown preset or an invalid predictor override
     */
    public static SaltModelConfig modelConfig(ReadableConfig config) {
        SaltModelConfig preset = VisionTransformerPresets.byName(config.get(ModelOptions.PRESET));
        Integer depth = config.getOptional(ModelOptions.PRED_DEPTH).orElse(null);
        Integer width = config.getOptional(ModelOptions.PRED_EMBED_DIM).orElse(null);
        if (depth == null && width == null) {
            return preset;
        }
        PredictorConfig.Builder predictor = preset.getPredictor().toBuilder();
        if (depth != null) {
            predictor.setDepth(depth);
        }
        if (width != null) {
            predictor.setEmbedDim(width);
        }
        return preset.toBuilder().setPredictor(predictor.build()).build();
    }

    /**
     * Returns the mask configurations: the {@code mask.*} options when any is set, otherwise the
     * V-JEPA defaults of the preset's input (image or video).
     */
    public static List<MaskConfig> maskConfigs(ReadableConfig config, SaltModelConfig model) {
        boolean anySet =
                config.getOptional(MaskOptions.NUM_BLOCKS).isPresent()
                        || config.getOptional(MaskOptions.SPATIAL_SCALE).isPresent()
                        || config.getOptional(MaskOptions.ASPECT_RATIO).isPresent()
                        || config.getOptional(MaskOptions.TEMPORAL_SCALE).isPresent();
        if (!anySet) {
            return model.getEncoder().isVideo()
                    ? MaskConfig.videoDefaults()
                    : MaskConfig.imageDefaults();
        }
        ValueRange spatial = MaskOptions.range(config, MaskOptions.SPATIAL_SCALE);
        ValueRange aspect = MaskOptions.range(config, MaskOptions.ASPECT_RATIO);
        ValueRange temporal = MaskOptions.range(config, MaskOptions.TEMPORAL_SCALE);
        return List.of(
                MaskConfig.builder()
                        .setNumBlocks(config.get(MaskOptions.NUM_BLOCKS))
                        .setSpatialScale(spatial.min(), spatial.max())
                        .optAspectRatio(aspect.min(), aspect.max())
                        .optTemporalScale(temporal.min(), temporal.max())
                        .build());
    }

    /**
     * Returns the SALT trainer config: model, masks, batch size, stage lengths and the AdamW
     * schedules. With {@code train.teacher-checkpoint} set, Stage 1 has 0 steps.
     *
     * @throws IllegalArgumentException when the options give an invalid trainer config
     */
    public static SaltTrainerConfig trainerConfig(ReadableConfig config) {
        SaltModelConfig model = modelConfig(config);
        boolean givenTeacher = config.getOptional(TrainOptions.TEACHER_CHECKPOINT).isPresent();
        long teacherSteps = givenTeacher ? 0 : config.get(OptimizationOptions.TEACHER_STEPS);
        long totalSteps = config.get(OptimizationOptions.TOTAL_STEPS);
        long scheduleSteps = totalSteps > 0 ? totalSteps : teacherSteps + OPEN_ENDED_STUDENT_STEPS;
        long warmupSteps = config.get(OptimizationOptions.WARMUP_STEPS);
        long longestWarmup =
                teacherSteps > 0
                        ? Math.min(teacherSteps, scheduleSteps - teacherSteps)
                        : scheduleSteps;
        if (warmupSteps > longestWarmup) {
            LOG.warn(
                    "optimization.warmup-steps is {} but each stage is only {} steps long or"
                            + " shorter; warming up over {} steps instead",
                    warmupSteps,
                    longestWarmup,
                    longestWarmup);
            warmupSteps = longestWarmup;
        }
        long seed = config.get(TrainOptions.SEED);
        return SaltTrainerConfig.builder()
                .setModelConfig(model)
                .optMaskConfigs(maskConfigs(config, model))
                .setBatchSize(config.get(OptimizationOptions.BATCH_SIZE))
                .setTeacherSteps(teacherSteps)
                .setTotalSteps(scheduleSteps)
                .optPeakLearningRate(config.get(OptimizationOptions.LR))
                .optFinalLearningRate(config.get(OptimizationOptions.FINAL_LR))
                .optWarmupSteps(warmupSteps)
                .optWeightDecay(
                        config.get(OptimizationOptions.WEIGHT_DECAY),
                        config.get(OptimizationOptions.FINAL_WEIGHT_DECAY))
                .optClipNorm(config.get(OptimizationOptions.CLIP_GRAD_NORM))
                .optMaskSeed(seed)
                .optInitSeed(seed)
                .build();
    }

    /**
     * Returns where snapshot parameters go: inline up to the default limit, above it into {@link
     * #SNAPSHOT_FOLDER} under {@code checkpoint.dir}.
     */
    public static SnapshotStorage snapshotStorage(ReadableConfig config) {
        String directory = FlinkSettings.checkpointDirectory(config) + "/" + SNAPSHOT_FOLDER;
        return SnapshotStorage.builder().optDirectory(directory).build();
    }

    /**
     * Returns the settings of the trainer operator.
     *
     * @throws IllegalArgumentException when the options give invalid settings
     */
    public static SaltTrainerSettings trainerSettings(ReadableConfig config) {
        SaltTrainerSettings.Builder settings =
                SaltTrainerSettings.builder()
                        .setTrainerConfig(trainerConfig(config))
                        .optJobName(config.get(JobOptions.NAME))
                        .optPolicy(
                                config.get(TrainOptions.POLICY) == TrainOptions.Policy.ALL
                                        ? TrainingPolicy.ALL
                                        : TrainingPolicy.LATEST)
                        .optBufferSize(config.get(TrainOptions.BUFFER_SIZE))
                        .optMetricsInterval(config.get(TrainOptions.METRICS_INTERVAL))
                        .optQualityInterval(config.get(TrainOptions.QUALITY_INTERVAL))
                        .optSnapshotInterval(config.get(TrainOptions.SNAPSHOT_INTERVAL))
                        .optMaxSteps(config.get(OptimizationOptions.TOTAL_STEPS))
                        .optDevice(deviceMode(config.get(TrainOptions.DEVICE)))
                        .optSnapshotStorage(snapshotStorage(config))
                        .optReservoirSize(config.get(QualityOptions.RESERVOIR_SIZE))
                        .optLidarClasses(config.get(QualityOptions.LIDAR_CLASSES))
                        .optLidarViews(config.get(QualityOptions.LIDAR_VIEWS))
                        .optKnnK(config.get(QualityOptions.KNN_K));
        config.getOptional(TrainOptions.TEACHER_CHECKPOINT)
                .ifPresent(settings::optTeacherCheckpoint);
        return settings.build();
    }

    /**
     * Returns the settings of the encoder operator.
     *
     * @param initialSnapshot encoder-only checkpoint to use before the first snapshot arrives, or
     *     {@code null} for {@code encode.initial-snapshot}
     */
    public static EncoderSettings encoderSettings(ReadableConfig config, String initialSnapshot) {
        EncoderSettings.Builder settings =
                EncoderSettings.builder()
                        .optBatchSize(config.get(EncodeOptions.BATCH_SIZE))
                        .optMaxDelay(config.get(EncodeOptions.MAX_DELAY))
                        .optDevice(deviceMode(config.get(EncodeOptions.DEVICE)));
        String snapshot =
                initialSnapshot != null
                        ? initialSnapshot
                        : config.getOptional(EncodeOptions.INITIAL_SNAPSHOT).orElse(null);
        if (snapshot != null) {
            settings.optInitialSnapshotPath(snapshot);
        }
        return settings.build();
    }

    /** Returns the dead-letter builder of every operator. */
    public static DeadLetters deadLetters(ReadableConfig config) {
        return DeadLetters.builder().optFramesTopic(config.get(TopicOptions.FRAMES)).build();
    }

    /** Returns the parse function: {@code data.max-frame-bytes} and the preset's input limits. */
    public static ParseFrame parseFrame(ReadableConfig config) {
        return ParseFrame.builder()
                .optMaxPayloadBytes((int) config.get(DataOptions.MAX_FRAME_BYTES).getBytes())
                .optDeadLetters(deadLetters(config))
                .build();
    }

    /** Returns the clip assembler: {@code data.clip-length}, {@code clip-stride}, gap policy. */
    public static ClipAssembler clipAssembler(ReadableConfig config) {
        int length = config.get(DataOptions.CLIP_LENGTH);
        return ClipAssembler.builder()
                .setClipLength(length)
                .optStride(config.getOptional(DataOptions.CLIP_STRIDE).orElse(length))
                .optGapPolicy(
                        config.get(DataOptions.GAP_POLICY) == DataOptions.GapPolicy.FLUSH
                                ? GapPolicy.FLUSH
                                : GapPolicy.DROP)
                .optDeadLetters(deadLetters(config))
                .build();
    }

    /**
     * Returns the preprocessing function for the preset's input: channels, height and width, and
     * the grey or ImageNet normalisation.
     *
     * @throws IllegalArgumentException when {@code data.clip-length} differs from the frames a
     *     video preset takes
     */
    public static Preprocess preprocess(ReadableConfig config) {
        VisionTransformerConfig encoder = modelConfig(config).getEncoder();
        int clipLength = config.get(DataOptions.CLIP_LENGTH);
        if (clipLength != encoder.getFrames()) {
            throw new IllegalArgumentException(
                    "invalid value: '"
                            + DataOptions.CLIP_LENGTH.key()
                            + "' ("
                            + clipLength
                            + ") must equal the "
                            + encoder.getFrames()
                            + " frames of preset '"
                            + config.get(ModelOptions.PRESET)
                            + "'; set data.clip-length: "
                            + encoder.getFrames());
        }
        boolean grey = encoder.getInputChannels() == 1;
        return Preprocess.builder()
                .setChannels(encoder.getInputChannels())
                .setHeight(encoder.getImageHeight())
                .setWidth(encoder.getImageWidth())
                .optMean(grey ? Preprocess.GREY_MEAN : Preprocess.IMAGENET_MEAN)
                .optStd(grey ? Preprocess.GREY_STD : Preprocess.IMAGENET_STD)
                .optDeadLetters(deadLetters(config))
                .build();
    }

    /** Returns the operator device mode of a device option. */
    static DeviceMode deviceMode(ComputeDevice device) {
        switch (device) {
            case CPU:
                return DeviceMode.CPU;
            case GPU:
                return DeviceMode.GPU;
            case AUTO:
            default:
                return DeviceMode.AUTO;
        }
    }
}
