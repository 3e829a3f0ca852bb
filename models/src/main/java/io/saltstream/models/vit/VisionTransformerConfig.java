package io.saltstream.models.vit;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable size and input geometry of a {@link VisionTransformer} encoder.
 *
 * <p>Dimensions: C input channels, T frames, H×W pixels per frame, t×p×p the tubelet (t frames, p×p
 * pixels) that becomes one token, D the token width. The encoder cuts a clip into a grid of T′ × H′
 * × W′ = (T / t) × (H / p) × (W / p) tokens, N = T′·H′·W′ in total. Images are clips with T = 1 and
 * t = 1.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * VisionTransformerConfig config = VisionTransformerConfig.builder()
 *         .setInputChannels(1).setImageHeight(28).setImageWidth(28).setPatchSize(4)
 *         .setEmbedDim(128).setDepth(4).setNumHeads(4)
 *         .build();
 * String json = config.toJson();
 * VisionTransformerConfig same = VisionTransformerConfig.fromJson(json);
 * }</pre>
 *
 * <p>{@link #toJson()} writes every field under its getter's name (for example {@code "embedDim"});
 * {@link #fromJson(String)} rejects unknown keys and validates like {@link Builder#build()}.
 */
@JsonAutoDetect(
        getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE,
        fieldVisibility = Visibility.NONE)
public final class VisionTransformerConfig {

    /** Default MLP hidden width as a multiple of D. */
    public static final double DEFAULT_MLP_RATIO = 4.0;

    /** Default ε of every LayerNorm, as in the V-JEPA and MAE encoders. */
    public static final double DEFAULT_LAYER_NORM_EPS = 1e-6;

    /** Marks a required integer that the builder has not received. */
    static final int UNSET = Integer.MIN_VALUE;

    private final int inputChannels;
    private final int imageHeight;
    private final int imageWidth;
    private final int frames;
    private final int patchSize;
    private final int tubeletSize;
    private final int embedDim;
    private final int depth;
    private final int numHeads;
    private final double mlpRatio;
    private final double layerNormEps;

    private VisionTransformerConfig(Builder builder) {
        this.inputChannels = builder.inputChannels;
        this.imageHeight = builder.imageHeight;
        this.imageWidth = builder.imageWidth;
        this.frames = builder.frames;
        this.patchSize = builder.patchSize;
        this.tubeletSize = builder.tubeletSize;
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

    /** Returns a builder preset with every value of this config, to derive a variant. */
    public Builder toBuilder() {
        return new Builder()
                .setInputChannels(inputChannels)
                .setImageHeight(imageHeight)
                .setImageWidth(imageWidth)
                .optFrames(frames)
                .setPatchSize(patchSize)
                .optTubeletSize(tubeletSize)
                .setEmbedDim(embedDim)
                .setDepth(depth)
                .setNumHeads(numHeads)
                .optMlpRatio(mlpRatio)
                .optLayerNormEps(layerNormEps);
    }

    /** Number of input channels C, for example 3 for RGB and 1 for grey images. */
    @JsonProperty("inputChannels")
    public int getInputChannels() {
        return inputChannels;
    }

    /** Frame height H in pixels. */
    @JsonProperty("imageHeight")
    public int getImageHeight() {
        return imageHeight;
    }

    /** Frame width W in pixels. */
    @JsonProperty("imageWidth")
    public int getImageWidth() {
        return imageWidth;
    }

    /** Frames per clip T; 1 for images. */
    @JsonProperty("frames")
    public int getFrames() {
        return frames;
    }

    /** Side p of the square patch in pixels. */
    @JsonProperty("patchSize")
    public int getPatchSize() {
        return patchSize;
    }

    /** Frames t per tubelet; 1 for images. */
    @JsonProperty("tubeletSize")
    public int getTubeletSize() {
        return tubeletSize;
    }

    /** Token width D. */
    @JsonProperty("embedDim")
    public int getEmbedDim() {
        return embedDim;
    }

    /** Number of transformer blocks; 0 gives patch embedding, positions and the final norm only. */
    @JsonProperty("depth")
    public int getDepth() {
        return depth;
    }

    /** Number of attention heads; divides D. */
    @JsonProperty("numHeads")
    public int getNumHeads() {
        return numHeads;
    }

    /** MLP hidden width as a multiple of D. */
    @JsonProperty("mlpRatio")
    public double getMlpRatio() {
        return mlpRatio;
    }

    /** ε of every LayerNorm. */
    @JsonProperty("layerNormEps")
    public double getLayerNormEps() {
        return layerNormEps;
    }

    /** Token grid depth T′ = T / t. */
    public int getGridFrames() {
        return frames / tubeletSize;
    }

    /** Token grid height H′ = H / p. */
    public int getGridHeight() {
        return imageHeight / patchSize;
    }

    /** Token grid width W′ = W / p. */
    public int getGridWidth() {
        return imageWidth / patchSize;
    }

    /** Number of tokens N = T′·H′·W′ of a full clip. */
    public int getNumPatches() {
        return getGridFrames() * getGridHeight() * getGridWidth();
    }

    /** Pixel values per token, t·p·p·C: the output width of the {@link PixelDecoder}. */
    public int getPatchVolume() {
        return tubeletSize * patchSize * patchSize * inputChannels;
    }

    /** MLP hidden width, ⌊D · mlpRatio⌋. */
    public int getMlpHiddenDim() {
        return mlpHiddenDim(embedDim, mlpRatio);
    }

    /**
     * Returns whether the encoder takes clips [B, C, T, H, W] (true, T &gt; 1, Conv3d patch
     * embedding) or images [B, C, H, W] (false, T = 1, Conv2d patch embedding).
     */
    public boolean isVideo() {
        return frames > 1;
    }

    /**
     * Returns the input shape for a batch: [B, C, T, H, W] for video, [B, C, H, W] for images.
     *
     * @param batchSize B, at least 1
     */
    public Shape inputShape(long batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException(
                    "batchSize = " + batchSize + " is invalid: expected at least 1");
        }
        return isVideo()
                ? new Shape(batchSize, inputChannels, frames, imageHeight, imageWidth)
                : new Shape(batchSize, inputChannels, imageHeight, imageWidth);
    }

    /**
     * Computes the number of trainable parameters of the encoder without building it.
     *
     * <p>Counted: the patch embedding (a D × C·t·p·p weight plus a D bias), per block two
     * LayerNorms (2·2D), the fused query/key/value projection (3D² + 3D), the attention output
     * projection (D² + D), the MLP (D·h + h + h·D + D with h = {@link #getMlpHiddenDim()}), and the
     * final LayerNorm (2D). Not counted because this encoder has none: a class token, learned
     * position embeddings and a classifier head. The sine-cosine positions are constants.
     */
    public long encoderParameterCount() {
        long d = embedDim;
        long patchEmbedding = d * getPatchVolume() + d;
        return patchEmbedding + depth * blockParameterCount(embedDim, getMlpHiddenDim()) + 2 * d;
    }

    /**
     * Computes the trainable parameters of one pre-LayerNorm {@link TransformerBlock} of width
     * {@code dim} and MLP hidden width {@code hidden}.
     */
    static long blockParameterCount(long dim, long hidden) {
        long norms = 2 * 2 * dim;
        long attention = 3 * dim * dim + 3 * dim + dim * dim + dim;
        long mlp = dim * hidden + hidden + hidden * dim + dim;
        return norms + attention + mlp;
    }

    static int mlpHiddenDim(int dim, double ratio) {
        return (int) Math.floor(dim * ratio);
    }

    /** Writes this config as a JSON object with one key per field. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    /**
     * Reads a config written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException when the text is not JSON, contains an unknown key, misses a
     *     required key or breaks a rule of {@link Builder#build()}
     */
    public static VisionTransformerConfig fromJson(String json) {
        return ConfigJson.read(json, VisionTransformerConfig.class);
    }

    @JsonCreator
    static VisionTransformerConfig fromJsonFields(
            @JsonProperty("inputChannels") Integer inputChannels,
            @JsonProperty("imageHeight") Integer imageHeight,
            @JsonProperty("imageWidth") Integer imageWidth,
            @JsonProperty("frames") Integer frames,
            @JsonProperty("patchSize") Integer patchSize,
            @JsonProperty("tubeletSize") Integer tubeletSize,
            @JsonProperty("embedDim") Integer embedDim,
            @JsonProperty("depth") Integer depth,
            @JsonProperty("numHeads") Integer numHeads,
            @JsonProperty("mlpRatio") Double mlpRatio,
            @JsonProperty("layerNormEps") Double layerNormEps) {
        Builder builder = builder();
        List<String> missing = new ArrayList<>();
        ConfigJson.required("inputChannels", inputChannels, builder::setInputChannels, missing);
        ConfigJson.required("imageHeight", imageHeight, builder::setImageHeight, missing);
        ConfigJson.required("imageWidth", imageWidth, builder::setImageWidth, missing);
        ConfigJson.required("patchSize", patchSize, builder::setPatchSize, missing);
        ConfigJson.required("embedDim", embedDim, builder::setEmbedDim, missing);
        ConfigJson.required("depth", depth, builder::setDepth, missing);
        ConfigJson.required("numHeads", numHeads, builder::setNumHeads, missing);
        ConfigJson.missingKeys("VisionTransformerConfig", missing);
        if (frames != null) {
            builder.optFrames(frames);
        }
        if (tubeletSize != null) {
            builder.optTubeletSize(tubeletSize);
        }
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
        if (!(other instanceof VisionTransformerConfig)) {
            return false;
        }
        VisionTransformerConfig that = (VisionTransformerConfig) other;
        return inputChannels == that.inputChannels
                && imageHeight == that.imageHeight
                && imageWidth == that.imageWidth
                && frames == that.frames
                && patchSize == that.patchSize
                && tubeletSize == that.tubeletSize
                && embedDim == that.embedDim
                && depth == that.depth
                && numHeads == that.numHeads
                && Double.compare(mlpRatio, that.mlpRatio) == 0
                && Double.compare(layerNormEps, that.layerNormEps) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                inputChannels,
                imageHeight,
                imageWidth,
                frames,
                patchSize,
                tubeletSize,
                embedDim,
                depth,
                numHeads,
                mlpRatio,
                layerNormEps);
    }

    @Override
    public String toString() {
        return "VisionTransformerConfig" + toJson();
    }

    /**
     * Builder for {@link VisionTransformerConfig}. Required: input channels, image height and
     * width, patch size, embed dim, depth and number of heads. Optional: frames (1), tubelet size
     * (1), MLP ratio ({@value #DEFAULT_MLP_RATIO}) and LayerNorm ε ({@value
     * #DEFAULT_LAYER_NORM_EPS}).
     */
    public static final class Builder {
        private int inputChannels = UNSET;
        private int imageHeight = UNSET;
        private int imageWidth = UNSET;
        private int frames = 1;
        private int patchSize = UNSET;
        private int tubeletSize = 1;
        private int embedDim = UNSET;
        private int depth = UNSET;
        private int numHeads = UNSET;
        private double mlpRatio = DEFAULT_MLP_RATIO;
        private double layerNormEps = DEFAULT_LAYER_NORM_EPS;

        private Builder() {}

        /** Sets the number of input channels C. */
        public Builder setInputChannels(int inputChannels) {
            this.inputChannels = inputChannels;
            return this;
        }

        /** Sets the frame height H in pixels; a multiple of the patch size. */
        public Builder setImageHeight(int imageHeight) {
            this.imageHeight = imageHeight;
            return this;
        }

        /** Sets the frame width W in pixels; a multiple of the patch size. */
        public Builder setImageWidth(int imageWidth) {
            this.imageWidth = imageWidth;
            return this;
        }

        /** Sets the frames per clip T (default 1, an image); a multiple of the tubelet size. */
        public Builder optFrames(int frames) {
            this.frames = frames;
            return this;
        }

        /** Sets the patch side p in pixels. */
        public Builder setPatchSize(int patchSize) {
            this.patchSize = patchSize;
            return this;
        }

        /** Sets the frames t per tubelet (default 1). */
        public Builder optTubeletSize(int tubeletSize) {
            this.tubeletSize = tubeletSize;
            return this;
        }

        /** Sets the token width D; even and divisible by the number of heads. */
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

        /** Sets the MLP hidden width as a multiple of D (default {@value #DEFAULT_MLP_RATIO}). */
        public Builder optMlpRatio(double mlpRatio) {
            this.mlpRatio = mlpRatio;
            return this;
        }

        /** Sets ε of every LayerNorm (default {@value #DEFAULT_LAYER_NORM_EPS}). */
        public Builder optLayerNormEps(double layerNormEps) {
            this.layerNormEps = layerNormEps;
            return this;
        }

        /**
         * Validates every value and builds the config.
         *
         * @throws IllegalArgumentException listing every value that is missing or breaks a rule,
         *     each with its name, its value and the rule
         */
        public VisionTransformerConfig build() {
            List<String> errors = new ArrayList<>();
            requirePositive(errors, "inputChannels", inputChannels);
            requirePositive(errors, "imageHeight", imageHeight);
            requirePositive(errors, "imageWidth", imageWidth);
            requirePositive(errors, "frames", frames);
            requirePositive(errors, "patchSize", patchSize);
            requirePositive(errors, "tubeletSize", tubeletSize);
            requirePositive(errors, "embedDim", embedDim);
            requirePositive(errors, "numHeads", numHeads);
            if (depth == UNSET) {
                errors.add("depth is missing: call setDepth");
            } else if (depth < 0) {
                errors.add("depth = " + depth + " must be at least 0");
            }
            if (errors.isEmpty()) {
                requireDivisible(errors, "imageHeight", imageHeight, "patchSize", patchSize);
                requireDivisible(errors, "imageWidth", imageWidth, "patchSize", patchSize);
                requireDivisible(errors, "frames", frames, "tubeletSize", tubeletSize);
                requireDivisible(errors, "embedDim", embedDim, "numHeads", numHeads);
                int minimumDim = frames / tubeletSize > 1 ? 6 : 4;
                if (embedDim % 2 != 0 || embedDim < minimumDim) {
                    errors.add(
                            "embedDim = "
                                    + embedDim
                                    + " must be even and at least "
                                    + minimumDim
                                    + ", because the sine-cosine position embedding gives each"
                                    + " grid axis a sine and a cosine channel");
                }
            }
            requirePositiveFinite(errors, "mlpRatio", mlpRatio);
            requirePositiveFinite(errors, "layerNormEps", layerNormEps);
            if (errors.isEmpty() && mlpHiddenDim(embedDim, mlpRatio) < 1) {
                errors.add(
                        "mlpRatio = "
                                + mlpRatio
                                + " gives an MLP hidden width of 0 for embedDim = "
                                + embedDim
                                + ": use a larger ratio");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid VisionTransformerConfig: " + String.join("; ", errors));
            }
            return new VisionTransformerConfig(this);
        }
    }

    static void requirePositive(List<String> errors, String name, int value) {
        if (value == UNSET) {
            errors.add(name + " is missing: call set" + capitalize(name));
        } else if (value < 1) {
            errors.add(name + " = " + value + " must be at least 1");
        }
    }

    static void requireDivisible(
            List<String> errors, String name, int value, String divisorName, int divisor) {
        if (value % divisor != 0) {
            errors.add(
                    name
                            + " = "
                            + value
                            + " must be divisible by "
                            + divisorName
                            + " = "
                            + divisor);
        }
    }

    static void requirePositiveFinite(List<String> errors, String name, double value) {
        if (!(value > 0.0) || !Double.isFinite(value)) {
            errors.add(name + " = " + value + " must be finite and > 0");
        }
    }

    private static String capitalize(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
