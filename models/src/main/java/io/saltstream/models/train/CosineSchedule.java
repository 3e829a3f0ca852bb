package io.saltstream.models.train;

/**
 * Cosine schedule from {@code startValue} at step 0 to {@code finalValue} at {@code totalSteps},
 * used for the weight decay: {@code final + (start - final) * (1 + cos(pi * s / T)) / 2} for a
 * zero-based step {@code s < T}, and {@code final} from step {@code T} on.
 *
 * <p>The final value may be larger than the start value; V-JEPA, for example, raises the weight
 * decay from 0.04 to 0.4 over training.
 */
public final class CosineSchedule {

    private final double startValue;
    private final double finalValue;
    private final long totalSteps;

    /**
     * Creates a schedule.
     *
     * @param startValue the value at step 0, finite and at least 0
     * @param finalValue the value at {@code totalSteps} and afterwards, finite and at least 0
     * @param totalSteps the length of the schedule, at least 1
     * @throws IllegalArgumentException if a value is out of range
     */
    public CosineSchedule(double startValue, double finalValue, long totalSteps) {
        WarmupCosineSchedule.requireNonNegative("startValue", startValue);
        WarmupCosineSchedule.requireNonNegative("finalValue", finalValue);
        if (totalSteps < 1) {
            throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
        }
        this.startValue = startValue;
        this.finalValue = finalValue;
        this.totalSteps = totalSteps;
    }

    /**
     * Returns the value at a zero-based step.
     *
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public double valueAt(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (step == 0) {
            return startValue;
        }
        if (step >= totalSteps) {
            return finalValue;
        }
        double progress = (double) step / totalSteps;
        return finalValue + (startValue - finalValue) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }

    public double getStartValue() {
        return startValue;
    }

    public double getFinalValue() {
        return finalValue;
    }

    public long getTotalSteps() {
        return totalSteps;
    }

    @Override
    public String toString() {
        return "CosineSchedule{start="
                + startValue
                + ", final="
                + finalValue
                + ", totalSteps="
                + totalSteps
                + '}';
    }
}
