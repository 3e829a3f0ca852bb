package io.saltstream.pipeline.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the {@code model.*} section: the architecture preset and predictor overrides. */
public final class ModelOptions {

    public static final ConfigOption<String> PRESET =
            ConfigOptions.key("model.preset")
                    .stringType()
                    .defaultValue("image-28")
                    .withDescription(
                            "Architecture preset: image-28 (28x28x1 images, patch 4), video-64"
                                    + " (16x64x64x3 clips, tubelet 2x8x8), vit-tiny, vit-small,"
                                    + " vit-base or vit-large (224 px, 16 frames). It also fixes"
                                    + " the input height, width and channels.");

    public static final ConfigOption<Integer> PRED_DEPTH =
            ConfigOptions.key("model.pred-depth")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Number of predictor blocks. Unset keeps the preset's value.");

    public static final ConfigOption<Integer> PRED_EMBED_DIM =
            ConfigOptions.key("model.pred-embed-dim")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Token width inside the predictor. Unset keeps the preset's value.");

    private ModelOptions() {}
}
