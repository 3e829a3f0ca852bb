package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientsTest {

    private static float[] gradient(NDArray parameter) {
        try (NDArray gradient = parameter.getGradient()) {
            return gradient.toFloatArray();
        }
    }

    private static void backward(NDArray parameter, float[] weights) {
        try (NDManager scope = parameter.getManager().newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = parameter.mul(scope.create(weights, parameter.getShape())).sum();
            loss.attach(scope);
            collector.backward(loss);
        }
    }

    @Test
    void zeroClearsNonFiniteGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray parameter = manager.create(new float[] {1f, 2f, 3f}, new Shape(3));
            parameter.setRequiresGradient(true);
            backward(parameter, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 2f});
            assertThat(gradient(parameter)[0]).isNaN();
            int arrays = manager.getManagedArrays().size();

            Gradients.zero(List.of(parameter));

            assertThat(gradient(parameter)).containsExactly(0f, 0f, 0f);
            assertThat(manager.getManagedArrays()).hasSize(arrays);
            assertThat(parameter.toFloatArray()).containsExactly(1f, 2f, 3f);
        }
    }

    @Test
    void zeroedGradientsDoNotAccumulate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray parameter = manager.create(new float[] {1f, 2f}, new Shape(2));
            parameter.setRequiresGradient(true);
            backward(parameter, new float[] {3f, 4f});
            backward(parameter, new float[] {3f, 4f});
            // Without zeroing, PyTorch adds the second backward pass to the first.
            assertThat(gradient(parameter)).containsExactly(6f, 8f);
            Gradients.zero(List.of(parameter));
            backward(parameter, new float[] {3f, 4f});
            assertThat(gradient(parameter)).containsExactly(3f, 4f);
        }
    }
}
