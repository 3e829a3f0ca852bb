package io.saltstream.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The panels, queries and variables of a Grafana dashboard JSON file. */
final class GrafanaDashboard {

    /** One PromQL query and where it comes from: a panel title or a variable name. */
    record Query(String source, String expression) {}

    private final JsonNode root;

    private GrafanaDashboard(JsonNode root) {
        this.root = root;
    }

    /**
     * Reads a dashboard file.
     *
     * @throws UncheckedIOException when the file cannot be read or is not JSON
     */
    static GrafanaDashboard load(Path file) {
        try {
            return new GrafanaDashboard(new ObjectMapper().readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read the dashboard " + file, e);
        }
    }

    JsonNode root() {
        return root;
    }

    /** Returns every panel, with the panels of collapsed rows, in file order. */
    List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            panels.add(panel);
            for (JsonNode nested : panel.path("panels")) {
                panels.add(nested);
            }
        }
        return panels;
    }

    /** Returns the titles of the panels that show data (rows excluded). */
    Set<String> panelTitles() {
        Set<String> titles = new LinkedHashSet<>();
        for (JsonNode panel : panels()) {
            if (!"row".equals(panel.path("type").asText())) {
                titles.add(panel.path("title").asText());
            }
        }
        return titles;
    }

    /** Returns the queries of every panel target and every query variable. */
    List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query(panel.path("title").asText(), target.path("expr").asText()));
            }
        }
        for (JsonNode variable : root.path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asText())) {
                continue;
            }
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asText() : query.asText();
            queries.add(new Query("variable $" + variable.path("name").asText(), text));
        }
        return queries;
    }

    /** Returns the selectors of Flink metrics in every query, each once, in order. */
    List<MetricSelector> selectors() {
        Set<String> seen = new LinkedHashSet<>();
        List<MetricSelector> selectors = new ArrayList<>();
        for (Query query : queries()) {
            for (MetricSelector selector : MetricSelector.findAll(query.expression())) {
                if (seen.add(selector.expression())) {
                    selectors.add(selector);
                }
            }
        }
        return selectors;
    }
}
