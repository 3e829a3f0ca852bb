package io.saltstream.models.train;

/**
 * Learning-rate schedule: a linear warm-up from {@code startValue} to {@code peakValue}, then a
 * cosine decay from {@code peakValue} to {@code finalValue}.
 *
 * <pre>{@code
 * WarmupCosineSchedule schedule =
 *         WarmupCosineSchedule.builder()
 *                 .optStartValue(1e-6)
 *                 .setPeakValue(1e-3)
 *                 .optFinalValue(1e-6)
 *                 .optWarmupSteps(100)
 *                 .setTotalSteps(10_000)
 *                 .build();
 * double learningRate = schedule.valueAt(step);
 * }</pre>
 *
 * <p>With {@code s} the zero-based step, {@code W} the warm-up steps and {@code T} the total steps:
 *
 * <ul>
 *   <li>{@code s < W}: {@code start + (s / W) * (peak - start)}, so step 0 gets {@code start};
 *   <li>{@code W <= s < T}: {@code final + (peak - final) * (1 + cos(pi * (s - W) / (T - W))) / 2},
 *       so step {@code W} gets {@code peak};
 *   <li>{@code s >= T}: {@code final}, so a stream that runs longer than planned keeps training at
 *       the final value.
 * </ul>
 *
 * <p>The schedule is a pure function of the step, so a restored trainer resumes it exactly.
 */
public final class WarmupCosineSchedule {

    private final double startValue;
    private final double peakValue;
    private final double finalValue;
    private final long warmupSteps;
    private final long totalSteps;

    private WarmupCosineSchedule(Builder builder) {
        this.startValue = builder.startValue;
        this.peakValue = builder.peakValue;
        this.finalValue = builder.finalValue;
        this.warmupSteps = builder.warmupSteps;
        this.totalSteps = builder.totalSteps;
    }

    /** Creates a builder; {@code peakValue} and {@code totalSteps} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the value at a zero-based step.
     *
     * @param step the number of steps taken before this one, at least 0
     * @return the scheduled value
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public double valueAt(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (step < warmupSteps) {
            return startValue + (peakValue - startValue) * step / warmupSteps;
        }
        if (step >= totalSteps) {
            return finalValue;
        }
        if (step == warmupSteps) {
            // Exact, where the formula below could be off by rounding.
            return peakValue;
        }
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return finalValue + (peakValue - finalValue) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }

    public double getStartValue() {
        return startValue;
    }

    public double getPeakValue() {
        return peakValue;
    }

    public double getFinalValue() {
        return finalValue;
    }

    public long getWarmupSteps() {
        return warmupSteps;
    }

    public long getTotalSteps() {
        return totalSteps;
    }

    @Override
    public String toString() {
        return "WarmupCosineSchedule{start="
                + startValue
                + ", peak="
                + peakValue
                + ", final="
                + finalValue
                + ", warmupSteps="
                + warmupSteps
                + ", totalSteps="
                + totalSteps
                + '}';
    }

    /** Builder for {@link WarmupCosineSchedule}. */
    public static final class Builder {

        private double startValue;
        private double peakValue = Double.NaN;
        private double finalValue;
        private long warmupSteps;
        private long totalSteps = -1;

        private Builder() {}

        /** Sets the value at step 0, the start of the warm-up (default 0). */
        public Builder optStartValue(double startValue) {
            this.startValue = startValue;
            return this;
        }

        /** Sets the value reached at the end of the warm-up (required). */
        public Builder setPeakValue(double peakValue) {
            this.peakValue = peakValue;
            return this;
        }

        /** Sets the value reached at {@code totalSteps} and kept afterwards (default 0). */
        public Builder optFinalValue(double finalValue) {
            this.finalValue = finalValue;
            return this;
        }

        /** Sets the number of linear warm-up steps (default 0: start at the peak). */
        public Builder optWarmupSteps(long warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        /** Sets the step at which the cosine decay ends (required, at least 1). */
        public Builder setTotalSteps(long totalSteps) {
            this.totalSteps = totalSteps;
            return this;
        }

        /**
         * Builds the schedule.
         *
         * @throws IllegalArgumentException if a value is negative or not finite, the peak or the
         *     total steps are missing, or the warm-up is longer than the schedule
         */
        public WarmupCosineSchedule build() {
            requireNonNegative("startValue", startValue);
            if (Double.isNaN(peakValue)) {
                throw new IllegalArgumentException("peakValue is required; call setPeakValue");
            }
            requireNonNegative("peakValue", peakValue);
            requireNonNegative("finalValue", finalValue);
            if (totalSteps < 1) {
                throw new IllegalArgumentException(
                        "totalSteps must be >= 1, got " + totalSteps + "; call setTotalSteps");
            }
            if (warmupSteps < 0 || warmupSteps > totalSteps) {
                throw new IllegalArgumentException(
                        "warmupSteps must be in [0, totalSteps="
                                + totalSteps
                                + "], got "
                                + warmupSteps);
            }
            return new WarmupCosineSchedule(this);
        }
    }

    static void requireNonNegative(String key, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(key + " must be a finite number >= 0, got " + value);
        }
    }
}
