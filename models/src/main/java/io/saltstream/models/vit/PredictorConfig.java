package io.saltstream.models.vit;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable size of a narrow transformer that predicts tokens at target positions from context
 * tokens: the latent {@link VisionTransformerPredictor} of Stage 2 and the {@link PixelDecoder} of
 * Stage 1 both have this shape.
 *
 * <p>Dp is the predictor's token width ({@link #getEmbedDim()}), usually narrower than the encoder
 * width D. The input and output widths come from the encoder config, not from here.
 */
@JsonAutoDetect(
        getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE,
        fieldVisibility = Visibility.NONE)
public final class PredictorConfig {

    private final int embedDim;
    private final int depth;
    private final int numHeads;
    private final double mlpRatio;
    private final double layerNormEps;

    private PredictorConfig(Builder builder) {
        this.embedDim = builder.embedDim;
        this.depth = builder.depth;
        this.numHeads = builder.numHeads;
        this.mlpRatio = builder.mlpRatio;
        this.layerNormEps = builder.layerNormEps;
    }

    /** Returns a builder with no required value set and the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder preset with every value of this config. */
    public Builder toBuilder() {
        return new Builder()
                .setEmbedDim(embedDim)
                .setDepth(depth)
                .setNumHeads(numHeads)
                .optMlpRatio(mlpRatio)
                .optLayerNormEps(layerNormEps);
    }

    /** Token width Dp inside the predictor. */
    @JsonProperty("embedDim")
    public int getEmbedDim() {
        return embedDim;
    }

    /** Number of transformer blocks. */
    @JsonProperty("depth")
    public int getDepth() {
        return depth;
    }

    /** Number of attention heads; divides Dp. */
    @JsonProperty("numHeads")
    public int getNumHeads() {
        return numHeads;
    }

    /** MLP hidden width as a multiple of Dp. */
    @JsonProperty("mlpRatio")
    public double getMlpRatio() {
        return mlpRatio;
    }

    /** ε of every LayerNorm. */
    @JsonProperty("layerNormEps")
    public double getLayerNormEps() {
        return layerNormEps;
    }

    /** MLP hidden width, ⌊Dp · mlpRatio⌋. */
    public int getMlpHiddenDim() {
        return VisionTransformerConfig.mlpHiddenDim(embedDim, mlpRatio);
    }

    /**
     * Computes the number of trainable parameters of a predictor of this size without building it:
     * the input projection (inputDim·Dp + Dp), the mask token (Dp), the blocks, the final LayerNorm
     * (2Dp) and the output projection (Dp·outputDim + outputDim). Positions are constants.
     *
     * @param inputDim width of the context tokens, the encoder's D
     * @param outputDim width of each prediction: D for the latent predictor, t·p·p·C for the pixel
     *     decoder
     */
    public long parameterCount(int inputDim, int outputDim) {
        long dp = embedDim;
        long in = (long) inputDim * dp + dp;
        long blocks = depth * VisionTransformerConfig.blockParameterCount(dp, getMlpHiddenDim());
        long out = dp * outputDim + outputDim;
        return in + dp + blocks + 2 * dp + out;
    }

    /** Writes this config as a JSON object with one key per field. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    /**
     * Reads a config written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, unknown or missing keys, or invalid
     *     values
     */
    public static PredictorConfig fromJson(String json) {
        return ConfigJson.read(json, PredictorConfig.class);
    }

