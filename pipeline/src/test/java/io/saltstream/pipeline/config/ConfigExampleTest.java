package io.saltstream.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Keeps docs/config-example.yaml in step with the registered options. */
class ConfigExampleTest {

    /** Surefire runs in the module folder; the docs folder is next to it. */
    private static final Path EXAMPLE = Path.of("..", "docs", "config-example.yaml");

    @Test
    void exampleLoadsWithoutErrors() {
        assertThat(EXAMPLE).exists();

        SaltstreamConfigLoader.load(EXAMPLE);
    }

    @Test
    void exampleListsEveryOption() throws IOException {
        Set<String> paths = new HashSet<>();
        try (Reader reader = Files.newBufferedReader(EXAMPLE)) {
            Map<String, Object> root = new Yaml().load(reader);
            collectPaths("", root, paths);
        }

        for (RegisteredOption<?> option : SaltstreamOptions.all()) {
            assertThat(paths).as("docs/config-example.yaml lacks a key").contains(option.key());
        }
    }

    @Test
    void exampleValuesAreTheDefaults() {
        Configuration config = SaltstreamConfigLoader.load(EXAMPLE);

        for (RegisteredOption<?> option : SaltstreamOptions.all()) {
            Object documented = config.getOptional(option.option()).orElse(null);
            Object expected =
                    option.option().hasDefaultValue() ? option.option().defaultValue() : null;
            if (option.isRange()) {
                // Ranges are written as lists there, so compare the parsed ranges.
                documented =
                        documented == null
                                ? null
                                : ValueRange.parse(option.key(), (String) documented);
                expected = ValueRange.parse(option.key(), (String) expected);
            }
            assertThat(documented).as(option.key()).isEqualTo(expected);
        }
    }

    @SuppressWarnings("unchecked")
    private static void collectPaths(String prefix, Map<String, Object> mapping, Set<String> out) {
        for (Map.Entry<String, Object> entry : mapping.entrySet()) {
            String path = prefix + entry.getKey();
            out.add(path);
            if (entry.getValue() instanceof Map) {
                collectPaths(path + ".", (Map<String, Object>) entry.getValue(), out);
            }
        }
    }
}
