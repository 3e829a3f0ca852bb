package io.saltstream.pipeline.config;

import java.util.Optional;

/**
 * A check of one option value, such as "must be at least 1".
 *
 * @param <T> type of the option value
 */
@FunctionalInterface
public interface OptionRule<T> {

    /**
     * Checks a value.
     *
     * @param value the value, never {@code null}
     * @return the rule the value breaks, phrased to follow the value ("must be at least 1"), or
     *     empty when the value is valid
     */
    Optional<String> violation(T value);

    /** Returns a rule that holds when both this rule and {@code other} hold. */
    default OptionRule<T> and(OptionRule<T> other) {
        return value -> {
            Optional<String> first = violation(value);
            return first.isPresent() ? first : other.violation(value);
        };
    }
}
