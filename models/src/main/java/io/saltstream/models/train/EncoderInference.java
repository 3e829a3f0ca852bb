package io.saltstream.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.saltstream.models.vit.VisionTransformer;

/**
 * Encoding with a trained {@link VisionTransformer} and no gradients: JEPA embeddings are the
 * encoder's tokens over the whole grid, mean-pooled.
 *
 * <p>Dimensions: B batch, C channels, T frames, H×W pixels, N tokens of the grid, D token width.
 * Inputs are [B, C, H, W] images or [B, C, T, H, W] clips, float32, normalised as for training, on
 * any device: they are copied to the encoder's device when needed and never closed or changed.
 */
public final class EncoderInference {

    private EncoderInference() {}

    /**
     * Encodes a batch into one vector per sample, the mean of its N tokens.
     *
     * @param encoder an initialised encoder
     * @param manager the manager whose device runs the encoder; temporary arrays live in a
     *     sub-manager that is closed before returning
     * @param batch [B, C, H, W] or [B, C, T, H, W]
     * @return [B][D]
     */
    public static float[][] meanPooled(
            VisionTransformer encoder, NDManager manager, NDArray batch) {
        try (NDManager scope = manager.newSubManager();
                NoGradientScope ignored = NoGradientScope.open()) {
            NDArray tokens = forward(encoder, scope, batch);
            // [B, N, D] -> [B, D]
            NDArray pooled = tokens.mean(new int[] {1});
            return toMatrix(pooled);
        }
    }

    /**
     * Encodes a batch into its token grid.
     *
     * @return [B][N][D], token n at grid position n = (t·H′ + h)·W′ + w
     */
    public static float[][][] tokens(VisionTransformer encoder, NDManager manager, NDArray batch) {
        try (NDManager scope = manager.newSubManager();
                NoGradientScope ignored = NoGradientScope.open()) {
            NDArray tokens = forward(encoder, scope, batch);
            Shape shape = tokens.getShape();
            int samples = Math.toIntExact(shape.get(0));
            int count = Math.toIntExact(shape.get(1));
            int width = Math.toIntExact(shape.get(2));
            float[] flat = tokens.toFloatArray();
            float[][][] result = new float[samples][count][width];
            for (int b = 0; b < samples; b++) {
                for (int n = 0; n < count; n++) {
                    System.arraycopy(flat, (b * count + n) * width, result[b][n], 0, width);
                }
            }
            return result;
        }
    }

    /** Runs the encoder on every token of the batch: [B, C, (T,) H, W] -> [B, N, D]. */
    static NDArray forward(VisionTransformer encoder, NDManager scope, NDArray batch) {
        NDArray input = attachInput(batch, scope);
        ParameterStore parameters = new ParameterStore(scope, false);
        return encoder.forward(parameters, new NDList(input), false).singletonOrThrow();
    }

    /**
     * Returns {@code batch} on the device of {@code scope}, attached to it until it closes, so that
     * every array computed from it lands in {@code scope} (DJL attaches results to the manager of
     * their first operand). The caller's array goes back to its own manager when the scope closes.
     */
    static NDArray attachInput(NDArray batch, NDManager scope) {
        if (batch.getDevice().equals(scope.getDevice())) {
            batch.tempAttach(scope);
            return batch;
        }
        // NOTE: only the same-device branch above has run in tests, because no GPU was available.
        NDManager source = scope.newSubManager(batch.getDevice());
        batch.tempAttach(source);
        NDArray copy = batch.toDevice(scope.getDevice(), false);
        copy.attach(scope);
        return copy;
    }

    private static float[][] toMatrix(NDArray matrix) {
        Shape shape = matrix.getShape();
        int rows = Math.toIntExact(shape.get(0));
        int columns = Math.toIntExact(shape.get(1));
        float[] flat = matrix.toFloatArray();
        float[][] result = new float[rows][columns];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(flat, row * columns, result[row], 0, columns);
        }
        return result;
    }
}
