package io.saltstream.pipeline.config;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.utils.Utils;

/** Factories of the {@link OptionRule}s that {@link SaltstreamOptions} attaches to its options. */
public final class OptionRules {

    /** Kafka's rule for topic names: 1 to 249 of these characters, and not "." or "..". */
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private OptionRules() {}

    /** Accepts every value. */
    public static <T> OptionRule<T> any() {
        return value -> Optional.empty();
    }

    /** Requires an integer of at least {@code min}. */
    public static <T extends Number> OptionRule<T> atLeast(long min) {
        return value ->
                value.longValue() >= min
                        ? Optional.empty()
                        : Optional.of("must be at least " + min);
    }

    /** Requires a number of at least {@code min}. */
    public static OptionRule<Double> atLeast(double min) {
        return value -> value >= min ? Optional.empty() : Optional.of("must be at least " + min);
    }

    /** Requires a number above 0. */
    public static OptionRule<Double> positive() {
        return value -> value > 0 ? Optional.empty() : Optional.of("must be greater than 0");
    }

    /** Requires a string with at least one non-space character. */
    public static OptionRule<String> notBlank() {
        return value -> value.isBlank() ? Optional.of("must not be empty") : Optional.empty();
    }

    /** Requires a duration of at least {@code min} and at most {@code max}. */
    public static OptionRule<Duration> durationBetween(Duration min, Duration max) {
        return value -> {
            if (value.compareTo(min) < 0) {
                return Optional.of("must be at least " + render(min));
            }
            if (value.compareTo(max) > 0) {
                return Optional.of("must be at most " + render(max));
            }
            return Optional.empty();
        };
    }

    /** Requires 0 (off) or a duration of at least {@code min}. */
    public static OptionRule<Duration> zeroOrAtLeast(Duration min) {
        return value ->
                value.isZero() || value.compareTo(min) >= 0
                        ? Optional.empty()
                        : Optional.of("must be 0 (off) or at least " + render(min));
    }

    /** Requires a size of at least {@code min} bytes and at most {@link Integer#MAX_VALUE}. */
    public static OptionRule<MemorySize> intSizeAtLeast(MemorySize min) {
        return value -> {
            if (value.compareTo(min) < 0) {
                return Optional.of("must be at least " + min);
            }
            if (value.getBytes() > Integer.MAX_VALUE) {
                return Optional.of("must be below 2 gb, Kafka's limit for record sizes");
            }
            return Optional.empty();
        };
    }

    /** Requires one of {@code names}. */
    public static OptionRule<String> oneOf(Collection<String> names) {
        Set<String> sorted = new TreeSet<>(names);
        return value ->
                sorted.contains(value)
                        ? Optional.empty()
                        : Optional.of("must be one of " + String.join(", ", sorted));
    }

    /** Requires a legal Kafka topic name. */
    public static OptionRule<String> topicName() {
        return value ->
                TOPIC_NAME.matcher(value).matches() && !value.equals(".") && !value.equals("..")
                        ? Optional.empty()
                        : Optional.of(
                                "must be a Kafka topic name: 1 to 249 letters, digits, '.', '_'"
                                        + " or '-', and not '.' or '..'");
    }

    /** Requires comma-separated host:port pairs with ports from 1 to 65535. */
    public static OptionRule<String> hostPorts() {
        return value -> {
            for (String server : value.split(",", -1)) {
                String address = server.strip();
                Integer port = Utils.getPort(address);
                if (Utils.getHost(address) == null || port == null || port < 1 || port > 65535) {
                    return Optional.of(
                            "must be comma-separated host:port pairs, and '"
                                    + address
                                    + "' is not one");
                }
            }
            return Optional.empty();
        };
    }

    /**
     * Requires a "min,max" range value with min <= max and both ends in ({@code lower}, {@code
     * upper}]; an infinite {@code upper} leaves the ends unbounded above.
     */
    public static OptionRule<String> range(double lower, double upper) {
        String bounds =
                Double.isInfinite(upper)
                        ? "both ends greater than " + lower
                        : "both ends in (" + lower + ", " + upper + "]";
        return value -> {
            ValueRange range;
            try {
                range = ValueRange.parse(value);
            } catch (IllegalArgumentException e) {
                return Optional.of(
                        "must be \"min,max\" with min <= max and "
                                + bounds
                                + ": "
                                + e.getMessage());
            }
            if (range.min() <= lower || range.max() > upper) {
                return Optional.of("must have " + bounds);
            }
            return Optional.empty();
        };
    }

    /**
     * Requires Kafka client properties that the Kafka consumer or producer configuration defines
     * and that the job does not set itself.
     *
     * @param reserved property names the job sets, each mapped to the reason, such as "set
     *     'kafka.group-id' instead"
     */
    public static OptionRule<Map<String, String>> kafkaProperties(Map<String, String> reserved) {
        return properties -> {
            for (String property : properties.keySet()) {
                if (reserved.containsKey(property)) {
                    return Optional.of(
                            "must not set '" + property + "': " + reserved.get(property));
                }
                if (!ConsumerConfig.configNames().contains(property)
                        && !ProducerConfig.configNames().contains(property)) {
                    return Optional.of(
                            "contains '"
                                    + property
                                    + "', which is not a Kafka consumer or producer setting");
                }
            }
            return Optional.empty();
        };
    }

    /** Renders a duration the way the option parser reads it back, such as "60 s". */
    static String render(Duration duration) {
        return TimeUtils.formatWithHighestUnit(duration);
    }
}
