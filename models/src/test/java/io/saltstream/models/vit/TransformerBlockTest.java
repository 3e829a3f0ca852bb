package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransformerBlockTest {

    private NDManager manager;
    private ParameterStore store;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
        store = new ParameterStore(manager, false);
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private TransformerBlock block(int dim, int heads, int hidden) {
        TransformerBlock block =
                TransformerBlock.builder()
                        .setEmbedDim(dim)
                        .setNumHeads(heads)
                        .optMlpHiddenDim(hidden)
                        .build();
        SeededInitialization.apply(block, 99);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 4, dim));
        return block;
    }

    @Test
    void outputKeepsShapeForAnyTokenCount() {
        TransformerBlock block = block(8, 2, 16);

        for (int tokens : new int[] {1, 4, 7}) {
            NDArray x = manager.randomNormal(new Shape(3, tokens, 8));
            NDArray out = block.forward(store, new NDList(x), false).head();
            assertThat(out.getShape()).isEqualTo(new Shape(3, tokens, 8));
        }
    }

    @Test
    void matchesReferenceComputation() {
        int dim = 6;
        int heads = 3;
        int hidden = 10;
        int tokens = 4;
        TransformerBlock block = block(dim, heads, hidden);
        // Make biases and LayerNorm affine parameters non-trivial, so a mix-up shows.
        for (var entry : block.getParameters()) {
            NDArray array = entry.getValue().getArray();
            array.set(manager.randomNormal(array.getShape()).mul(0.3).toFloatArray());
        }
        NDArray x = manager.randomNormal(new Shape(2, tokens, dim));

        float[] actual = block.forward(store, new NDList(x), false).head().toFloatArray();

        float[] expected = new ReferenceBlock(block, dim, heads, hidden).forward(x, 2, tokens);
        assertThat(actual).containsExactly(expected, within(2e-4f));
    }

    @Test
    void permutingTokensPermutesOutputs() {
        TransformerBlock block = block(8, 2, 32);
        NDArray x = manager.randomNormal(new Shape(1, 5, 8));
        NDArray order = manager.create(new long[][] {{3, 0, 4, 1, 2}});

        NDArray permutedThenBlock =
                block.forward(store, new NDList(Tokens.gather(x, order)), false).head();
        NDArray blockThenPermuted =
                Tokens.gather(block.forward(store, new NDList(x), false).head(), order);

        assertThat(permutedThenBlock.toFloatArray())
                .containsExactly(blockThenPermuted.toFloatArray(), within(1e-5f));
    }

    @Test
    void layerNormUsesFeatureAxisOnly() {
        LayerNorm norm = TransformerBlock.layerNorm(1e-6f);
        norm.initialize(manager, DataType.FLOAT32, new Shape(2, 5, 8));
        NDArray x = manager.randomNormal(new Shape(2, 5, 8)).mul(3).add(1);

        NDArray all = norm.forward(store, new NDList(x), false).head();
        NDArray firstTwo = norm.forward(store, new NDList(x.get(":, 0:2, :")), false).head();

        assertThat(norm.getParameters().valueAt(0).getArray().getShape()).isEqualTo(new Shape(8));
        assertThat(firstTwo.toFloatArray())
                .containsExactly(all.get(":, 0:2, :").toFloatArray(), within(1e-5f));
        float[] token = all.get("0, 3, :").toFloatArray();
        double mean = 0;
        for (float v : token) {
            mean += v / token.length;
        }
        assertThat(mean).isCloseTo(0.0, within(1e-5));
    }

    @Test
    void wrongTokenWidthRejected() {
        TransformerBlock block = block(8, 2, 16);
        NDArray x = manager.zeros(new Shape(1, 3, 6));

        assertThatThrownBy(() -> block.forward(store, new NDList(x), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expects tokens [B, N, 8], got (1, 3, 6)");
    }

    @Test
    void builderRejectsHeadsNotDividingDim() {
        assertThatThrownBy(() -> TransformerBlock.builder().setEmbedDim(10).setNumHeads(4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim = 10 must be divisible by numHeads = 4");
    }

    @Test
    void builderRejectsBadHiddenWidthAndEpsilon() {
        assertThatThrownBy(
                        () ->
                                TransformerBlock.builder()
                                        .setEmbedDim(8)
                                        .setNumHeads(2)
                                        .optMlpHiddenDim(0)
                                        .optLayerNormEps(-1)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mlpHiddenDim = 0 must be at least 1")
                .hasMessageContaining("layerNormEps = -1.0 must be finite and > 0");
    }

    @Test
    void defaultHiddenWidthIsFourTimesDim() {
        TransformerBlock block = TransformerBlock.builder().setEmbedDim(12).setNumHeads(3).build();

        assertThat(block.getMlpHiddenDim()).isEqualTo(48);
    }

    /** The block's maths in plain Java, reading the block's own parameter values. */
    private static final class ReferenceBlock {
        private final int dim;
        private final int heads;
        private final int hidden;
        private final float[][] values = new float[12][];

        ReferenceBlock(TransformerBlock block, int dim, int heads, int hidden) {
            this.dim = dim;
            this.heads = heads;
            this.hidden = hidden;
            String[] names = {
                "attentionNorm_gamma",
                "attentionNorm_beta",
                "qkv_weight",
                "qkv_bias",
                "attentionProjection_weight",
                "attentionProjection_bias",
                "mlpNorm_gamma",
                "mlpNorm_beta",
                "mlpIn_weight",
                "mlpIn_bias",
                "mlpOut_weight",
                "mlpOut_bias"
            };
            for (int i = 0; i < names.length; i++) {
                values[i] =
                        VisionTransformerTest.parameter(block, names[i]).getArray().toFloatArray();
            }
        }

        float[] forward(NDArray input, int batch, int tokens) {
            float[] flat = input.toFloatArray();
            float[] out = new float[flat.length];
            for (int b = 0; b < batch; b++) {
                double[][] x = new double[tokens][dim];
                for (int n = 0; n < tokens; n++) {
                    for (int d = 0; d < dim; d++) {
                        x[n][d] = flat[(b * tokens + n) * dim + d];
                    }
                }
                double[][] y = forwardSample(x);
                for (int n = 0; n < tokens; n++) {
                    for (int d = 0; d < dim; d++) {
                        out[(b * tokens + n) * dim + d] = (float) y[n][d];
                    }
                }
            }
            return out;
        }

        private double[][] forwardSample(double[][] x) {
            int tokens = x.length;
            int headDim = dim / heads;
            double[][] normed = layerNorm(x, values[0], values[1]);
            double[][] qkv = linear(normed, values[2], values[3], 3 * dim);
            double[][] attended = new double[tokens][dim];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tokens; i++) {
                    double[] scores = new double[tokens];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tokens; j++) {
                        double dot = 0;
                        for (int c = 0; c < headDim; c++) {
                            dot += qkv[i][h * headDim + c] * qkv[j][dim + h * headDim + c];
                        }
                        scores[j] = dot / Math.sqrt(headDim);
                        max = Math.max(max, scores[j]);
                    }
                    double total = 0;
                    for (int j = 0; j < tokens; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        total += scores[j];
                    }
                    for (int j = 0; j < tokens; j++) {
                        for (int c = 0; c < headDim; c++) {
                            attended[i][h * headDim + c] +=
                                    scores[j] / total * qkv[j][2 * dim + h * headDim + c];
                        }
                    }
                }
            }
            double[][] projected = linear(attended, values[4], values[5], dim);
            double[][] residual = add(x, projected);
            double[][] hiddenIn =
                    linear(layerNorm(residual, values[6], values[7]), values[8], values[9], hidden);
            for (double[] row : hiddenIn) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = 0.5 * row[c] * (1 + erf(row[c] / Math.sqrt(2)));
                }
            }
            return add(residual, linear(hiddenIn, values[10], values[11], dim));
        }

        private double[][] layerNorm(double[][] x, float[] gamma, float[] beta) {
            double[][] out = new double[x.length][dim];
            for (int n = 0; n < x.length; n++) {
                double mean = 0;
                for (double v : x[n]) {
                    mean += v / dim;
                }
                double variance = 0;
                for (double v : x[n]) {
                    variance += (v - mean) * (v - mean) / dim;
                }
                for (int d = 0; d < dim; d++) {
                    out[n][d] = (x[n][d] - mean) / Math.sqrt(variance + 1e-6) * gamma[d] + beta[d];
                }
            }
            return out;
        }

        /** y = x·Wᵀ + b with W stored [out, in] as DJL's Linear does. */
        private static double[][] linear(double[][] x, float[] weight, float[] bias, int outDim) {
            int inDim = x[0].length;
            double[][] out = new double[x.length][outDim];
            for (int n = 0; n < x.length; n++) {
                for (int o = 0; o < outDim; o++) {
                    double sum = bias[o];
                    for (int i = 0; i < inDim; i++) {
                        sum += x[n][i] * weight[o * inDim + i];
                    }
                    out[n][o] = sum;
                }
            }
            return out;
        }

        private static double[][] add(double[][] a, double[][] b) {
            double[][] out = new double[a.length][a[0].length];
            for (int n = 0; n < a.length; n++) {
                for (int d = 0; d < a[0].length; d++) {
                    out[n][d] = a[n][d] + b[n][d];
                }
            }
            return out;
        }

        /** erf by Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7. */
        private static double erf(double z) {
            double t = 1.0 / (1.0 + 0.3275911 * Math.abs(z));
            double poly =
                    t
                            * (0.254829592
                                    + t
                                            * (-0.284496736
                                                    + t
                                                            * (1.421413741
                                                                    + t
                                                                            * (-1.453152027
                                                                                    + t
                                                                                            * 1.061405429))));
            double value = 1 - poly * Math.exp(-z * z);
            return z >= 0 ? value : -value;
        }
    }
}
