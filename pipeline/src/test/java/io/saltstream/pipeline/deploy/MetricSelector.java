package io.saltstream.pipeline.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PromQL vector selector on a Flink metric, such as {@code
 * flink_taskmanager_job_task_operator_saltstream_modelVersion{operator_name="encoder"}}: a metric
 * name and label matchers ({@code =}, {@code !=}, {@code =~}, {@code !~}). Grafana variables
 * ({@code $job}, {@code ${job}}) in a regex matcher match any value, like Grafana's "All".
 */
record MetricSelector(String expression, String name, List<LabelMatcher> matchers) {

    /** One label matcher of a selector. */
    record LabelMatcher(String label, String operator, String value) {

        boolean matches(Map<String, String> labels) {
            String actual = labels.getOrDefault(label, "");
            switch (operator) {
                case "=":
                    return actual.equals(value);
                case "!=":
                    return !actual.equals(value);
                case "=~":
                    return Pattern.matches(withVariablesAsWildcards(value), actual);
                case "!~":
                    return !Pattern.matches(withVariablesAsWildcards(value), actual);
                default:
                    throw new IllegalStateException("unknown label operator " + operator);
            }
        }
    }

    private static final Pattern SELECTOR =
            Pattern.compile("\\b(flink_[a-zA-Z0-9_:]*)\\s*(\\{([^}]*)\\})?");
    private static final Pattern MATCHER =
            Pattern.compile(
                    "\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*\\}?");

    /**
     * Returns every selector of a Flink metric ({@code flink_*}) in a PromQL expression.
     *
     * @throws IllegalArgumentException for a label matcher that does not parse, or a Grafana
     *     variable in an exact matcher, where it would match only the variable's literal text
     */
    static List<MetricSelector> findAll(String expression) {
        List<MetricSelector> selectors = new ArrayList<>();
        Matcher selector = SELECTOR.matcher(expression);
        while (selector.find()) {
            List<LabelMatcher> matchers = new ArrayList<>();
            String body = selector.group(3);
            if (body != null && !body.isBlank()) {
                for (String part : body.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
                    matchers.add(parseMatcher(part, expression));
                }
            }
            selectors.add(new MetricSelector(selector.group(0), selector.group(1), matchers));
        }
        return selectors;
    }

    /** Returns whether a scraped sample has this name and satisfies every matcher. */
    boolean matches(ScrapedMetrics.Sample sample) {
        if (!sample.name().equals(name)) {
            return false;
        }
        for (LabelMatcher matcher : matchers) {
            if (!matcher.matches(sample.labels())) {
                return false;
            }
        }
        return true;
    }

    private static LabelMatcher parseMatcher(String text, String expression) {
        Matcher matcher = MATCHER.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "label matcher '" + text.strip() + "' in '" + expression + "' does not parse");
        }
        String operator = matcher.group(2);
        String value = matcher.group(3);
        if ((operator.equals("=") || operator.equals("!=")) && VARIABLE.matcher(value).find()) {
            throw new IllegalArgumentException(
                    "label matcher '"
                            + text.strip()
                            + "' in '"
                            + expression
                            + "' compares with a Grafana variable exactly; use =~ so that the"
                            + " variable's \"All\" value (.*) works");
        }
        return new LabelMatcher(matcher.group(1), operator, value);
    }

    private static String withVariablesAsWildcards(String regex) {
        return VARIABLE.matcher(regex).replaceAll(".*");
    }
}
