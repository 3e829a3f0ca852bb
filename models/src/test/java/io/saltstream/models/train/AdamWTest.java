package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Sets the gradient of {@code parameter} to {@code gradient} through a real backward pass. */
    private static void setGradient(NDArray parameter, float[] gradient) {
        try (NDManager scope = parameter.getManager().newSubManager()) {
            NDArray weights = scope.create(gradient, parameter.getShape());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray old = parameter.getGradient();
                old.subi(old);
                old.close();
                NDArray loss = parameter.mul(weights).sum();
                loss.attach(scope);
                collector.backward(loss);
            }
        }
    }

    private NDArray parameter(float[] values, Shape shape) {
        NDArray array = manager.create(values, shape);
        array.setRequiresGradient(true);
        return array;
    }

    @Test
    void matchesReferenceUpdateOverThreeSteps() {
        float[] initial = {0.5f, -1.0f, 2.0f, 0.1f};
        NDArray weight = parameter(initial, new Shape(2, 2));
        float[][] gradients = {
            {0.1f, -0.2f, 0.3f, 0.0f}, {-0.4f, 0.5f, 0.05f, 1.0f}, {0.2f, 0.2f, -0.6f, -0.3f}
        };
        double[] learningRates = {1e-2, 5e-3, 2e-3};
        double[] weightDecays = {0.1, 0.2, 0.3};
        double beta1 = 0.9;
        double beta2 = 0.99;
        double epsilon = 1e-6;

        double[] expected = new double[4];
        double[] first = new double[4];
        double[] second = new double[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = initial[i];
        }
        try (AdamW adamw =
                AdamW.builder()
                        .setManager(manager)
                        .optBeta1(beta1)
                        .optBeta2(beta2)
                        .optEpsilon(epsilon)
                        .addParameter("blocks.00.mlp.fc1.weight", weight)
                        .build()) {
            for (int t = 1; t <= 3; t++) {
                float[] g = gradients[t - 1];
                setGradient(weight, g);
                adamw.step(learningRates[t - 1], weightDecays[t - 1]);
                for (int i = 0; i < 4; i++) {
                    first[i] = beta1 * first[i] + (1 - beta1) * g[i];
                    second[i] = beta2 * second[i] + (1 - beta2) * g[i] * g[i];
                    double firstHat = first[i] / (1 - Math.pow(beta1, t));
                    double secondHat = second[i] / (1 - Math.pow(beta2, t));
                    expected[i] *= 1 - learningRates[t - 1] * weightDecays[t - 1];
                    expected[i] -=
                            learningRates[t - 1] * firstHat / (Math.sqrt(secondHat) + epsilon);
                }
            }
            float[] actual = weight.toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat((double) actual[i])
                        .as("element %d", i)
                        .isCloseTo(expected[i], within(1e-6));
            }
            float[] firstMoment =
                    adamw.getState()
                            .get("blocks.00.mlp.fc1.weight" + AdamW.FIRST_MOMENT_SUFFIX)
                            .toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat((double) firstMoment[i]).isCloseTo(first[i], within(1e-7));
            }
            assertThat(adamw.getStep()).isEqualTo(3);
        }
    }

    @Test
    void zeroGradientOnlyDecays() {
        NDArray weight = parameter(new float[] {1f, -2f, 4f, 8f}, new Shape(2, 2));
        NDArray bias = parameter(new float[] {1f, -2f}, new Shape(2));
        try (AdamW adamw =
                AdamW.builder()
                        .setManager(manager)
                        .addParameter("head.weight", weight)
                        .addParameter("head.bias", bias)
                        .build()) {
            setGradient(weight, new float[4]);
            setGradient(bias, new float[2]);
            adamw.step(0.1, 0.5);
            // A zero gradient leaves both moments at 0, so only the decay factor 1 - 0.1 * 0.5
            // acts.
            assertThat(weight.toFloatArray()).containsExactly(0.95f, -1.9f, 3.8f, 7.6f);
            assertThat(bias.toFloatArray()).containsExactly(1f, -2f);
        }
    }

    @Test
    void decayRuleExcludesNormsTokensAndVectors() {
        assertThat(AdamW.decaysByDefault("blocks.00.attention.qkv.weight", new Shape(384, 128)))
                .isTrue();
        assertThat(AdamW.decaysByDefault("blocks.00.attention.qkv.bias", new Shape(384))).isFalse();
        assertThat(AdamW.decaysByDefault("blocks.00.norm1.gamma", new Shape(1, 128))).isFalse();
        assertThat(AdamW.decaysByDefault("predictor.mask_token", new Shape(1, 1, 64))).isFalse();
        assertThat(AdamW.decaysByDefault("predictor.03predictorMaskToken", new Shape(1, 1, 64)))
                .isFalse();
        assertThat(AdamW.decaysByDefault("pos_embed", new Shape(1, 49, 128))).isFalse();
        assertThat(AdamW.decaysByDefault("01LayerNorm_gamma", new Shape(128))).isFalse();
    }

    @Test
    void decayOverrideWins() {
        NDArray bias = parameter(new float[] {1f, 2f}, new Shape(2));
        try (AdamW adamw =
                AdamW.builder().setManager(manager).addParameter("bias", bias, true).build()) {
            assertThat(adamw.isDecayed("bias")).isTrue();
        }
    }

    @Test
    void stateExportedInParameterOrder() {
        NDArray first = parameter(new float[] {1f, 2f}, new Shape(1, 2));
        NDArray second = parameter(new float[] {3f}, new Shape(1));
        try (AdamW adamw =
                AdamW.builder()
                        .setManager(manager)
                        .addParameter("a", first)
                        .addParameter("b", second)
                        .build()) {
            assertThat(adamw.getState().keySet())
                    .containsExactly(
                            "a.first_moment",
                            "a.second_moment",
                            "b.first_moment",
                            "b.second_moment");
            assertThat(adamw.getState().get("a.second_moment").getShape())
                    .isEqualTo(new Shape(1, 2));
            assertThat(adamw.getParameters().keySet()).containsExactly("a", "b");
        }
    }

    @Test
    void resetZeroesMomentsAndStep() {
        NDArray weight = parameter(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2));
        try (AdamW adamw = AdamW.builder().setManager(manager).addParameter("w", weight).build()) {
            setGradient(weight, new float[] {1f, 1f, 1f, 1f});
            adamw.step(0.01, 0.0);
            assertThat(adamw.getState().get("w.first_moment").toFloatArray()[0]).isNotZero();
            adamw.reset();
            assertThat(adamw.getStep()).isZero();
            assertThat(adamw.getState().get("w.first_moment").toFloatArray()).containsOnly(0f);
            assertThat(adamw.getState().get("w.second_moment").toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void stepLeavesNoArraysBehind() {
        NDArray weight = parameter(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2));
        try (AdamW adamw = AdamW.builder().setManager(manager).addParameter("w", weight).build()) {
            setGradient(weight, new float[] {1f, 1f, 1f, 1f});
            adamw.step(0.01, 0.1);
            int before = manager.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                adamw.step(0.01, 0.1);
            }
            assertThat(manager.getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void frozenParameterRejected() {
        NDArray frozen = manager.create(new float[] {1f}, new Shape(1));
        assertThatThrownBy(
                        () ->
                                AdamW.builder()
                                        .setManager(manager)
                                        .addParameter("teacher.norm.gamma", frozen)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parameter teacher.norm.gamma does not require a gradient");
    }

    @Test
    void betaOutOfRangeRejected() {
        NDArray weight = parameter(new float[] {1f}, new Shape(1));
        assertThatThrownBy(
                        () ->
                                AdamW.builder()
                                        .setManager(manager)
                                        .optBeta2(1.0)
                                        .addParameter("w", weight)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("beta2 must be in [0, 1), got 1.0");
    }

    @Test
    void duplicateNameRejected() {
        NDArray weight = parameter(new float[] {1f}, new Shape(1));
        assertThatThrownBy(
                        () -> AdamW.builder().addParameter("w", weight).addParameter("w", weight))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter w was added twice");
    }

    @Test
    void missingManagerRejected() {
        NDArray weight = parameter(new float[] {1f}, new Shape(1));
        assertThatThrownBy(() -> AdamW.builder().addParameter("w", weight).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("AdamW needs an open NDManager; call setManager");
    }

    @Test
    void negativeLearningRateRejected() {
        NDArray weight = parameter(new float[] {1f}, new Shape(1));
        try (AdamW adamw = AdamW.builder().setManager(manager).addParameter("w", weight).build()) {
            assertThatThrownBy(() -> adamw.step(-0.1, 0.0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("learningRate must be a finite number >= 0, got -0.1");
            assertThat(adamw.getStep()).isZero();
        }
    }
}
