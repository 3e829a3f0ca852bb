package io.saltstream.pipeline.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;

/**
 * One registered option: the Flink {@link ConfigOption}, its value type, its command-line flag and
 * its {@link OptionRule}. Parses text values into the option type.
 *
 * @param <T> type of the option value
 */
public final class RegisteredOption<T> {

    private final ConfigOption<T> option;
    private final Class<T> type;
    private final String flag;
    private final OptionRule<T> rule;
    private final boolean range;

    RegisteredOption(
            ConfigOption<T> option, Class<T> type, String flag, OptionRule<T> rule, boolean range) {
        this.option = option;
        this.type = type;
        this.flag = flag;
        this.rule = rule;
        this.range = range;
    }

    /** Returns the Flink option. */
    public ConfigOption<T> option() {
        return option;
    }

    /** Returns the option key, such as {@code kafka.bootstrap-servers}. */
    public String key() {
        return option.key();
    }

    /**
     * Returns the value type: String, Integer, Long, Double, Duration, MemorySize, Map or an enum.
     */
    public Class<T> type() {
        return type;
    }

    /** Returns the command-line flag that sets this option, such as {@code --bootstrap-servers}. */
    public Optional<String> flag() {
        return Optional.ofNullable(flag);
    }

    /** Returns the option's description as plain text. */
    public String description() {
        StringBuilder text = new StringBuilder();
        for (BlockElement block : option.description().getBlocks()) {
            if (block instanceof TextElement) {
                text.append(((TextElement) block).getFormat());
            }
        }
        return text.toString();
    }

    /** Returns whether the value is a "min,max" range, which YAML may also write as a list. */
    public boolean isRange() {
        return range;
    }

    /** Returns whether the value is a map of properties, set as {@code KEY.NAME} entries. */
    public boolean isMap() {
        return type == Map.class;
    }

    /**
     * Returns the rule a value breaks, such as "must be at least 1", or empty when the value is
     * valid.
     */
    public Optional<String> violation(T value) {
        return rule.violation(value);
    }

    /**
     * Checks a value and throws when it breaks the rule.
     *
     * @param where location of the value for the message, such as " in demo.yaml line 3", or ""
     * @throws IllegalArgumentException naming the key, the value and the rule
     */
    void check(T value, String where) {
        Optional<String> violation = rule.violation(value);
        if (violation.isPresent()) {
            throw new IllegalArgumentException(
                    "invalid value '"
                            + render(value)
                            + "' for '"
                            + key()
                            + "'"
                            + where
                            + ": "
                            + violation.get());
        }
    }

    /**
     * Parses a text value into the option type.
     *
     * @throws IllegalArgumentException when the text is not a value of the type; the message is
     *     {@link #expectedType()} only, for the caller to place
     */
    @SuppressWarnings("unchecked")
    T parse(String text) {
        String value = text.strip();
        if (type == String.class) {
            return (T) value;
        }
        if (type.isEnum()) {
            String normalized = value.toLowerCase(Locale.ROOT).replace('_', '-');
            for (T constant : type.getEnumConstants()) {
                if (constant.toString().equals(normalized)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(expectedType());
        }
        if (isMap()) {
            throw new IllegalStateException(
                    "'" + key() + "' is a map option; set its entries as '" + key() + ".NAME'");
        }
        T parsed;
        try {
            // Flink's own conversion, so values read the same here as in a Flink configuration.
            parsed = Configuration.fromMap(Map.of(key(), value)).get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(expectedType(), e);
        }
        if (parsed instanceof Double && !Double.isFinite((Double) parsed)) {
            throw new IllegalArgumentException(expectedType());
        }
        return parsed;
    }

    /** Describes the values {@link #parse} accepts, such as "an integer". */
    String expectedType() {
        if (type == Integer.class) {
            return "expected an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == Long.class) {
            return "expected an integer";
        }
        if (type == Double.class) {
            return "expected a finite number, such as 0.5 or 1e-3";
        }
        if (type == Duration.class) {
            return "expected a duration, such as '500 ms', '30 s' or '5 min'";
        }
        if (type == MemorySize.class) {
            return "expected a size, such as '512 kb' or '16 mb'";
        }
        if (type.isEnum()) {
            return "expected one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(Object::toString)
                            .collect(Collectors.joining(", "));
        }
        if (isMap()) {
            return "expected a mapping of property names to values";
        }
        return "expected a text value";
    }

    /** Renders a value of this option the way {@link #parse} reads it back. */
    String render(Object value) {
        if (value instanceof Duration) {
            return OptionRules.render((Duration) value);
        }
        if (value instanceof Map) {
            return ((Map<?, ?>) value)
                    .entrySet().stream()
                            .map(e -> e.getKey() + "=" + renderProperty(e.getKey(), e.getValue()))
                            .collect(Collectors.joining(", ", "{", "}"));
        }
        return String.valueOf(value);
    }

    /** Renders a property value, masking it when the name marks it as a secret. */
    static String renderProperty(Object name, Object value) {
        String lower = String.valueOf(name).toLowerCase(Locale.ROOT);
        boolean secret =
                lower.contains("password")
                        || lower.contains("secret")
                        || lower.contains("jaas")
                        || lower.endsWith(".key");
        return secret ? "******" : String.valueOf(value);
    }

    @Override
    public String toString() {
        return key();
    }
}
