package io.saltstream.pipeline.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The documents of a YAML file, with path lookups for the deploy tests. */
final class YamlDocuments {

    private YamlDocuments() {}

    /**
     * Parses every document of {@code file}; empty documents are skipped.
     *
     * @throws org.yaml.snakeyaml.error.YAMLException when the file is not valid YAML
     * @throws IllegalArgumentException when a document is not a mapping
     */
    static List<Map<String, Object>> load(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : yaml.loadAll(DeployFiles.read(file))) {
            if (document == null) {
                continue;
            }
            if (!(document instanceof Map)) {
                throw new IllegalArgumentException(
                        file + " has a document that is not a mapping: " + document);
            }
            documents.add(asMap(document, file.toString()));
        }
        return documents;
    }

    /** Returns the one document of {@code file} with the given {@code kind}. */
    static Map<String, Object> ofKind(Path file, String kind) {
        List<Map<String, Object>> matches = new ArrayList<>();
        for (Map<String, Object> document : load(file)) {
            if (kind.equals(document.get("kind"))) {
                matches.add(document);
            }
        }
        if (matches.size() != 1) {
            throw new IllegalArgumentException(
                    file
                            + " has "
                            + matches.size()
                            + " documents of kind "
                            + kind
                            + ", expected 1");
        }
        return matches.get(0);
    }

    /**
     * Returns the value at a dotted path such as {@code spec.job.jarURI}, or null when a segment is
     * missing. A segment {@code [name=x]} selects the list element whose {@code name} is x.
     */
    static Object at(Map<String, Object> root, String path) {
        Object current = root;
        for (String segment : path.split("\\.(?![^\\[]*\\])")) {
            if (current == null) {
                return null;
            }
            if (segment.startsWith("[") && segment.endsWith("]")) {
                current = element(current, segment.substring(1, segment.length() - 1));
            } else if (current instanceof Map) {
                current = ((Map<?, ?>) current).get(segment);
            } else {
                return null;
            }
        }
        return current;
    }

    /** Returns the mapping at {@code path}, failing with the path when it is missing. */
    static Map<String, Object> mapAt(Map<String, Object> root, String path) {
        Object value = at(root, path);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(path + " is not a mapping: " + value);
        }
        return asMap(value, path);
    }

    /** Returns the value at {@code path} as text: null when missing, else its string form. */
    static String textAt(Map<String, Object> root, String path) {
        Object value = at(root, path);
        return value == null ? null : String.valueOf(value);
    }

    private static Object element(Object list, String selector) {
        if (!(list instanceof List)) {
            return null;
        }
        String[] keyValue = selector.split("=", 2);
        for (Object item : (List<?>) list) {
            if (item instanceof Map && keyValue[1].equals(((Map<?, ?>) item).get(keyValue[0]))) {
                return item;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value, String where) {
        for (Object key : ((Map<?, ?>) value).keySet()) {
            if (!(key instanceof String)) {
                throw new IllegalArgumentException(where + " has a key that is not text: " + key);
            }
        }
        return (Map<String, Object>) value;
    }
}
