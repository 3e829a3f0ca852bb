package io.saltstream.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device-side copy of the trainable parameters and the optimiser state, taken after a run of
 * finite steps, to fall back to after repeated non-finite losses.
 */
final class GoodState implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();
    private final long optimizerStep;
    private final long trainerStep;

    private GoodState(NDManager manager, long optimizerStep, long trainerStep) {
        this.manager = manager;
        this.optimizerStep = optimizerStep;
        this.trainerStep = trainerStep;
    }

    /**
     * Copies the parameters and the optimiser slots into a new sub-manager of {@code parent}.
     *
     * @param trainerStep the trainer's step count, for log messages
     */
    static GoodState capture(
            NDManager parent, Map<String, NDArray> parameters, AdamW optimizer, long trainerStep) {
        NDManager manager = parent.newSubManager();
        manager.setName("good-state");
        GoodState state = new GoodState(manager, optimizer.getStep(), trainerStep);
        try (NoGradientScope ignored = NoGradientScope.open()) {
            state.copyAll(parameters);
            state.copyAll(optimizer.getState());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return state;
    }

    private void copyAll(Map<String, NDArray> arrays) {
        for (Map.Entry<String, NDArray> entry : arrays.entrySet()) {
            // duplicate() clones on the array's device; toDevice(device, true) would alias it.
            NDArray copy = entry.getValue().duplicate();
            copy.attach(manager);
            copies.put(entry.getKey(), copy);
        }
    }

    /** Writes the copies back into the parameters and the optimiser, in place. */
    void restore(Map<String, NDArray> parameters, AdamW optimizer) {
        try (NoGradientScope ignored = NoGradientScope.open()) {
            writeBack(parameters);
            writeBack(optimizer.getState());
        }
        optimizer.setStep(optimizerStep);
    }

    private void writeBack(Map<String, NDArray> targets) {
        for (Map.Entry<String, NDArray> entry : targets.entrySet()) {
            NDArray copy = copies.get(entry.getKey());
            if (copy == null) {
                throw new IllegalStateException(
                        "no saved copy of " + entry.getKey() + "; the good state is out of date");
            }
            // set() replaces the values even where the target contains NaN or infinity.
            entry.getValue().set(copy.toByteBuffer());
        }
    }

    /** Returns the trainer's step count when the copy was taken. */
    long getTrainerStep() {
        return trainerStep;
    }

    @Override
    public void close() {
        manager.close();
    }
}
