package io.saltstream.pipeline.config;

import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the {@code train.*} section: the trainer operator. */
public final class TrainOptions {

    /** Policy of the trainer for clips that arrive faster than it trains. */
    public enum Policy {
        /** Train on every clip and backpressure the source; for replaying a topic. */
        ALL,
        /** Keep the newest buffer-size clips and count the ones dropped; for live streams. */
        LATEST;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final ConfigOption<Policy> POLICY =
            ConfigOptions.key("train.policy")
                    .enumType(Policy.class)
                    .defaultValue(Policy.ALL)
                    .withDescription(
                            "all trains on every clip and slows the source down; latest trains on"
                                    + " the newest clips and drops the rest.");

    public static final ConfigOption<Integer> BUFFER_SIZE =
            ConfigOptions.key("train.buffer-size")
                    .intType()
                    .defaultValue(256)
                    .withDescription("Clips the latest policy keeps waiting for training.");

    public static final ConfigOption<Long> SNAPSHOT_INTERVAL =
            ConfigOptions.key("train.snapshot-interval")
                    .longType()
                    .defaultValue(100L)
                    .withDescription(
                            "Training steps between two ModelSnapshots sent to the encoders and"
                                    + " the models topic.");

    public static final ConfigOption<Long> METRICS_INTERVAL =
            ConfigOptions.key("train.metrics-interval")
                    .longType()
                    .defaultValue(10L)
                    .withDescription("Training steps between two TrainingMetrics records.");

    public static final ConfigOption<Long> QUALITY_INTERVAL =
            ConfigOptions.key("train.quality-interval")
                    .longType()
                    .defaultValue(200L)
                    .withDescription(
                            "Training steps between two computations of RankMe, LiDAR and kNN"
                                    + " accuracy; 0 turns them off.");

    public static final ConfigOption<String> TEACHER_CHECKPOINT =
            ConfigOptions.key("train.teacher-checkpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Checkpoint file of a trained stage-1 encoder (a local path or Flink"
                                    + " file system URI). When set, stage 1 is skipped and this"
                                    + " encoder is the frozen teacher.");

    public static final ConfigOption<ComputeDevice> DEVICE =
            ConfigOptions.key("train.device")
                    .enumType(ComputeDevice.class)
                    .defaultValue(ComputeDevice.AUTO)
                    .withDescription(
                            "Device of the trainer: auto uses the GPU Flink assigns when there is"
                                    + " one, cpu or gpu force it.");

    public static final ConfigOption<Long> SEED =
            ConfigOptions.key("train.seed")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "Seed of parameter initialisation and mask sampling; the same seed"
                                    + " and input replay the same training.");

    private TrainOptions() {}
}
