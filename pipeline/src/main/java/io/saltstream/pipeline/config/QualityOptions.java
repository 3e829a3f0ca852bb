package io.saltstream.pipeline.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the {@code quality.*} section: label-free and label-based representation metrics. */
public final class QualityOptions {

    public static final ConfigOption<Integer> RESERVOIR_SIZE =
            ConfigOptions.key("quality.reservoir-size")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Held-out clips kept in a uniform reservoir sample for RankMe, LiDAR"
                                    + " and kNN accuracy. The reservoir is operator state, so it"
                                    + " adds its clips to every checkpoint (256 video-64 clips"
                                    + " are about 200 MB).");

    public static final ConfigOption<Integer> LIDAR_CLASSES =
            ConfigOptions.key("quality.lidar-classes")
                    .intType()
                    .defaultValue(32)
                    .withDescription("LiDAR surrogate classes n: distinct clips per computation.");

    public static final ConfigOption<Integer> LIDAR_VIEWS =
            ConfigOptions.key("quality.lidar-views")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "LiDAR views q per surrogate class: differently masked copies of a"
                                    + " clip.");

    public static final ConfigOption<Integer> KNN_K =
            ConfigOptions.key("quality.knn-k")
                    .intType()
                    .defaultValue(20)
                    .withDescription(
                            "Neighbours k of the kNN accuracy (cosine similarity, similarity-"
                                    + "weighted votes), computed when frames carry labels.");

    private QualityOptions() {}
}
