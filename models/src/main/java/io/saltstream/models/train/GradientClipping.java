package io.saltstream.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.Collection;

/**
 * Global L2-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} does it.
 *
 * <p>The norm is taken over all gradients together: {@code n = sqrt(sum_i ||g_i||^2)}. When {@code
 * n > maxNorm}, every gradient is multiplied in place by {@code maxNorm / (n + 1e-6)}, which keeps
 * the direction of the update and bounds its size. DJL's {@code optClipGrad} clips each element
 * separately, which changes the direction, so it is not used.
 */
public final class GradientClipping {

    /** Added to the norm before dividing, as PyTorch does, so a tiny norm cannot overflow. */
    private static final double NORM_EPSILON = 1e-6;

    private GradientClipping() {}

    /**
     * Computes the global L2 norm of the parameters' gradients and scales them down in place when
     * the norm is above {@code maxNorm}. A non-finite norm is returned unchanged and the gradients
     * are left as they are, so the caller can skip the step.
     *
     * @param parameters arrays that require a gradient; their gradients must have been computed
     * @param maxNorm the largest allowed norm; {@code 0} or {@link Double#POSITIVE_INFINITY} only
     *     measures
     * @return the norm before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN, or {@code parameters}
     *     is empty
     */
    public static double clipGlobalNorm(Collection<NDArray> parameters, double maxNorm) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException(
                    "maxNorm must be >= 0 (0 turns clipping off), got " + maxNorm);
        }
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("parameters must not be empty");
        }
        try (NoGradientScope ignored = NoGradientScope.open();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList gradients = new NDList(parameters.size());
            NDList squaredNorms = new NDList(parameters.size());
            for (NDArray parameter : parameters) {
                NDArray gradient = parameter.getGradient();
                gradients.add(gradient);
                squaredNorms.add(gradient.square().sum());
            }
            // One read of a scalar, so a GPU synchronises once per step, not once per parameter.
            double norm = Math.sqrt(NDArrays.stack(squaredNorms).sum().getFloat());
            if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) {
                float scale = (float) (maxNorm / (norm + NORM_EPSILON));
                for (NDArray gradient : gradients) {
                    gradient.muli(scale);
                }
            }
            return norm;
        }
    }
}
