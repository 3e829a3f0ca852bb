package io.saltstream.pipeline.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of one scrape in Prometheus' text exposition format: name, labels and value. */
final class ScrapedMetrics {

    /** One sample line: a metric name, its labels and its value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+).*$");
    private static final Pattern LABEL =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;
    private final List<Sample> samples;

    private ScrapedMetrics(String text, List<Sample> samples) {
        this.text = text;
        this.samples = List.copyOf(samples);
    }

    /**
     * Parses an exposition text.
     *
     * @throws IllegalArgumentException for a line that is neither a comment nor a sample
     */
    static ScrapedMetrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new IllegalArgumentException("not a Prometheus sample line: '" + line + "'");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(3) != null) {
                Matcher label = LABEL.matcher(sample.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(sample.group(1), labels, value(sample.group(4), line)));
        }
        return new ScrapedMetrics(text, samples);
    }

    private static double value(String text, String line) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "sample value '" + text + "' is not a number in '" + line + "'", e);
                }
        }
    }

    /**
     * Fetches {@code url} once.
     *
     * @throws IOException when the server cannot be reached or returns a status other than 200
     */
    static ScrapedMetrics scrape(HttpClient client, URI url) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while scraping " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("scraping " + url + " returned HTTP " + response.statusCode());
        }
        return parse(response.body());
    }

    List<Sample> samples() {
        return samples;
    }

    /** Returns the exposition text this was parsed from. */
    String text() {
        return text;
    }

    /** Returns the distinct metric names, sorted. */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(sample -> names.add(sample.name()));
        return names;
    }

    /** Returns whether any sample matches {@code selector}. */
    boolean matches(MetricSelector selector) {
        return samples.stream().anyMatch(selector::matches);
    }

    /** Returns the sum of the values of the samples named {@code name}; 0 when there are none. */
    double sum(String name) {
        double sum = 0;
        for (Sample sample : samples) {
            if (sample.name().equals(name)) {
                sum += sample.value();
            }
        }
        return sum;
    }

    /** Returns the label sets of the samples named {@code name}, for failure messages. */
    List<Map<String, String>> labelsOf(String name) {
        List<Map<String, String>> labels = new ArrayList<>();
        for (Sample sample : samples) {
            if (sample.name().equals(name)) {
                labels.add(sample.labels());
            }
        }
        return labels;
    }
}
