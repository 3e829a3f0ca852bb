package io.saltstream.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Vision transformer encoder: patch embedding, fixed sine-cosine positions, pre-LayerNorm blocks,
 * final LayerNorm. No class token.
 *
 * <p>Dimensions:
 *
 * <ul>
 *   <li>B batch, C channels, T frames, H×W pixels per frame (the input);
 *   <li>t×p×p the tubelet, T′ × H′ × W′ = (T/t) × (H/p) × (W/p) the token grid;
 *   <li>N = T′·H′·W′ tokens of the full grid, K context tokens kept per sample, D token width.
 * </ul>
 *
 * <p>Inputs of {@code forward}:
 *
 * <ul>
 *   <li>{@code NDList(x)}: encode every token; output [B, N, D]. This is the teacher's and the
 *       encode job's call.
 *   <li>{@code NDList(x, contextIndices)}: embed every patch, add positions, then keep only the
 *       tokens listed in {@code contextIndices} [B, K] (int64, each row a list of token indices in
 *       [0, N), typically sorted) before the blocks; output [B, K, D], row k the token {@code
 *       contextIndices[b, k]}. This is the student's call. Indices list tokens to keep.
 * </ul>
 *
 * <p>{@code x} is [B, C, H, W] for an image config ({@link VisionTransformerConfig#isVideo()}
 * false; [B, C, 1, H, W] is also accepted) and [B, C, T, H, W] for a video config. The patch
 * embedding is a Conv2d (kernel and stride p) or a Conv3d (kernel and stride t×p×p). Token n is the
 * patch at grid position (t, h, w) with n = (t·H′ + h)·W′ + w: time-major, then rows, then columns,
 * the order in which the convolution output [B, D, T′, H′, W′] flattens.
 *
 * <p>Parameters start from a seeded truncated normal (see {@link Builder#optSeed(long)}), so two
 * encoders built with the same config and seed are equal after {@code initialize}.
 */
public final class VisionTransformer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final VisionTransformerConfig config;
    private final long seed;
    private final Convolution patchEmbedding;
    private final List<TransformerBlock> blocks;
    private final LayerNorm norm;
    private final PositionTable positions;

    private VisionTransformer(Builder builder) {
        super(VERSION);
        this.config = builder.config;
        this.seed = builder.seed;
        int patch = config.getPatchSize();
        Convolution embedding;
        if (config.isVideo()) {
            embedding =
                    Conv3d.builder()
                            .setKernelShape(new Shape(config.getTubeletSize(), patch, patch))
                            .optStride(new Shape(config.getTubeletSize(), patch, patch))
                            .setFilters(config.getEmbedDim())
                            .build();
        } else {
            embedding =
                    Conv2d.builder()
                            .setKernelShape(new Shape(patch, patch))
                            .optStride(new Shape(patch, patch))
                            .setFilters(config.getEmbedDim())
                            .build();
        }
        patchEmbedding = addChildBlock("patchEmbedding", embedding);
        List<TransformerBlock> list = new ArrayList<>();
        for (int i = 0; i < config.getDepth(); i++) {
            TransformerBlock block =
                    TransformerBlock.builder()
                            .setEmbedDim(config.getEmbedDim())
                            .setNumHeads(config.getNumHeads())
                            .optMlpHiddenDim(config.getMlpHiddenDim())
                            .optLayerNormEps(config.getLayerNormEps())
                            .build();
            list.add(addChildBlock("block" + i, block));
        }
        blocks = Collections.unmodifiableList(list);
        norm = addChildBlock("norm", TransformerBlock.layerNorm((float) config.getLayerNormEps()));
        positions =
                new PositionTable(
                        PositionEmbeddings.forGrid(
                                config.getEmbedDim(),
                                config.getGridFrames(),
                                config.getGridHeight(),
                                config.getGridWidth()),
                        config.getNumPatches(),
                        config.getEmbedDim());
        SeededInitialization.apply(this, seed);
    }

    /** Returns a builder; the config is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The encoder's size and input geometry. */
    public VisionTransformerConfig getConfig() {
        return config;
    }

    /** Seed of the parameter initialisation. */
    public long getSeed() {
        return seed;
    }

    /**
     * Returns the fixed position embeddings as a row-major float[N·D] copy, row n for token n. They
     * are constants, not parameters: no gradient reaches them.
     */
    public float[] getPositionEmbeddings() {
        return positions.getValues();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        if (inputs.isEmpty() || inputs.size() > 2) {
            throw new IllegalArgumentException(
                    "VisionTransformer expects NDList(x) or NDList(x, contextIndices), got "
                            + inputs.size()
                            + " arrays");
        }
        NDArray tokens = embedPatches(parameterStore, inputs.get(0), training);
        // [B, N, D] + [1, N, D]
        tokens = tokens.add(positions.get(anchor(), tokens.getDevice()));
        if (inputs.size() == 2) {
            checkIndices(inputs.get(1), tokens.getShape().get(0));
            // [B, N, D] -> [B, K, D]
            tokens = Tokens.gather(tokens, inputs.get(1));
        }
        for (TransformerBlock block : blocks) {
            tokens = TransformerBlock.forwardChild(block, parameterStore, tokens, training);
        }
        return new NDList(TransformerBlock.forwardChild(norm, parameterStore, tokens, training));
    }

    /**
     * Applies the patch embedding only: [B, C, (T,) H, W] → [B, N, D], without positions. Package
     * private for tests of the token order.
     */
    NDArray embedPatches(ParameterStore parameterStore, NDArray x, boolean training) {
        NDArray input = checkInput(x);
        NDArray embedded =
                TransformerBlock.forwardChild(patchEmbedding, parameterStore, input, training);
        long batch = embedded.getShape().get(0);
        // [B, D, T', H', W'] or [B, D, H', W'] -> [B, D, N] -> [B, N, D]
        return embedded.reshape(batch, config.getEmbedDim(), config.getNumPatches())
                .transpose(0, 2, 1);
    }

    private NDArray checkInput(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() > 0 && shape.get(0) > 0) {
            long batch = shape.get(0);
            if (shape.equals(config.inputShape(batch))) {
                return x;
            }
            Shape singleFrame =
                    new Shape(
                            batch,
                            config.getInputChannels(),
                            1,
                            config.getImageHeight(),
                            config.getImageWidth());
            if (!config.isVideo() && shape.equals(singleFrame)) {
                // [B, C, 1, H, W] -> [B, C, H, W]
                return x.squeeze(2);
            }
        }
        throw new IllegalArgumentException(
                "VisionTransformer expects x of shape "
                        + describeExpected()
                        + ", got "
                        + shape
                        + ": resize the input or use a config that matches it");
    }

    private String describeExpected() {
        return config.isVideo()
                ? "[B, C="
                        + config.getInputChannels()
                        + ", T="
                        + config.getFrames()
                        + ", H="
                        + config.getImageHeight()
                        + ", W="
                        + config.getImageWidth()
                        + "]"
                : "[B, C="
                        + config.getInputChannels()
                        + ", H="
                        + config.getImageHeight()
                        + ", W="
                        + config.getImageWidth()
                        + "]";
    }

    private static void checkIndices(NDArray indices, long batch) {
        Shape shape = indices.getShape();
        if (shape.dimension() != 2 || shape.get(0) != batch) {
            throw new IllegalArgumentException(
                    "contextIndices must be [B, K] with B = " + batch + ", got " + shape);
        }
    }

    private Parameter anchor() {
        return patchEmbedding.getDirectParameters().valueAt(0);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        long tokens = inputShapes.length > 1 ? inputShapes[1].get(1) : config.getNumPatches();
        return new Shape[] {new Shape(batch, tokens, config.getEmbedDim())};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape input = inputShapes[0];
        if (!config.isVideo() && input.dimension() == 5) {
            input = config.inputShape(input.get(0));
        }
        patchEmbedding.initialize(manager, dataType, input);
        positions.get(anchor(), manager.getDevice());
        Shape tokens = new Shape(input.get(0), config.getNumPatches(), config.getEmbedDim());
        for (TransformerBlock block : blocks) {
            block.initialize(manager, dataType, tokens);
        }
        norm.initialize(manager, dataType, tokens);
    }

    /**
     * Builder for {@link VisionTransformer}. Required: the config. Optional: the initialisation
     * seed (0).
     *
     * <pre>{@code
     * VisionTransformer encoder = VisionTransformer.builder()
     *         .setConfig(VisionTransformerPresets.image28().getEncoder())
     *         .optSeed(42)
     *         .build();
     * encoder.initialize(manager, DataType.FLOAT32, encoder.getConfig().inputShape(1));
     * }</pre>
     */
    public static final class Builder {
        private VisionTransformerConfig config;
        private long seed;

        private Builder() {}

        /** Sets the encoder's size and input geometry. */
        public Builder setConfig(VisionTransformerConfig config) {
            this.config = config;
            return this;
        }

        /** Sets the seed of the parameter initialisation (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the encoder.
         *
         * @throws IllegalArgumentException when the config is missing
         */
        public VisionTransformer build() {
            if (config == null) {
                throw new IllegalArgumentException(
                        "invalid VisionTransformer: config is missing: call setConfig");
            }
            return new VisionTransformer(this);
        }
    }
}
