package io.saltstream.models.vit;

/**
 * Latent predictor of SALT Stage 2 (the V-JEPA predictor): from the student's context tokens it
 * predicts the teacher's tokens at the target positions.
 *
 * <p>Dimensions: B batch, N tokens of the encoder grid, K context tokens, M target tokens, D
 * encoder width, Dp predictor width.
 *
 * <p>Input: {@code NDList(contextTokens [B, K, D], contextIndices [B, K], targetIndices [B, M])},
 * the student's output and the two index lists from the mask generator (int64, token indices in [0,
 * N)). Output: {@code NDList(predictions [B, M, D])}, row m the prediction for token {@code
 * targetIndices[b, m]}. The body is described in {@link MaskedTokenPredictor}; its children carry
 * the prefix {@code predictor}.
 */
public final class VisionTransformerPredictor extends MaskedTokenPredictor {

    private VisionTransformerPredictor(Builder builder) {
        super(
                "predictor",
                builder.encoderConfig,
                builder.predictorConfig,
                builder.encoderConfig.getEmbedDim(),
                builder.seed);
    }

    /** Returns a builder; encoder and predictor configs are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builder for {@link VisionTransformerPredictor}. Required: the encoder config (grid and D) and
     * the predictor config (Dp, depth, heads). Optional: the initialisation seed (0).
     */
    public static final class Builder {
        private VisionTransformerConfig encoderConfig;
        private PredictorConfig predictorConfig;
        private long seed;

        private Builder() {}

        /** Sets the config of the encoder whose tokens the predictor reads and predicts. */
        public Builder setEncoderConfig(VisionTransformerConfig encoderConfig) {
            this.encoderConfig = encoderConfig;
            return this;
        }

        /** Sets the predictor's own size. */
        public Builder setPredictorConfig(PredictorConfig predictorConfig) {
            this.predictorConfig = predictorConfig;
            return this;
        }

        /** Sets both configs from a model config (its encoder and predictor). */
        public Builder setModelConfig(SaltModelConfig modelConfig) {
            this.encoderConfig = modelConfig.getEncoder();
            this.predictorConfig = modelConfig.getPredictor();
            return this;
        }

        /** Sets the seed of the parameter initialisation (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the predictor.
         *
         * @throws IllegalArgumentException when a config is missing, or when the predictor width is
         *     too small for the grid's position embedding
         */
        public VisionTransformerPredictor build() {
            MissingConfigs.check(
                    "VisionTransformerPredictor",
                    encoderConfig,
                    predictorConfig,
                    "predictorConfig");
            return new VisionTransformerPredictor(this);
        }
    }
}
