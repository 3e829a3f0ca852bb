package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    private NDManager manager;
    private NDArray first;
    private NDArray second;

    @BeforeEach
    void createParameters() {
        manager = NDManager.newBaseManager();
        first = manager.create(new float[] {1f, 1f}, new Shape(2));
        second = manager.create(new float[] {1f, 1f, 1f, 1f}, new Shape(2, 2));
        first.setRequiresGradient(true);
        second.setRequiresGradient(true);
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Gives the parameters the gradients (3, 0) and (0, 0, 4, 0): global norm 5. */
    private void backward(float scale) {
        try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray a = scope.create(new float[] {3f * scale, 0f}, new Shape(2));
            NDArray b = scope.create(new float[] {0f, 0f, 4f * scale, 0f}, new Shape(2, 2));
            NDArray loss = first.mul(a).sum().add(second.mul(b).sum());
            loss.attach(scope);
            collector.backward(loss);
        }
    }

    private static float[] gradient(NDArray parameter) {
        try (NDArray gradient = parameter.getGradient()) {
            return gradient.toFloatArray();
        }
    }

    @Test
    void normBelowMaxLeavesGradients() {
        backward(1f);
        double norm = GradientClipping.clipGlobalNorm(List.of(first, second), 10.0);
        assertThat(norm).isCloseTo(5.0, within(1e-6));
        assertThat(gradient(first)).containsExactly(3f, 0f);
        assertThat(gradient(second)).containsExactly(0f, 0f, 4f, 0f);
    }

    @Test
    void normAboveMaxScalesAll() {
        backward(1f);
        double norm = GradientClipping.clipGlobalNorm(List.of(first, second), 1.0);
        assertThat(norm).isCloseTo(5.0, within(1e-6));
        assertThat(gradient(first)[0]).isCloseTo(0.6f, within(1e-5f));
        assertThat(gradient(second)[2]).isCloseTo(0.8f, within(1e-5f));
        double after = GradientClipping.clipGlobalNorm(List.of(first, second), 0.0);
        assertThat(after).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void zeroMaxOnlyMeasures() {
        backward(2f);
        double norm = GradientClipping.clipGlobalNorm(List.of(first, second), 0.0);
        assertThat(norm).isCloseTo(10.0, within(1e-5));
        assertThat(gradient(first)).containsExactly(6f, 0f);
    }

    @Test
    void nonFiniteNormReturnedUnscaled() {
        backward(Float.NaN);
        double norm = GradientClipping.clipGlobalNorm(List.of(first, second), 1.0);
        assertThat(norm).isNaN();
    }

    @Test
    void negativeMaxRejected() {
        assertThatThrownBy(() -> GradientClipping.clipGlobalNorm(List.of(first), -1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxNorm must be >= 0 (0 turns clipping off), got -1.0");
    }

    @Test
    void clippingLeavesNoArraysBehind() {
        backward(1f);
        GradientClipping.clipGlobalNorm(List.of(first, second), 1.0);
        int before = manager.getManagedArrays().size();
        GradientClipping.clipGlobalNorm(List.of(first, second), 1.0);
        assertThat(manager.getManagedArrays()).hasSize(before);
    }
}
