package io.saltstream.pipeline.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the {@code optimization.*} section: batch size, step budget and the AdamW schedules.
 *
 * <p>The learning rate rises linearly from 0 to {@code lr} over {@code warmup-steps}, then follows
 * a cosine decay to {@code final-lr}; weight decay follows a cosine schedule from {@code
 * weight-decay} to {@code final-weight-decay}.
 */
public final class OptimizationOptions {

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("optimization.batch-size")
                    .intType()
                    .defaultValue(64)
                    .withDescription("Clips per training step.");

    public static final ConfigOption<Long> TEACHER_STEPS =
            ConfigOptions.key("optimization.teacher-steps")
                    .longType()
                    .defaultValue(500L)
                    .withDescription(
                            "Steps of stage 1 (masked pixel reconstruction) before the encoder is"
                                    + " frozen as the teacher. Skipped when"
                                    + " train.teacher-checkpoint is set.");

    public static final ConfigOption<Long> TOTAL_STEPS =
            ConfigOptions.key("optimization.total-steps")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "Training steps of both stages together after which the trainer"
                                    + " stops; 0 trains for as long as frames arrive.");

    public static final ConfigOption<Double> LR =
            ConfigOptions.key("optimization.lr")
                    .doubleType()
                    .defaultValue(1e-3)
                    .withDescription("Peak learning rate, reached at the end of the warm-up.");

    public static final ConfigOption<Long> WARMUP_STEPS =
            ConfigOptions.key("optimization.warmup-steps")
                    .longType()
                    .defaultValue(100L)
                    .withDescription("Steps of linear learning-rate warm-up from 0 to lr.");

    public static final ConfigOption<Double> FINAL_LR =
            ConfigOptions.key("optimization.final-lr")
                    .doubleType()
                    .defaultValue(1e-6)
                    .withDescription("Learning rate at the end of the cosine decay; at most lr.");

    public static final ConfigOption<Double> WEIGHT_DECAY =
            ConfigOptions.key("optimization.weight-decay")
                    .doubleType()
                    .defaultValue(0.04)
                    .withDescription("AdamW weight decay at the first step.");

    public static final ConfigOption<Double> FINAL_WEIGHT_DECAY =
            ConfigOptions.key("optimization.final-weight-decay")
                    .doubleType()
                    .defaultValue(0.4)
                    .withDescription("AdamW weight decay at the end of its cosine schedule.");

    public static final ConfigOption<Double> CLIP_GRAD_NORM =
            ConfigOptions.key("optimization.clip-grad-norm")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "Largest global L2 norm of the gradients; larger gradients are scaled"
                                    + " down to it. 0 disables clipping.");

    private OptimizationOptions() {}
}
