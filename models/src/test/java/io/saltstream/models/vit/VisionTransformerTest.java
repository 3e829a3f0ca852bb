package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VisionTransformerTest {

    /** 8×12 grey-and-alpha images, 4×4 patches: a 2×3 grid, N = 6. */
    static VisionTransformerConfig imageConfig(int depth) {
        return VisionTransformerConfig.builder()
                .setInputChannels(2)
                .setImageHeight(8)
                .setImageWidth(12)
                .setPatchSize(4)
                .setEmbedDim(8)
                .setDepth(depth)
                .setNumHeads(2)
                .build();
    }

    /** 4-frame 8×8 RGB clips, 2×4×4 tubelets: a 2×2×2 grid, N = 8. */
    static VisionTransformerConfig videoConfig(int depth) {
        return VisionTransformerConfig.builder()
                .setInputChannels(3)
                .setImageHeight(8)
                .setImageWidth(8)
                .optFrames(4)
                .setPatchSize(4)
                .optTubeletSize(2)
                .setEmbedDim(16)
                .setDepth(depth)
                .setNumHeads(2)
                .build();
    }

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

    private VisionTransformer encoder(VisionTransformerConfig config, long seed) {
        VisionTransformer encoder =
                VisionTransformer.builder().setConfig(config).optSeed(seed).build();
        encoder.initialize(manager, DataType.FLOAT32, config.inputShape(2));
        return encoder;
    }

    private NDArray randomInput(VisionTransformerConfig config, long batch) {
        return manager.randomNormal(config.inputShape(batch));
    }

    @Test
    void imageOutputHasAllTokens() {
        VisionTransformerConfig config = imageConfig(2);
        VisionTransformer encoder = encoder(config, 1);

        NDArray out = encoder.forward(store, new NDList(randomInput(config, 3)), false).head();

        assertThat(out.getShape()).isEqualTo(new Shape(3, 6, 8));
        assertThat(encoder.getOutputShapes(new Shape[] {config.inputShape(3)}))
                .containsExactly(new Shape(3, 6, 8));
    }

    @Test
    void videoOutputHasAllTokens() {
        VisionTransformerConfig config = videoConfig(1);
        VisionTransformer encoder = encoder(config, 1);

        NDArray out = encoder.forward(store, new NDList(randomInput(config, 2)), false).head();

        assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 16));
    }

    @Test
    void contextIndicesSelectTokens() {
        VisionTransformerConfig config = videoConfig(1);
        VisionTransformer encoder = encoder(config, 1);
        NDArray indices = manager.create(new long[][] {{0, 3, 7}, {1, 2, 5}});

        NDArray out =
                encoder.forward(store, new NDList(randomInput(config, 2), indices), false).head();

        assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 16));
        assertThat(encoder.getOutputShapes(new Shape[] {config.inputShape(2), indices.getShape()}))
                .containsExactly(new Shape(2, 3, 16));
    }

    @Test
    void contextAtDepthZeroEqualsGatheredFullOutput() {
        // With no blocks nothing mixes tokens, so the context output must equal the full
        // output at the same indices: this checks the gather and that the final LayerNorm
        // normalises each token on its own, whatever the token count.
        VisionTransformerConfig config = imageConfig(0);
        VisionTransformer encoder = encoder(config, 3);
        NDArray x = randomInput(config, 2);
        long[][] indices = {{5, 0, 2}, {1, 4, 3}};

        float[][][] full = toArray(encoder.forward(store, new NDList(x), false).head());
        float[][][] context =
                toArray(
                        encoder.forward(store, new NDList(x, manager.create(indices)), false)
                                .head());

        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 3; k++) {
                assertThat(context[b][k])
                        .as("sample %d, context token %d", b, k)
                        .containsExactly(full[b][(int) indices[b][k]], within(1e-5f));
            }
        }
    }

    @Test
    void finalNormNormalisesEachToken() {
        VisionTransformerConfig config = videoConfig(0);
        VisionTransformer encoder = encoder(config, 4);

        float[][][] out =
                toArray(encoder.forward(store, new NDList(randomInput(config, 2)), false).head());

        for (float[][] sample : out) {
            for (float[] token : sample) {
                double mean = 0;
                for (float v : token) {
                    mean += v;
                }
                mean /= token.length;
                double variance = 0;
                for (float v : token) {
                    variance += (v - mean) * (v - mean);
                }
                variance /= token.length;
                assertThat(mean).isCloseTo(0.0, within(1e-5));
                assertThat(variance).isCloseTo(1.0, within(1e-3));
            }
        }
    }

    @Test
    void singleFrameClipAcceptedForImages() {
        VisionTransformerConfig config = imageConfig(1);
        VisionTransformer encoder = encoder(config, 5);
        NDArray image = randomInput(config, 2);

        NDArray fromImage = encoder.forward(store, new NDList(image), false).head();
        NDArray fromClip = encoder.forward(store, new NDList(image.expandDims(2)), false).head();

        assertThat(fromClip.getShape()).isEqualTo(fromImage.getShape());
        assertThat(fromClip.toFloatArray()).containsExactly(fromImage.toFloatArray());
    }

    @Test
    void wrongInputShapeRejected() {
        VisionTransformerConfig config = imageConfig(1);
        VisionTransformer encoder = encoder(config, 5);
        NDArray wrong = manager.zeros(new Shape(2, 2, 8, 8));

        assertThatThrownBy(() -> encoder.forward(store, new NDList(wrong), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expects x of shape [B, C=2, H=8, W=12]")
                .hasMessageContaining("got (2, 2, 8, 8)");
    }

    @Test
    void badContextIndicesRejected() {
        VisionTransformerConfig config = imageConfig(1);
        VisionTransformer encoder = encoder(config, 5);
        NDArray indices = manager.create(new long[] {0, 1});

        assertThatThrownBy(
                        () ->
                                encoder.forward(
                                        store, new NDList(randomInput(config, 2), indices), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contextIndices must be [B, K] with B = 2");
    }

    @Test
    void missingConfigRejected() {
        assertThatThrownBy(() -> VisionTransformer.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config is missing");
    }

    @Test
    void patchTokensFollowPatchifyOrder() {
        // Give the patch embedding one output channel per pixel value, with a one-hot weight
        // that copies pixel j of the patchify layout into channel j. The embedded tokens must
        // then equal patchify(x): same token order and same layout inside each token.
        VisionTransformerConfig config =
                videoConfig(0).toBuilder().setInputChannels(2).setEmbedDim(64).build();
        assertThat(config.getPatchVolume()).isEqualTo(64);
        VisionTransformer encoder = encoder(config, 6);
        int tubelet = config.getTubeletSize();
        int patch = config.getPatchSize();
        int channels = config.getInputChannels();
        float[] weight = new float[64 * channels * tubelet * patch * patch];
        for (int dt = 0; dt < tubelet; dt++) {
            for (int dy = 0; dy < patch; dy++) {
                for (int dx = 0; dx < patch; dx++) {
                    for (int c = 0; c < channels; c++) {
                        int j = ((dt * patch + dy) * patch + dx) * channels + c;
                        // weight layout [D, C, t, p, p]
                        int offset =
                                (((j * channels + c) * tubelet + dt) * patch + dy) * patch + dx;
                        weight[offset] = 1f;
                    }
                }
            }
        }
        Parameter convWeight = parameter(encoder, "patchEmbedding_weight");
        Parameter convBias = parameter(encoder, "patchEmbedding_bias");
        convWeight.getArray().set(weight);
        convBias.getArray().set(new float[64]);
        NDArray x = manager.arange(2f * 2 * 4 * 8 * 8).reshape(config.inputShape(2));

        NDArray tokens = encoder.embedPatches(store, x, false);
        NDArray patches = PixelDecoder.patchify(x, config);

        assertThat(tokens.getShape()).isEqualTo(patches.getShape());
        assertThat(tokens.toFloatArray()).containsExactly(patches.toFloatArray());
    }

    @Test
    void positionsAreSinCosOfGrid() {
        VisionTransformerConfig config = videoConfig(0);
        VisionTransformer encoder = encoder(config, 7);

        assertThat(encoder.getPositionEmbeddings())
                .containsExactly(PositionEmbeddings.sinCos3d(16, 2, 2, 2));
        assertThat(encoder.getParameters().keys()).noneMatch(name -> name.contains("osition"));
    }

    @Test
    void positionsSurviveStepScopes() {
        // Trainers close each step's arrays with an NDScope: the position tables must
        // outlive it, whichever block runs first.
        VisionTransformerConfig config = imageConfig(1);
        VisionTransformer encoder = encoder(config, 8);
        VisionTransformerPredictor predictor =
                VisionTransformerPredictor.builder()
                        .setEncoderConfig(config)
                        .setPredictorConfig(
                                PredictorConfig.builder()
                                        .setEmbedDim(8)
                                        .setDepth(1)
                                        .setNumHeads(2)
                                        .build())
                        .build();
        predictor.initialize(manager, DataType.FLOAT32, predictor.inputShapes(1, 2, 1));
        float[] first = null;
        for (int step = 0; step < 2; step++) {
            try (NDScope scope = new NDScope()) {
                NDArray x = manager.ones(config.inputShape(1));
                NDArray context = manager.create(new long[][] {{0, 1}});
                NDArray target = manager.create(new long[][] {{4}});
                NDArray tokens = encoder.forward(store, new NDList(x, context), false).head();
                float[] out =
                        predictor
                                .forward(store, new NDList(tokens, context, target), false)
                                .head()
                                .toFloatArray();
                if (first == null) {
                    first = out;
                } else {
                    assertThat(out).containsExactly(first);
                }
            }
        }
    }

    @Test
    void sameSeedGivesSameParameters() {
        VisionTransformerConfig config = imageConfig(2);
        List<float[]> first = parameterValues(encoder(config, 11));
        List<float[]> second = parameterValues(encoder(config, 11));
        List<float[]> other = parameterValues(encoder(config, 12));

        assertThat(second).hasSameSizeAs(first);
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i)).containsExactly(first.get(i));
        }
        assertThat(other.get(0)).isNotEqualTo(first.get(0));
    }

    @Test
    void initialisationFollowsParameterType() {
        VisionTransformer encoder = encoder(imageConfig(1), 13);

        for (Pair<String, Parameter> entry : encoder.getParameters()) {
            float[] values = entry.getValue().getArray().toFloatArray();
            switch (entry.getValue().getType()) {
                case GAMMA:
                    assertThat(values).as(entry.getKey()).containsOnly(1f);
                    break;
                case BETA:
                case BIAS:
                    assertThat(values).as(entry.getKey()).containsOnly(0f);
                    break;
                default:
                    for (float v : values) {
                        assertThat(Math.abs(v))
                                .as(entry.getKey())
                                .isLessThanOrEqualTo(2 * SeededInitialization.WEIGHT_STD);
                    }
                    float largest = 0f;
                    for (float v : values) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    assertThat(largest).as(entry.getKey()).isGreaterThan(0f);
            }
        }
    }

    @Test
    void parameterCountMatchesAnalyticCount() {
        for (VisionTransformerConfig config :
                List.of(imageConfig(2), videoConfig(1), imageConfig(0))) {
            VisionTransformer encoder = encoder(config, 1);

            assertThat(countParameters(encoder))
                    .as("config %s", config)
                    .isEqualTo(config.encoderParameterCount());
        }
    }

    @Test
    void gradientsReachEveryTrainableParameter() {
        // The one GradientCollector of this class: a student step of Stage 2 and a decoder
        // step of Stage 1 on the same encoder, so every block type is on the tape.
        VisionTransformerConfig config = videoConfig(1);
        PredictorConfig narrow =
                PredictorConfig.builder().setEmbedDim(8).setDepth(1).setNumHeads(2).build();
        VisionTransformer encoder = encoder(config, 21);
        VisionTransformerPredictor predictor =
                VisionTransformerPredictor.builder()
                        .setEncoderConfig(config)
                        .setPredictorConfig(narrow)
                        .optSeed(22)
                        .build();
        PixelDecoder decoder =
                PixelDecoder.builder()
                        .setEncoderConfig(config)
                        .setDecoderConfig(narrow)
                        .optSeed(23)
                        .build();
        predictor.initialize(manager, DataType.FLOAT32, predictor.inputShapes(2, 5, 3));
        decoder.initialize(manager, DataType.FLOAT32, decoder.inputShapes(2, 5, 3));
        NDArray x = randomInput(config, 2);
        NDArray context = manager.create(new long[][] {{0, 1, 2, 4, 6}, {1, 3, 5, 6, 7}});
        NDArray target = manager.create(new long[][] {{3, 5, 7}, {0, 2, 4}});

        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray tokens = encoder.forward(store, new NDList(x, context), true).head();
            NDArray latents =
                    predictor.forward(store, new NDList(tokens, context, target), true).head();
            NDArray pixels =
                    decoder.forward(store, new NDList(tokens, context, target), true).head();
            NDArray pixelTargets =
                    Tokens.gather(PixelDecoder.normalizedPixelTargets(x, config), target);
            NDArray loss = latents.abs().mean().add(pixels.sub(pixelTargets).square().mean());
            collector.backward(loss);
        }

        for (Block block : List.of(encoder, predictor, decoder)) {
            for (Pair<String, Parameter> entry : block.getParameters()) {
                NDArray gradient = entry.getValue().getArray().getGradient();
                assertThat(gradient.abs().sum().getFloat())
                        .as("gradient of %s", entry.getKey())
                        .isGreaterThan(0f);
            }
        }
        assertThat(encoder.getParameters().keys()).noneMatch(name -> name.contains("osition"));
    }

    static long countParameters(Block block) {
        long count = 0;
        for (Pair<String, Parameter> entry : block.getParameters()) {
            count += entry.getValue().getArray().size();
        }
        return count;
    }

    static Parameter parameter(Block block, String suffix) {
        for (Pair<String, Parameter> entry : block.getParameters()) {
            if (entry.getKey().endsWith(suffix)) {
                return entry.getValue();
            }
        }
        throw new AssertionError(
                "no parameter ending in " + suffix + ": " + block.getParameters().keys());
    }

    private static List<float[]> parameterValues(Block block) {
        List<float[]> values = new ArrayList<>();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            values.add(entry.getValue().getArray().toFloatArray());
        }
        return values;
    }

    static float[][][] toArray(NDArray array) {
        Shape shape = array.getShape();
        int b = (int) shape.get(0);
        int n = (int) shape.get(1);
        int d = (int) shape.get(2);
        float[] flat = array.toFloatArray();
        float[][][] out = new float[b][n][d];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                System.arraycopy(flat, (i * n + j) * d, out[i][j], 0, d);
            }
        }
        return out;
    }
}
