package io.saltstream.operators.train;

import java.util.Locale;

/**
 * Handling of clips that arrive faster than {@link SaltTrainerOperator} trains: the values of
 * {@code train.policy}.
 */
public enum TrainingPolicy {

    /**
     * Trains on every clip that is not held out for quality metrics. The step runs on the task
     * thread when a batch is full, so a slow step backpressures the source; for replaying a topic.
     */
    ALL,

    /**
     * Keeps the newest {@code train.buffer-size} clips in a buffer that a dedicated training thread
     * takes batches from, and drops (and counts) the oldest when the buffer is full. The task
     * thread waits for a step only when a checkpoint is taken; for live streams.
     */
    LATEST;

    /**
     * Parses an option value, ignoring case.
     *
     * @param value {@code all} or {@code latest}
     * @return the policy
     * @throws IllegalArgumentException if the value names no policy
     */
    public static TrainingPolicy parse(String value) {
        if (value != null) {
            for (TrainingPolicy policy : values()) {
                if (policy.name().equalsIgnoreCase(value.trim())) {
                    return policy;
                }
            }
        }
        throw new IllegalArgumentException(
                "train.policy is '" + value + "' but must be one of: all, latest");
    }

    /** Returns the option value, {@code all} or {@code latest}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
