package io.saltstream.models.vit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Shared body of {@link VisionTransformerPredictor} and {@link PixelDecoder}: a narrow transformer
 * that reads context tokens and predicts one vector per target position.
 *
 * <p>Dimensions: B batch, N tokens of the full grid, K context tokens, M target tokens, D encoder
 * width, Dp predictor width, O output width.
 *
 * <pre>
 *   context  = Linear_D→Dp(contextTokens) + pos[contextIndices]        [B, K, Dp]
 *   queries  = maskToken + pos[targetIndices]                          [B, M, Dp]
 *   x        = blocks([context ; queries])                             [B, K+M, Dp]
 *   output   = Linear_Dp→O(LN(x)[:, K:, :])                            [B, M, O]
 * </pre>
 *
 * <p>pos is the fixed sine-cosine table of width Dp for the encoder's grid. The mask token [1, 1,
 * Dp] is a trainable parameter.
 */
public abstract class MaskedTokenPredictor extends AbstractBlock {

    private static final byte VERSION = 1;

    private final VisionTransformerConfig encoderConfig;
    private final PredictorConfig predictorConfig;
    private final int outputDim;
    private final long seed;
    private final Linear embed;
    private final Parameter maskToken;
    private final List<TransformerBlock> blocks;
    private final LayerNorm norm;
    private final Linear projection;
    private final PositionTable positions;

    MaskedTokenPredictor(
            String prefix,
            VisionTransformerConfig encoderConfig,
            PredictorConfig predictorConfig,
            int outputDim,
            long seed) {
        super(VERSION);
        this.encoderConfig = encoderConfig;
        this.predictorConfig = predictorConfig;
        this.outputDim = outputDim;
        this.seed = seed;
        int width = predictorConfig.getEmbedDim();
        embed = addChildBlock(prefix + "Embed", Linear.builder().setUnits(width).build());
        maskToken =
                addParameter(
                        Parameter.builder()
                                .setName(prefix + "MaskToken")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(1, 1, width))
                                .build());
        List<TransformerBlock> list = new ArrayList<>();
        for (int i = 0; i < predictorConfig.getDepth(); i++) {
            TransformerBlock block =
                    TransformerBlock.builder()
                            .setEmbedDim(width)
                            .setNumHeads(predictorConfig.getNumHeads())
                            .optMlpHiddenDim(predictorConfig.getMlpHiddenDim())
                            .optLayerNormEps(predictorConfig.getLayerNormEps())
                            .build();
            list.add(addChildBlock(prefix + "Block" + i, block));
        }
        blocks = Collections.unmodifiableList(list);
        norm =
                addChildBlock(
                        prefix + "Norm",
                        TransformerBlock.layerNorm((float) predictorConfig.getLayerNormEps()));
        projection =
                addChildBlock(prefix + "Projection", Linear.builder().setUnits(outputDim).build());
        positions =
                new PositionTable(
                        PositionEmbeddings.forGrid(
                                width,
                                encoderConfig.getGridFrames(),
                                encoderConfig.getGridHeight(),
                                encoderConfig.getGridWidth()),
                        encoderConfig.getNumPatches(),
                        width);
        SeededInitialization.apply(this, seed);
    }

    /** Geometry and width D of the encoder whose tokens this block reads. */
    public VisionTransformerConfig getEncoderConfig() {
        return encoderConfig;
    }

    /** Size of this block. */
    public PredictorConfig getPredictorConfig() {
        return predictorConfig;
    }

    /** Output width O per target token. */
    public int getOutputDim() {
        return outputDim;
    }

    /** Seed of the parameter initialisation. */
    public long getSeed() {
        return seed;
    }

    /** The learnable mask token [1, 1, Dp]. */
    public Parameter getMaskToken() {
        return maskToken;
    }

    /**
     * Predicts the target tokens.
     *
     * @param inputs {@code NDList(contextTokens [B, K, D], contextIndices [B, K], targetIndices [B,
     *     M])}; the index arrays hold token indices in [0, N) of the encoder grid (int64)
     * @return {@code NDList(predictions [B, M, O])}, row m the prediction at {@code
     *     targetIndices[b, m]}
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        checkInputs(inputs);
        NDArray contextTokens = inputs.get(0);
        NDArray contextIndices = inputs.get(1);
        NDArray targetIndices = inputs.get(2);
        long contextCount = contextTokens.getShape().get(1);
        Device device = contextTokens.getDevice();
        NDArray table = positions.get(embed.getDirectParameters().valueAt(0), device);

        // [B, K, D] -> [B, K, Dp], plus the positions of the context tokens
        NDArray context =
                TransformerBlock.forwardChild(embed, parameterStore, contextTokens, training);
        context = context.add(Tokens.gather(table, contextIndices));
        // [1, 1, Dp] + [B, M, Dp]: one shared mask token, distinguished only by its position
        NDArray mask = parameterStore.getValue(maskToken, device, training);
        NDArray queries = Tokens.gather(table, targetIndices).add(mask);
        // [B, K, Dp] ++ [B, M, Dp] -> [B, K+M, Dp]
        NDArray x = context.concat(queries, 1);
        for (TransformerBlock block : blocks) {
            x = TransformerBlock.forwardChild(block, parameterStore, x, training);
        }
        x = TransformerBlock.forwardChild(norm, parameterStore, x, training);
        // [B, K+M, Dp] -> [B, M, Dp] -> [B, M, O]
        x = x.get(new NDIndex(":, {}:, :", contextCount));
        return new NDList(TransformerBlock.forwardChild(projection, parameterStore, x, training));
    }

    private void checkInputs(NDList inputs) {
        String expected =
                "NDList(contextTokens [B, K, "
                        + encoderConfig.getEmbedDim()
                        + "], contextIndices [B, K], targetIndices [B, M])";
        if (inputs.size() != 3) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + " expects "
                            + expected
                            + ", got "
                            + inputs.size()
                            + " arrays");
        }
        Shape tokens = inputs.get(0).getShape();
        Shape context = inputs.get(1).getShape();
        Shape target = inputs.get(2).getShape();
        boolean valid =
                tokens.dimension() == 3
                        && tokens.get(2) == encoderConfig.getEmbedDim()
                        && context.dimension() == 2
                        && target.dimension() == 2
                        && context.get(0) == tokens.get(0)
                        && target.get(0) == tokens.get(0)
                        && context.get(1) == tokens.get(1);
        if (!valid) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + " expects "
                            + expected
                            + ", got contextTokens "
                            + tokens
                            + ", contextIndices "
                            + context
                            + ", targetIndices "
                            + target);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[2].get(1), outputDim)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape contextTokens = inputShapes[0];
        long batch = contextTokens.get(0);
        long tokens = contextTokens.get(1) + inputShapes[2].get(1);
        Shape hidden = new Shape(batch, tokens, predictorConfig.getEmbedDim());
        embed.initialize(manager, dataType, contextTokens);
        positions.get(embed.getDirectParameters().valueAt(0), manager.getDevice());
        for (TransformerBlock block : blocks) {
            block.initialize(manager, dataType, hidden);
        }
        norm.initialize(manager, dataType, hidden);
        projection.initialize(manager, dataType, hidden);
    }

    /**
     * Returns example input shapes for {@code initialize}: context tokens [B, K, D], context
     * indices [B, K] and target indices [B, M]. The parameter shapes do not depend on B, K or M.
     */
    public Shape[] inputShapes(long batch, long contextCount, long targetCount) {
        return new Shape[] {
            new Shape(batch, contextCount, encoderConfig.getEmbedDim()),
            new Shape(batch, contextCount),
            new Shape(batch, targetCount)
        };
    }
}
