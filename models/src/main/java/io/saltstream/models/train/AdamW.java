package io.saltstream.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization",
 * 2019), with state that can be exported for checkpoints.
 *
 * <p>For each parameter {@code p} with gradient {@code g}, at optimiser step {@code t} (1 for the
 * first update), learning rate {@code lr} and weight decay {@code wd}:
 *
 * <pre>
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * p = p * (1 - lr * wd)                                 only where decay is enabled
 * p = p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
 * </pre>
 *
 * <p>This is the update of PyTorch's {@code torch.optim.AdamW}. DJL ships an Adam optimizer, but it
 * keeps the moments private, so they could not be checkpointed or restored.
 *
 * <p>Weight decay is off for parameters where {@link #decaysByDefault(String, Shape)} returns
 * false: biases and other 1-D arrays, normalisation parameters, position embeddings and mask
 * tokens.
 *
 * <p>The first and second moments live in a sub-manager of the manager given to the builder and
 * have the shape and data type of their parameter. {@link #getState()} exposes them by name: {@code
 * <parameter>.first_moment} and {@code <parameter>.second_moment}.
 *
 * <p>Not thread-safe: call {@link #step(double, double)} from one thread at a time.
 */
public final class AdamW implements AutoCloseable {

    /** Suffix of the first-moment slot of a parameter in {@link #getState()}. */
    public static final String FIRST_MOMENT_SUFFIX = ".first_moment";

    /** Suffix of the second-moment slot of a parameter in {@link #getState()}. */
    public static final String SECOND_MOMENT_SUFFIX = ".second_moment";

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final NDManager manager;
    private final List<Slot> slots;
    private long step;

    private AdamW(Builder builder) {
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
        this.manager = builder.manager.newSubManager();
        this.manager.setName("adamw");
        List<Slot> created = new ArrayList<>(builder.parameters.size());
        for (Map.Entry<String, NDArray> entry : builder.parameters.entrySet()) {
            NDArray parameter = entry.getValue();
            NDArray first = manager.zeros(parameter.getShape(), parameter.getDataType());
            NDArray second = manager.zeros(parameter.getShape(), parameter.getDataType());
            boolean decay =
                    builder.decayOverrides.getOrDefault(
                            entry.getKey(), decaysByDefault(entry.getKey(), parameter.getShape()));
            created.add(new Slot(entry.getKey(), parameter, decay, first, second));
        }
        this.slots = Collections.unmodifiableList(created);
    }

    /** Creates a builder; the manager and at least one parameter are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns whether a parameter gets weight decay unless the builder overrides it: false for 1-D
     * arrays (biases, LayerNorm gain and shift) and for names that contain {@code norm}, {@code
     * mask_token}, {@code pos_embed} or {@code position} (ignoring case and underscores, so {@code
     * predictorMaskToken} matches), true otherwise.
     *
     * @param name the parameter name
     * @param shape the parameter shape
     */
    public static boolean decaysByDefault(String name, Shape shape) {
        if (shape.dimension() <= 1) {
            return false;
        }
        // Lower case without underscores, so "mask_token" and DJL's "predictorMaskToken" match.
        String plain = name.toLowerCase(Locale.ROOT).replace("_", "");
        return !(plain.contains("norm")
                || plain.contains("masktoken")
                || plain.contains("posembed")
                || plain.contains("position"));
    }

    /**
     * Applies one update to every parameter from its current gradient, in place and without
     * recording gradients. Gradients are read, not cleared: the caller zeroes them.
     *
     * @param learningRate the learning rate, finite and at least 0
     * @param weightDecay the decoupled weight decay coefficient, finite and at least 0
     * @throws IllegalArgumentException if a rate is negative or not finite
     */
    public void step(double learningRate, double weightDecay) {
        WarmupCosineSchedule.requireNonNegative("learningRate", learningRate);
        WarmupCosineSchedule.requireNonNegative("weightDecay", weightDecay);
        step++;
        double firstCorrection = 1.0 - Math.pow(beta1, step);
        double secondCorrectionRoot = Math.sqrt(1.0 - Math.pow(beta2, step));
        float stepSize = (float) (learningRate / firstCorrection);
        float decayFactor = (float) (1.0 - learningRate * weightDecay);
        try (NoGradientScope ignored = NoGradientScope.open()) {
            for (Slot slot : slots) {
                // NDScope closes the gradient view and every temporary created in this block.
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray gradient = slot.parameter.getGradient();
                    slot.firstMoment.muli((float) beta1).addi(gradient.mul((float) (1 - beta1)));
                    slot.secondMoment
                            .muli((float) beta2)
                            .addi(gradient.square().muli((float) (1 - beta2)));
                    if (slot.decay && weightDecay > 0) {
                        slot.parameter.muli(decayFactor);
                    }
                    NDArray denominator =
                            slot.secondMoment
                                    .sqrt()
                                    .divi((float) secondCorrectionRoot)
                                    .addi((float) epsilon);
                    slot.parameter.subi(slot.firstMoment.div(denominator).muli(stepSize));
                }
            }
        }
    }

    /** Sets both moments of every parameter to zero and the step counter to 0. */
    public void reset() {
        try (NoGradientScope ignored = NoGradientScope.open()) {
            for (Slot slot : slots) {
                slot.firstMoment.set(zeros(slot.firstMoment));
                slot.secondMoment.set(zeros(slot.secondMoment));
            }
        }
        step = 0;
    }

    private static byte[] zeros(NDArray array) {
        return new byte[Math.toIntExact(array.size() * array.getDataType().getNumOfBytes())];
    }

    /**
     * Returns the moment arrays by slot name, in parameter order, first moment before second. The
     * arrays are the optimizer's own: write into them to restore a state, never close them.
     */
    public Map<String, NDArray> getState() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (Slot slot : slots) {
            state.put(slot.name + FIRST_MOMENT_SUFFIX, slot.firstMoment);
            state.put(slot.name + SECOND_MOMENT_SUFFIX, slot.secondMoment);
        }
        return Collections.unmodifiableMap(state);
    }

    /** Returns the optimised parameters by name, in the order they were added. */
    public Map<String, NDArray> getParameters() {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (Slot slot : slots) {
            parameters.put(slot.name, slot.parameter);
        }
        return Collections.unmodifiableMap(parameters);
    }

    /** Returns whether weight decay applies to the named parameter. */
    public boolean isDecayed(String parameterName) {
        for (Slot slot : slots) {
            if (slot.name.equals(parameterName)) {
                return slot.decay;
            }
        }
        throw new IllegalArgumentException(
                "parameter " + parameterName + " is not optimised by this AdamW");
    }

    /** Returns the number of updates applied so far (the {@code t} of the bias correction). */
    public long getStep() {
        return step;
    }

    /**
     * Sets the step counter, for restoring a checkpoint together with {@link #getState()}.
     *
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public void setStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        this.step = step;
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    public double getEpsilon() {
        return epsilon;
    }

    /** Releases the moment arrays; the parameters stay open. */
    @Override
    public void close() {
        manager.close();
    }

    private static final class Slot {
        final String name;
        final NDArray parameter;
        final boolean decay;
        final NDArray firstMoment;
        final NDArray secondMoment;

        Slot(
                String name,
                NDArray parameter,
                boolean decay,
                NDArray firstMoment,
                NDArray secondMoment) {
            this.name = name;
            this.parameter = parameter;
            this.decay = decay;
            this.firstMoment = firstMoment;
            this.secondMoment = secondMoment;
        }
    }

    /** Builder for {@link AdamW}. */
    public static final class Builder {

        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private NDManager manager;
        private final Map<String, NDArray> parameters = new LinkedHashMap<>();
        private final Map<String, Boolean> decayOverrides = new LinkedHashMap<>();

        private Builder() {}

        /** Sets the decay rate of the first moment, in [0, 1) (default 0.9). */
        public Builder optBeta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        /** Sets the decay rate of the second moment, in [0, 1) (default 0.999). */
        public Builder optBeta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        /** Sets the term added to the denominator, greater than 0 (default 1e-8). */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Sets the manager under which the moments are allocated (required). */
        public Builder setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        /**
         * Adds a parameter; weight decay follows {@link #decaysByDefault(String, Shape)}.
         *
         * @param name a unique name, used for the checkpoint slots
         * @param parameter a floating-point array that requires a gradient
         */
        public Builder addParameter(String name, NDArray parameter) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("parameter name must not be empty");
            }
            if (parameter == null) {
                throw new IllegalArgumentException("parameter " + name + " must not be null");
            }
            if (parameters.containsKey(name)) {
                throw new IllegalArgumentException("parameter " + name + " was added twice");
            }
            parameters.put(name, parameter);
            return this;
        }

        /** Adds a parameter with an explicit choice of weight decay. */
        public Builder addParameter(String name, NDArray parameter, boolean decay) {
            addParameter(name, parameter);
            decayOverrides.put(name, decay);
            return this;
        }

        /**
         * Builds the optimizer with zero moments and step 0.
         *
         * @throws IllegalArgumentException if a hyper-parameter is out of range, a parameter does
         *     not require a gradient or is not floating point, or none was added
         * @throws IllegalStateException if the manager is missing or closed
         */
        public AdamW build() {
            requireUnitInterval("beta1", beta1);
            requireUnitInterval("beta2", beta2);
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException(
                        "epsilon must be a finite number > 0, got " + epsilon);
            }
            if (manager == null || !manager.isOpen()) {
                throw new IllegalStateException("AdamW needs an open NDManager; call setManager");
            }
            if (parameters.isEmpty()) {
                throw new IllegalArgumentException(
                        "AdamW needs at least one parameter; call addParameter");
            }
            for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
                NDArray parameter = entry.getValue();
                if (!parameter.hasGradient()) {
                    throw new IllegalArgumentException(
                            "parameter "
                                    + entry.getKey()
                                    + " does not require a gradient; frozen parameters must not"
                                    + " be added to the optimizer");
                }
                DataType type = parameter.getDataType();
                if (!type.isFloating()) {
                    throw new IllegalArgumentException(
                            "parameter "
                                    + entry.getKey()
                                    + " has data type "
                                    + type
                                    + ", expected a floating-point type");
                }
            }
            return new AdamW(this);
        }

        private static void requireUnitInterval(String key, double value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException(key + " must be in [0, 1), got " + value);
            }
        }
    }
}
