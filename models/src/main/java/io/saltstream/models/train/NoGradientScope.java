package io.saltstream.models.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtEngine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's autograd recording off for the current thread until {@link #close()}, which
 * restores the previous mode. Use it for forward passes that need no gradients (the frozen teacher,
 * encoding) and for in-place parameter updates, which PyTorch rejects on leaf arrays that require a
 * gradient while recording is on.
 *
 * <pre>{@code
 * try (NoGradientScope ignored = NoGradientScope.open()) {
 *     NDArray tokens = encoder.forward(...);
 * }
 * }</pre>
 *
 * <p><b>NOTE:</b> PyTorch keeps the mode per thread, and a thread that DJL did not initialise
 * starts with recording on, so code that runs on Flink task threads must open this scope
 * explicitly. With an engine other than PyTorch the scope does nothing.
 */
public final class NoGradientScope implements AutoCloseable {

    private final boolean pytorch;
    private final boolean previousMode;

    private NoGradientScope(boolean pytorch, boolean previousMode) {
        this.pytorch = pytorch;
        this.previousMode = previousMode;
    }

    /** Turns gradient recording off on this thread and returns the scope that restores it. */
    public static NoGradientScope open() {
        boolean pytorch = PtEngine.ENGINE_NAME.equals(Engine.getInstance().getEngineName());
        if (!pytorch) {
            return new NoGradientScope(false, false);
        }
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return new NoGradientScope(true, previous);
    }

    /** Restores the recording mode that was active when the scope was opened. */
    @Override
    public void close() {
        if (pytorch) {
            JniUtils.setGradMode(previousMode);
        }
    }
}
