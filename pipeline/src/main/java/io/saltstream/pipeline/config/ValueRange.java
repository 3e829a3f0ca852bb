package io.saltstream.pipeline.config;

import java.util.Locale;

/**
 * A closed range [min, max] of a range option such as {@code mask.spatial-scale}.
 *
 * @param min lower end, at most {@code max}
 * @param max upper end
 */
public record ValueRange(double min, double max) {

    /**
     * Checks that both ends are finite and {@code min <= max}.
     *
     * @throws IllegalArgumentException otherwise
     */
    public ValueRange {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException(
                    "range ends must be finite numbers, got [" + min + ", " + max + "]");
        }
        if (min > max) {
            throw new IllegalArgumentException("range min " + min + " is greater than max " + max);
        }
    }

    /**
     * Parses "min,max" or a single number (min = max). Square brackets around the list are allowed,
     * so the text of a YAML flow list parses too.
     *
     * @param key option key, named in the error message
     * @param text the value
     * @throws IllegalArgumentException naming the key and the value when the text is not one or two
     *     finite numbers or when min > max
     */
    public static ValueRange parse(String key, String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "invalid value '" + text + "' for '" + key + "': " + e.getMessage(), e);
        }
    }

    /** Parses like {@link #parse(String, String)}; the error message holds only the broken rule. */
    static ValueRange parse(String text) {
        String body = text.strip();
        if (body.startsWith("[") && body.endsWith("]")) {
            body = body.substring(1, body.length() - 1);
        }
        String[] parts = body.split(",", -1);
        if (parts.length > 2 || body.isBlank()) {
            throw new IllegalArgumentException("expected \"min,max\" or a single number");
        }
        double min = parseEnd(parts[0]);
        double max = parts.length == 2 ? parseEnd(parts[1]) : min;
        return new ValueRange(min, max);
    }

    /** Returns "min,max", the form {@link #parse(String, String)} reads. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s,%s", min, max);
    }

    private static double parseEnd(String end) {
        try {
            double value = Double.parseDouble(end.strip());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("'" + end.strip() + "' is not a finite number");
    }
}