    @JsonCreator
    static PredictorConfig fromJsonFields(
            @JsonProperty("embedDim") Integer embedDim,
            @JsonProperty("depth") Integer depth,
            @JsonProperty("numHeads") Integer numHeads,
            @JsonProperty("mlpRatio") Double mlpRatio,
            @JsonProperty("layerNormEps") Double layerNormEps) {
        Builder builder = builder();
        List<String> missing = new ArrayList<>();
        ConfigJson.required("embedDim", embedDim, builder::setEmbedDim, missing);
        ConfigJson.required("depth", depth, builder::setDepth, missing);
        ConfigJson.required("numHeads", numHeads, builder::setNumHeads, missing);
        ConfigJson.missingKeys("PredictorConfig", missing);
        if (mlpRatio != null) {
            builder.optMlpRatio(mlpRatio);
        }
        if (layerNormEps != null) {
            builder.optLayerNormEps(layerNormEps);
        }
        return builder.build();
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof PredictorConfig)) {
            return false;
        }
        PredictorConfig that = (PredictorConfig) other;
        return embedDim == that.embedDim
                && depth == that.depth
                && numHeads == that.numHeads
                && Double.compare(mlpRatio, that.mlpRatio) == 0
                && Double.compare(layerNormEps, that.layerNormEps) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(embedDim, depth, numHeads, mlpRatio, layerNormEps);
    }

    @Override
    public String toString() {
        return "PredictorConfig" + toJson();
    }

    /**
     * Builder for {@link PredictorConfig}. Required: embed dim, depth and number of heads.
     * Optional: MLP ratio (4) and LayerNorm ε (1e-6).
     */
    public static final class Builder {
        private static final int UNSET = VisionTransformerConfig.UNSET;

        private int embedDim = UNSET;
        private int depth = UNSET;
        private int numHeads = UNSET;
        private double mlpRatio = VisionTransformerConfig.DEFAULT_MLP_RATIO;
        private double layerNormEps = VisionTransformerConfig.DEFAULT_LAYER_NORM_EPS;

        private Builder() {}

        /** Sets the token width Dp; even and divisible by the number of heads. */
        public Builder setEmbedDim(int embedDim) {
            this.embedDim = embedDim;
            return this;
        }

        /** Sets the number of transformer blocks; 0 or more. */
        public Builder setDepth(int depth) {
            this.depth = depth;
            return this;
        }

        /** Sets the number of attention heads. */
        public Builder setNumHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        /** Sets the MLP hidden width as a multiple of Dp (default 4). */
        public Builder optMlpRatio(double mlpRatio) {
            this.mlpRatio = mlpRatio;
            return this;
        }

        /** Sets ε of every LayerNorm (default 1e-6). */
        public Builder optLayerNormEps(double layerNormEps) {
            this.layerNormEps = layerNormEps;
            return this;
        }

        /**
         * Validates every value and builds the config.
         *
         * @throws IllegalArgumentException listing every value that is missing or breaks a rule
         */
        public PredictorConfig build() {
            List<String> errors = new ArrayList<>();
            VisionTransformerConfig.requirePositive(errors, "embedDim", embedDim);
            VisionTransformerConfig.requirePositive(errors, "numHeads", numHeads);
            if (depth == UNSET) {
                errors.add("depth is missing: call setDepth");
            } else if (depth < 0) {
                errors.add("depth = " + depth + " must be at least 0");
            }
            if (errors.isEmpty()) {
                VisionTransformerConfig.requireDivisible(
                        errors, "embedDim", embedDim, "numHeads", numHeads);
                if (embedDim % 2 != 0) {
                    errors.add(
                            "embedDim = "
                                    + embedDim
                                    + " must be even, because the sine-cosine position embedding"
                                    + " pairs a sine and a cosine per frequency");
                }
            }
            VisionTransformerConfig.requirePositiveFinite(errors, "mlpRatio", mlpRatio);
            VisionTransformerConfig.requirePositiveFinite(errors, "layerNormEps", layerNormEps);
            if (errors.isEmpty() && VisionTransformerConfig.mlpHiddenDim(embedDim, mlpRatio) < 1) {
                errors.add(
                        "mlpRatio = "
                                + mlpRatio
                                + " gives an MLP hidden width of 0 for embedDim = "
                                + embedDim
                                + ": use a larger ratio");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid PredictorConfig: " + String.join("; ", errors));
            }
            return new PredictorConfig(this);
        }
    }
}
