package io.saltstream.pipeline.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Options of the {@code mask.*} section: one V-JEPA multi-block mask configuration. The target of a
 * sample is the union of {@code num-blocks} blocks; the context is every other token.
 *
 * <p>Ranges are written "min,max" (or as a YAML list {@code [min, max]}); a single number stands
 * for min = max. {@link #range} reads one as a {@link ValueRange}. The defaults are the image
 * defaults (4 target blocks at scale [0.15, 0.2]).
 */
public final class MaskOptions {

    public static final ConfigOption<Integer> NUM_BLOCKS =
            ConfigOptions.key("mask.num-blocks")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Number of target blocks drawn per sample.");

    public static final ConfigOption<String> SPATIAL_SCALE =
            ConfigOptions.key("mask.spatial-scale")
                    .stringType()
                    .defaultValue("0.15,0.2")
                    .withDescription(
                            "Range \"min,max\" of the fraction of the spatial token grid one block"
                                    + " covers, each in (0, 1].");

    public static final ConfigOption<String> ASPECT_RATIO =
            ConfigOptions.key("mask.aspect-ratio")
                    .stringType()
                    .defaultValue("0.75,1.5")
                    .withDescription(
                            "Range \"min,max\" of a block's height-to-width ratio, each above 0.");

    public static final ConfigOption<String> TEMPORAL_SCALE =
            ConfigOptions.key("mask.temporal-scale")
                    .stringType()
                    .defaultValue("1.0,1.0")
                    .withDescription(
                            "Range \"min,max\" of the fraction of the clip's time steps one block"
                                    + " spans, each in (0, 1]; 1.0 makes tubes through the whole"
                                    + " clip.");

    private MaskOptions() {}

    /**
     * Reads a range option.
     *
     * @throws IllegalArgumentException when the value is not one or two numbers, or min > max
     */
    public static ValueRange range(ReadableConfig config, ConfigOption<String> option) {
        return ValueRange.parse(option.key(), config.get(option));
    }
}
