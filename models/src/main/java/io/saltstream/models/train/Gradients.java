package io.saltstream.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.Collection;

/** Gradient housekeeping that DJL's PyTorch engine leaves to the caller. */
final class Gradients {

    private Gradients() {}

    /**
     * Sets the gradient of every parameter to zero, in place. DJL's PyTorch engine adds each
     * backward pass to the stored gradients, and its GradientCollector does not clear them. The
     * values are overwritten rather than subtracted, so NaN and infinite gradients are cleared too.
     */
    static void zero(Collection<NDArray> parameters) {
        try (NoGradientScope ignored = NoGradientScope.open();
                NDScope arrays = new NDScope()) {
            arrays.suppressNotUsedWarning();
            NDIndex all = new NDIndex("...");
            for (NDArray parameter : parameters) {
                parameter.getGradient().set(all, 0f);
            }
        }
    }
}
