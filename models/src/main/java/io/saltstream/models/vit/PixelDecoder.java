package io.saltstream.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Pixel decoder of SALT Stage 1 (MAE-style reconstruction): from the teacher's context tokens it
 * predicts the normalised pixels of each target patch.
 *
 * <p>Dimensions: B batch, C channels, T frames, H×W pixels, t×p×p the tubelet, N tokens of the
 * grid, K context tokens, M target tokens, D encoder width, P = t·p·p·C pixel values per token.
 *
 * <p>Input: {@code NDList(contextTokens [B, K, D], contextIndices [B, K], targetIndices [B, M])}.
 * Output: {@code NDList(pixels [B, M, P])}, row m the prediction for token {@code targetIndices[b,
 * m]}, in the layout of {@link #patchify}. The body is described in {@link MaskedTokenPredictor};
 * its children carry the prefix {@code decoder}.
 *
 * <p>The Stage-1 loss is the mean squared error between the output and {@link
 * #normalizedPixelTargets} gathered at the same target indices with {@link Tokens#gather}.
 */
public final class PixelDecoder extends MaskedTokenPredictor {

    /** ε added to each patch's variance before the square root. */
    public static final double NORMALIZATION_EPS = 1e-6;

    private PixelDecoder(Builder builder) {
        super(
                "decoder",
                builder.encoderConfig,
                builder.decoderConfig,
                builder.encoderConfig.getPatchVolume(),
                builder.seed);
    }

    /** Returns a builder; encoder and decoder configs are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Cuts images or clips into patch vectors, in the token order of {@link VisionTransformer}.
     *
     * <p>Token n = (t′·H′ + h′)·W′ + w′ contains the pixels of tubelet (t′, h′, w′). Inside a token
     * the P = t·p·p·C values are ordered frame, row, column, channel (channel fastest), as in MAE.
     *
     * @param x [B, C, H, W] for an image config, [B, C, T, H, W] for a video config ([B, C, 1, H,
     *     W] is also accepted for images)
     * @param config the encoder geometry
     * @return [B, N, P]
     * @throws IllegalArgumentException when the shape of {@code x} does not match the config
     */
    public static NDArray patchify(NDArray x, VisionTransformerConfig config) {
        Shape shape = x.getShape();
        long batch = shape.dimension() > 0 ? shape.get(0) : 0;
        int channels = config.getInputChannels();
        int patch = config.getPatchSize();
        int tubelet = config.getTubeletSize();
        int gridFrames = config.getGridFrames();
        int gridHeight = config.getGridHeight();
        int gridWidth = config.getGridWidth();
        boolean matches =
                batch > 0
                        && (shape.equals(config.inputShape(batch))
                                || shape.equals(
                                        new Shape(
                                                batch,
                                                channels,
                                                config.getFrames(),
                                                config.getImageHeight(),
                                                config.getImageWidth())));
        if (!matches) {
            throw new IllegalArgumentException(
                    "patchify expects x of shape "
                            + config.inputShape(1).slice(1)
                            + " after the batch axis, got "
                            + shape);
        }
        // [B, C, (T,) H, W] -> [B, C, T', t, H', p, W', p]
        NDArray split =
                x.reshape(
                        batch, channels, gridFrames, tubelet, gridHeight, patch, gridWidth, patch);
        // -> [B, T', H', W', t, p, p, C] -> [B, N, P]
        return split.transpose(0, 2, 4, 6, 3, 5, 7, 1)
                .reshape(batch, config.getNumPatches(), config.getPatchVolume());
    }

    /**
     * Computes the Stage-1 reconstruction targets: {@link #patchify} followed by per-patch
     * normalisation, each patch vector v mapped to (v − mean(v)) / √(var(v) + {@value
     * #NORMALIZATION_EPS}).
     *
     * <p>var is the population variance (divided by P). MAE divides by P − 1; the two differ by the
     * factor √(P / (P − 1)), under 4 % for P ≥ 16.
     *
     * @param x [B, C, H, W] or [B, C, T, H, W] as for {@link #patchify}
     * @return [B, N, P]
     */
    public static NDArray normalizedPixelTargets(NDArray x, VisionTransformerConfig config) {
        NDArray patches = patchify(x, config);
        // [B, N, P] -> [B, N, 1]
        NDArray mean = patches.mean(new int[] {2}, true);
        NDArray centred = patches.sub(mean);
        NDArray variance = centred.square().mean(new int[] {2}, true);
        return centred.div(variance.add(NORMALIZATION_EPS).sqrt());
    }

    /**
     * Builder for {@link PixelDecoder}. Required: the encoder config (grid, D and P) and the
     * decoder config (Dp, depth, heads). Optional: the initialisation seed (0).
     */
    public static final class Builder {
        private VisionTransformerConfig encoderConfig;
        private PredictorConfig decoderConfig;
        private long seed;

        private Builder() {}

        /** Sets the config of the encoder whose tokens the decoder reads. */
        public Builder setEncoderConfig(VisionTransformerConfig encoderConfig) {
            this.encoderConfig = encoderConfig;
            return this;
        }

        /** Sets the decoder's own size. */
        public Builder setDecoderConfig(PredictorConfig decoderConfig) {
            this.decoderConfig = decoderConfig;
            return this;
        }

        /** Sets both configs from a model config (its encoder and decoder). */
        public Builder setModelConfig(SaltModelConfig modelConfig) {
            this.encoderConfig = modelConfig.getEncoder();
            this.decoderConfig = modelConfig.getDecoder();
            return this;
        }

        /** Sets the seed of the parameter initialisation (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the decoder.
         *
         * @throws IllegalArgumentException when a config is missing, or when the decoder width is
         *     too small for the grid's position embedding
         */
        public PixelDecoder build() {
            MissingConfigs.check("PixelDecoder", encoderConfig, decoderConfig, "decoderConfig");
            return new PixelDecoder(this);
        }
    }
}
