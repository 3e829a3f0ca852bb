package io.saltstream.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Pre-LayerNorm vision transformer block.
 *
 * <pre>
 *   x = x + Proj(MultiHeadSelfAttention(LN1(x)))
 *   x = x + FC2(GELU(FC1(LN2(x))))
 * </pre>
 *
 * <p>Dimensions: B batch, N tokens, D token width, h heads, Dh = D / h per head, R MLP hidden
 * width. Input and output are [B, N, D] for any N, so the same block runs on all tokens or on a
 * context subset. Both LayerNorms normalise over the feature axis D only (built with axis 2), so
 * each token is normalised on its own. Attention uses no mask: every token attends to every token
 * of its sample.
 *
 * <p>Queries, keys and values come from one fused Linear D → 3D with bias; attention weights are
 * softmax(Q·Kᵀ / √Dh) over the key axis. There is no dropout.
 */
public final class TransformerBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int embedDim;
    private final int numHeads;
    private final int mlpHiddenDim;

    private final LayerNorm attentionNorm;
    private final Linear qkv;
    private final Linear attentionProjection;
    private final LayerNorm mlpNorm;
    private final Linear mlpIn;
    private final Linear mlpOut;

    private TransformerBlock(Builder builder) {
        super(VERSION);
        this.embedDim = builder.embedDim;
        this.numHeads = builder.numHeads;
        this.mlpHiddenDim =
                builder.mlpHiddenDim == Builder.DEFAULT_HIDDEN
                        ? 4 * embedDim
                        : builder.mlpHiddenDim;
        float epsilon = (float) builder.layerNormEps;
        attentionNorm = addChildBlock("attentionNorm", layerNorm(epsilon));
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * embedDim).build());
        attentionProjection =
                addChildBlock("attentionProjection", Linear.builder().setUnits(embedDim).build());
        mlpNorm = addChildBlock("mlpNorm", layerNorm(epsilon));
        mlpIn = addChildBlock("mlpIn", Linear.builder().setUnits(mlpHiddenDim).build());
        mlpOut = addChildBlock("mlpOut", Linear.builder().setUnits(embedDim).build());
    }

    /** Returns a builder; embed dim and number of heads are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a LayerNorm over axis 2 of [B, N, D]: DJL's default normalises over every non-batch
     * axis, which would mix tokens.
     */
    static LayerNorm layerNorm(float epsilon) {
        return LayerNorm.builder().axis(2).optEpsilon(epsilon).build();
    }

    /** Token width D. */
    public int getEmbedDim() {
        return embedDim;
    }

    /** Number of attention heads h. */
    public int getNumHeads() {
        return numHeads;
    }

    /** MLP hidden width R. */
    public int getMlpHiddenDim() {
        return mlpHiddenDim;
    }

    /**
     * Runs the block.
     *
     * @param inputs one array, tokens [B, N, D]
     * @return one array, [B, N, D]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        if (shape.dimension() != 3 || shape.get(2) != embedDim) {
            throw new IllegalArgumentException(
                    "TransformerBlock expects tokens [B, N, " + embedDim + "], got " + shape);
        }
        long batch = shape.get(0);
        long tokens = shape.get(1);
        long headDim = embedDim / numHeads;

        NDArray normed = forwardChild(attentionNorm, parameterStore, x, training);
        NDArray fused = forwardChild(qkv, parameterStore, normed, training);
        // [B, N, 3D] -> [B, N, 3, h, Dh] -> [3, B, h, N, Dh]
        fused = fused.reshape(batch, tokens, 3, numHeads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray query = fused.get(0).mul(1.0 / Math.sqrt(headDim));
        NDArray key = fused.get(1);
        NDArray value = fused.get(2);
        // [B, h, N, Dh] x [B, h, Dh, N] -> [B, h, N, N], softmax over the keys
        NDArray weights = query.matMul(key.transpose(0, 1, 3, 2)).softmax(-1);
        // [B, h, N, N] x [B, h, N, Dh] -> [B, h, N, Dh] -> [B, N, h, Dh] -> [B, N, D]
        NDArray attended =
                weights.matMul(value).transpose(0, 2, 1, 3).reshape(batch, tokens, embedDim);
        x = x.add(forwardChild(attentionProjection, parameterStore, attended, training));

        NDArray hidden = forwardChild(mlpNorm, parameterStore, x, training);
        // [B, N, D] -> [B, N, R] -> [B, N, D]
        hidden = Activation.gelu(forwardChild(mlpIn, parameterStore, hidden, training));
        x = x.add(forwardChild(mlpOut, parameterStore, hidden, training));
        return new NDList(x);
    }

    static NDArray forwardChild(
            AbstractBlock child, ParameterStore parameterStore, NDArray input, boolean training) {
        return child.forward(parameterStore, new NDList(input), training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0];
        Shape hidden = new Shape(tokens.get(0), tokens.get(1), mlpHiddenDim);
        attentionNorm.initialize(manager, dataType, tokens);
        qkv.initialize(manager, dataType, tokens);
        attentionProjection.initialize(manager, dataType, tokens);
        mlpNorm.initialize(manager, dataType, tokens);
        mlpIn.initialize(manager, dataType, tokens);
        mlpOut.initialize(manager, dataType, hidden);
    }

    /**
     * Builder for {@link TransformerBlock}. Required: embed dim and number of heads. Optional: MLP
     * hidden width (4·D) and LayerNorm ε (1e-6).
     */
    public static final class Builder {
        private int embedDim;
        private int numHeads;

        /** Marks an MLP hidden width left at its default of 4·D. */
        private static final int DEFAULT_HIDDEN = -1;

        private int mlpHiddenDim = DEFAULT_HIDDEN;
        private double layerNormEps = VisionTransformerConfig.DEFAULT_LAYER_NORM_EPS;

        private Builder() {}

        /** Sets the token width D; divisible by the number of heads. */
        public Builder setEmbedDim(int embedDim) {
            this.embedDim = embedDim;
            return this;
        }

        /** Sets the number of attention heads h. */
        public Builder setNumHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        /** Sets the MLP hidden width R (default 4·D). */
        public Builder optMlpHiddenDim(int mlpHiddenDim) {
            this.mlpHiddenDim = mlpHiddenDim;
            return this;
        }

        /** Sets ε of both LayerNorms (default 1e-6). */
        public Builder optLayerNormEps(double layerNormEps) {
            this.layerNormEps = layerNormEps;
            return this;
        }

        /**
         * Validates the values and builds the block.
         *
         * @throws IllegalArgumentException naming each invalid value and its rule
         */
        public TransformerBlock build() {
            List<String> errors = new ArrayList<>();
            if (embedDim < 1) {
                errors.add("embedDim = " + embedDim + " must be at least 1");
            }
            if (numHeads < 1) {
                errors.add("numHeads = " + numHeads + " must be at least 1");
            } else if (embedDim % numHeads != 0) {
                errors.add(
                        "embedDim = " + embedDim + " must be divisible by numHeads = " + numHeads);
            }
            if (mlpHiddenDim != DEFAULT_HIDDEN && mlpHiddenDim < 1) {
                errors.add("mlpHiddenDim = " + mlpHiddenDim + " must be at least 1");
            }
            VisionTransformerConfig.requirePositiveFinite(errors, "layerNormEps", layerNormEps);
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid TransformerBlock: " + String.join("; ", errors));
            }
            return new TransformerBlock(this);
        }
    }
}
