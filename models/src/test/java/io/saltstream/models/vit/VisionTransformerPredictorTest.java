package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VisionTransformerPredictorTest {

    private static final PredictorConfig NARROW =
            PredictorConfig.builder().setEmbedDim(8).setDepth(2).setNumHeads(2).build();

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

    private VisionTransformerPredictor predictor(VisionTransformerConfig encoder, long seed) {
        VisionTransformerPredictor predictor =
                VisionTransformerPredictor.builder()
                        .setEncoderConfig(encoder)
                        .setPredictorConfig(NARROW)
                        .optSeed(seed)
                        .build();
        predictor.initialize(manager, DataType.FLOAT32, predictor.inputShapes(2, 3, 2));
        return predictor;
    }

    @Test
    void outputHasOneEncoderTokenPerTarget() {
        VisionTransformerConfig encoder = VisionTransformerTest.videoConfig(1);
        VisionTransformerPredictor predictor = predictor(encoder, 1);
        NDArray context = manager.randomNormal(new Shape(2, 5, 16));
        NDArray contextIndices = manager.create(new long[][] {{0, 1, 2, 3, 4}, {3, 4, 5, 6, 7}});
        NDArray targetIndices = manager.create(new long[][] {{5, 6, 7}, {0, 1, 2}});

        NDArray out =
                predictor
                        .forward(store, new NDList(context, contextIndices, targetIndices), false)
                        .head();

        assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 16));
        assertThat(predictor.getOutputShapes(predictor.inputShapes(2, 5, 3)))
                .containsExactly(new Shape(2, 3, 16));
        assertThat(predictor.getOutputDim()).isEqualTo(16);
    }

    @Test
    void forwardLeavesNoArraysWithParameters() {
        // The position table lives with the parameters; per-call arrays must go with the inputs,
        // so closing the caller's manager after a step frees them.
        VisionTransformerPredictor predictor = predictor(VisionTransformerTest.videoConfig(1), 3);
        predictor.forward(
                store,
                new NDList(
                        manager.randomNormal(new Shape(2, 5, 16)),
                        manager.create(new long[][] {{0, 1, 2, 3, 4}, {3, 4, 5, 6, 7}}),
                        manager.create(new long[][] {{5, 6, 7}, {0, 1, 2}})),
                false);
        int parameterArrays = manager.getManagedArrays().size();

        for (int call = 0; call < 3; call++) {
            try (NDManager step = manager.newSubManager()) {
                NDArray context = step.randomNormal(new Shape(2, 5, 16));
                NDArray contextIndices =
                        step.create(new long[][] {{0, 1, 2, 3, 4}, {3, 4, 5, 6, 7}});
                NDArray targetIndices = step.create(new long[][] {{5, 6, 7}, {0, 1, 2}});
                predictor.forward(store, new NDList(context, contextIndices, targetIndices), false);
            }
        }

        assertThat(manager.getManagedArrays()).hasSize(parameterArrays);
    }

    @Test
    void predictionsDependOnTargetPosition() {
        // The same context with the same mask token must give different predictions at
        // different target positions: only the position embedding distinguishes them.
        VisionTransformerConfig encoder = VisionTransformerTest.imageConfig(1);
        VisionTransformerPredictor predictor = predictor(encoder, 2);
        NDArray context = manager.randomNormal(new Shape(1, 2, 8));
        NDArray contextIndices = manager.create(new long[][] {{0, 1}});
        NDArray targetIndices = manager.create(new long[][] {{2, 5}});

        NDArray out =
                predictor
                        .forward(store, new NDList(context, contextIndices, targetIndices), false)
                        .head();

        assertThat(out.get("0, 0, :").toFloatArray())
                .isNotEqualTo(out.get("0, 1, :").toFloatArray());
    }

    @Test
    void parameterCountMatchesAnalyticCount() {
        VisionTransformerConfig encoder = VisionTransformerTest.videoConfig(1);
        VisionTransformerPredictor predictor = predictor(encoder, 3);

        assertThat(VisionTransformerTest.countParameters(predictor))
                .isEqualTo(NARROW.parameterCount(16, 16));
        assertThat(predictor.getParameters().keys()).allMatch(name -> name.contains("predictor"));
        assertThat(predictor.getMaskToken().getArray().getShape()).isEqualTo(new Shape(1, 1, 8));
    }

    @Test
    void wrongInputsRejected() {
        VisionTransformerPredictor predictor = predictor(VisionTransformerTest.videoConfig(1), 4);
        NDArray context = manager.randomNormal(new Shape(2, 5, 16));
        NDArray shortIndices = manager.create(new long[][] {{0, 1, 2}, {3, 4, 5}});
        NDArray targets = manager.create(new long[][] {{6}, {7}});

        assertThatThrownBy(
                        () ->
                                predictor.forward(
                                        store, new NDList(context, shortIndices, targets), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "VisionTransformerPredictor expects NDList(contextTokens [B, K, 16]")
                .hasMessageContaining("contextIndices (2, 3)");
        assertThatThrownBy(() -> predictor.forward(store, new NDList(context), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 1 arrays");
    }

    @Test
    void builderNamesMissingConfigs() {
        assertThatThrownBy(() -> VisionTransformerPredictor.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoderConfig is missing: call setEncoderConfig")
                .hasMessageContaining("predictorConfig is missing: call setPredictorConfig");
    }

    @Test
    void modelConfigSetsBothParts() {
        SaltModelConfig model = VisionTransformerPresets.image28();
        VisionTransformerPredictor predictor =
                VisionTransformerPredictor.builder().setModelConfig(model).build();

        assertThat(predictor.getEncoderConfig()).isEqualTo(model.getEncoder());
        assertThat(predictor.getPredictorConfig()).isEqualTo(model.getPredictor());
    }
}
