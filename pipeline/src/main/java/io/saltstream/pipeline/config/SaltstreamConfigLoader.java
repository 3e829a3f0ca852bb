package io.saltstream.pipeline.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads the saltstream configuration from a YAML or {@code .properties} file plus command-line
 * overrides into a Flink {@link Configuration} with typed values, and checks it.
 *
 * <pre>{@code
 * Configuration config =
 *         SaltstreamConfigLoader.builder()
 *                 .optFile(Path.of("demo.yaml"))
 *                 .addSetArgument("optimization.lr=5e-4")               // from --set
 *                 .addOverride("kafka.bootstrap-servers", "127.0.0.1:9092", "--bootstrap-servers")
 *                 .build()
 *                 .load();
 * LOG.info("{}", SaltstreamConfigLoader.describe(config));
 * }</pre>
 *
 * <p>YAML files hold nested mappings, flattened to dotted keys ({@code kafka: {group-id: g}} is
 * {@code kafka.group-id}); dotted keys may also be written directly. Range options such as {@code
 * mask.spatial-scale} take "min,max" or a list {@code [min, max]}. A YAML {@code null} leaves an
 * optional option unset. Entries of {@code kafka.properties} are written as {@code
 * kafka.properties.NAME}, or nested under {@code properties:}.
 *
 * <p>Unknown keys are errors that name the key, the file and line, and the closest known key.
 * Values that do not parse are errors that name the key, the value and the expected type. Each
 * value is then checked against its {@link OptionRule}, and the configuration against {@link
 * SaltstreamOptions#validate}'s rules that relate options. Overrides win over the file, and each
 * file value they replace is logged at WARN. A key set twice in one file, or twice among the
 * overrides, is an error.
 */
public final class SaltstreamConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(SaltstreamConfigLoader.class);

    private static final String PROPERTIES_PREFIX = KafkaOptions.PROPERTIES.key() + ".";

    private final Path file;
    private final List<Setting> overrides;

    private SaltstreamConfigLoader(Path file, List<Setting> overrides) {
        this.file = file;
        this.overrides = List.copyOf(overrides);
    }

    /** Returns a builder with no file and no overrides: {@link #load} then gives the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads {@code file} with no overrides.
     *
     * @throws IllegalArgumentException when the file cannot be read or contains an invalid setting
     */
    public static Configuration load(Path file) {
        return builder().optFile(file).build().load();
    }

    /**
     * Reads the file, applies the overrides, parses and checks every value.
     *
     * @return a configuration that contains a typed value for each key set in the file or the
     *     overrides; other keys read as their defaults
     * @throws IllegalArgumentException for an unreadable file, invalid YAML, an unknown key, a
     *     value of the wrong type, a value that breaks a rule, or a key set twice in one source
     */
    public Configuration load() {
        Configuration config = new Configuration();
        Map<String, String> kafkaProperties = new LinkedHashMap<>();
        for (Setting setting : mergeSettings().values()) {
            if (setting.key.startsWith(PROPERTIES_PREFIX)) {
                kafkaProperties.put(propertyName(setting), requireValue(setting));
            } else {
                apply(config, setting);
            }
        }
        if (!kafkaProperties.isEmpty()) {
            config.set(KafkaOptions.PROPERTIES, kafkaProperties);
        }
        SaltstreamOptions.checkRelations(config);
        return config;
    }

    /** Returns the file's settings with the overrides applied, keyed by option key. */
    private Map<String, Setting> mergeSettings() {
        Map<String, Setting> settings = new LinkedHashMap<>();
        if (file != null) {
            for (Setting setting : readFile(file)) {
                Setting earlier = settings.put(setting.key, setting);
                if (earlier != null) {
                    throw new IllegalArgumentException(
                            "'"
                                    + setting.key
                                    + "' is set twice,"
                                    + earlier.where
                                    + " and"
                                    + setting.where);
                }
            }
        }
        Map<String, Setting> overridden = new LinkedHashMap<>();
        for (Setting override : overrides) {
            Setting earlierOverride = overridden.put(override.key, override);
            if (earlierOverride != null) {
                throw new IllegalArgumentException(
                        "'"
                                + override.key
                                + "' is set twice on the command line,"
                                + earlierOverride.where
                                + " and"
                                + override.where
                                + "; keep one");
            }
            Setting fromFile = settings.put(override.key, override);
            if (fromFile != null) {
                LOG.warn(
                        "'{}' = {}{} is overridden{} with {}",
                        override.key,
                        display(fromFile),
                        fromFile.where,
                        override.where,
                        display(override));
            }
        }
        return settings;
    }

    /**
     * Renders every option of {@code config}, one per line with its value, marking defaults and
     * unset optional options, for the start-up INFO log. Values of Kafka properties whose name
     * marks them as secret (passwords, JAAS configs, keys) are masked.
     */
    public static String describe(ReadableConfig config) {
        List<RegisteredOption<?>> specs = SaltstreamOptions.all();
        int width = specs.stream().mapToInt(spec -> spec.key().length()).max().orElse(0);
        StringBuilder lines = new StringBuilder();
        int set = 0;
        for (RegisteredOption<?> spec : specs) {
            Optional<?> value = config.getOptional(spec.option());
            String rendered;
            if (value.isPresent()) {
                set++;
                rendered = spec.render(value.get());
            } else if (spec.option().hasDefaultValue()) {
                rendered = spec.render(spec.option().defaultValue()) + "  (default)";
            } else {
                rendered = "(not set)";
            }
            lines.append(System.lineSeparator())
                    .append("  ")
                    .append(String.format(Locale.ROOT, "%-" + width + "s", spec.key()))
                    .append(" = ")
                    .append(rendered);
        }
        return "saltstream configuration ("
                + set
                + " of "
                + specs.size()
                + " options set):"
                + lines;
    }

    private static void apply(Configuration config, Setting setting) {
        RegisteredOption<?> spec =
                SaltstreamOptions.find(setting.key).orElseThrow(() -> unknownKey(setting));
        applyTyped(config, spec, setting);
    }

    private static <T> void applyTyped(
            Configuration config, RegisteredOption<T> spec, Setting setting) {
        if (setting.value == null && !spec.option().hasDefaultValue()) {
            // A YAML null leaves an optional option unset.
            return;
        }
        if (spec.isMap()) {
            throw new IllegalArgumentException(
                    "'"
                            + spec.key()
                            + "'"
                            + setting.where
                            + " takes its entries as '"
                            + PROPERTIES_PREFIX
                            + "NAME', such as '"
                            + PROPERTIES_PREFIX
                            + "security.protocol'");
        }
        if (setting.value == null) {
            throw new IllegalArgumentException(
                    "'"
                            + spec.key()
                            + "'"
                            + setting.where
                            + " has no value; give one or remove the line to keep the default '"
                            + spec.render(spec.option().defaultValue())
                            + "'");
        }
        if (setting.list && !spec.isRange()) {
            throw new IllegalArgumentException(
                    "invalid value "
                            + setting.value
                            + " for '"
                            + spec.key()
                            + "'"
                            + setting.where
                            + ": expected a single value, found a list");
        }
        T value;
        try {
            value = spec.parse(setting.value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "invalid value '"
                            + setting.value
                            + "' for '"
                            + spec.key()
                            + "'"
                            + setting.where
                            + ": "
                            + e.getMessage(),
                    e);
        }
        spec.check(value, setting.where);
        config.set(spec.option(), value);
    }

    private static String propertyName(Setting setting) {
        String name = setting.key.substring(PROPERTIES_PREFIX.length());
        Optional<String> violation =
                SaltstreamOptions.find(KafkaOptions.PROPERTIES.key())
                        .flatMap(spec -> checkProperty(spec, name, setting.value));
        if (violation.isPresent()) {
            throw new IllegalArgumentException(
                    "invalid Kafka property '"
                            + setting.key
                            + "'"
                            + setting.where
                            + ": '"
                            + KafkaOptions.PROPERTIES.key()
                            + "' "
                            + violation.get());
        }
        return name;
    }

    @SuppressWarnings("unchecked")
    private static Optional<String> checkProperty(
            RegisteredOption<?> spec, String name, String value) {
        return ((RegisteredOption<Map<String, String>>) spec)
                .violation(Map.of(name, value == null ? "" : value));
    }

    private static String requireValue(Setting setting) {
        if (setting.value == null) {
            throw new IllegalArgumentException(
                    "'" + setting.key + "'" + setting.where + " has no value; give one");
        }
        return setting.value;
    }

    private static IllegalArgumentException unknownKey(Setting setting) {
        List<String> known =
                SaltstreamOptions.all().stream()
                        .map(RegisteredOption::key)
                        .collect(Collectors.toList());
        Optional<String> suggestion = KeySuggestions.closest(setting.key, known);
        String hint;
        if (suggestion.isPresent()) {
            hint = "did you mean '" + suggestion.get() + "'?";
        } else {
            Set<String> sections = new TreeSet<>();
            for (String key : known) {
                sections.add(key.substring(0, key.indexOf('.')));
            }
            hint =
                    "known sections are "
                            + String.join(", ", sections)
                            + "; docs/config-example.yaml lists every option";
        }
        return new IllegalArgumentException(
                "unknown option '" + setting.key + "'" + setting.where + "; " + hint);
    }

    private static String display(Setting setting) {
        if (setting.value == null) {
            return "null";
        }
        return setting.key.startsWith(PROPERTIES_PREFIX)
                ? RegisteredOption.renderProperty(setting.key, setting.value)
                : setting.value;
    }

    // ---------------------------------------------------------------------------------------
    // Reading files
    // ---------------------------------------------------------------------------------------

    static List<Setting> readFile(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "config file '" + file + "' not found; check the path", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file '" + file + "': " + e, e);
        }
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return readYaml(file, text);
        }
        if (lower.endsWith(".properties")) {
            return readProperties(file, text);
        }
        throw new IllegalArgumentException(
                "config file '"
                        + file
                        + "' has an unsupported type; use a .yaml, .yml or .properties file");
    }

    private static List<Setting> readYaml(Path file, String text) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (YAMLException e) {
            throw new IllegalArgumentException(
                    "config file '" + file + "' is not valid YAML: " + e.getMessage(), e);
        }
        List<Setting> settings = new ArrayList<>();
        if (root == null) {
            return settings;
        }
        if (!(root instanceof MappingNode)) {
            throw new IllegalArgumentException(
                    "config file '"
                            + file
                            + "' must hold a mapping of option keys to values, found "
                            + describeNode(root)
                            + " at line "
                            + line(root));
        }
        flatten(file, "", (MappingNode) root, settings);
        return settings;
    }

    private static void flatten(Path file, String prefix, MappingNode mapping, List<Setting> out) {
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode)) {
                throw new IllegalArgumentException(
                        "config file '"
                                + file
                                + "' line "
                                + line(keyNode)
                                + ": keys must be plain text, found "
                                + describeNode(keyNode));
            }
            String key = prefix + ((ScalarNode) keyNode).getValue().strip();
            String where = " in " + file + " line " + line(keyNode);
            Node valueNode = tuple.getValueNode();
            if (valueNode instanceof MappingNode) {
                flatten(file, key + ".", (MappingNode) valueNode, out);
            } else if (valueNode instanceof SequenceNode) {
                out.add(
                        new Setting(
                                key,
                                joinSequence(file, key, (SequenceNode) valueNode),
                                true,
                                where));
            } else {
                ScalarNode scalar = (ScalarNode) valueNode;
                String value = Tag.NULL.equals(scalar.getTag()) ? null : scalar.getValue();
                out.add(new Setting(key, value, false, where));
            }
        }
    }

    private static String joinSequence(Path file, String key, SequenceNode sequence) {
        List<String> items = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            if (!(item instanceof ScalarNode)) {
                throw new IllegalArgumentException(
                        "invalid value for '"
                                + key
                                + "' in "
                                + file
                                + " line "
                                + line(item)
                                + ": list items must be single values, found "
                                + describeNode(item));
            }
            items.add(((ScalarNode) item).getValue());
        }
        return String.join(",", items);
    }

    private static List<Setting> readProperties(Path file, String text) {
        Properties properties = new Properties();
        try (Reader reader = new StringReader(text)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "config file '" + file + "' is not a valid properties file: " + e.getMessage(),
                    e);
        }
        Map<String, List<Integer>> lines = propertyLines(text);
        List<Setting> settings = new ArrayList<>();
        Set<String> remaining = new TreeSet<>(properties.stringPropertyNames());
        // Keys in file order first, then keys whose line was not found.
        for (Map.Entry<String, List<Integer>> entry : lines.entrySet()) {
            String key = entry.getKey();
            List<Integer> keyLines = entry.getValue();
            if (!remaining.remove(key)) {
                continue;
            }
            if (keyLines.size() > 1) {
                throw new IllegalArgumentException(
                        "'"
                                + key
                                + "' is set twice in "
                                + file
                                + ", on lines "
                                + keyLines.get(0)
                                + " and "
                                + keyLines.get(1));
            }
            String where = " in " + file + " line " + keyLines.get(0);
            settings.add(new Setting(key, properties.getProperty(key), false, where));
        }
        for (String key : remaining) {
            settings.add(new Setting(key, properties.getProperty(key), false, " in " + file));
        }
        return settings;
    }

    /**
     * Finds the line of each key in a properties file. Keys written with escapes or split over
     * continuation lines are not found; their errors then name the file without a line.
     */
    private static Map<String, List<Integer>> propertyLines(String text) {
        Map<String, List<Integer>> lines = new LinkedHashMap<>();
        String[] rawLines = text.split("\\R", -1);
        boolean continued = false;
        for (int i = 0; i < rawLines.length; i++) {
            String line = rawLines[i].stripLeading();
            boolean startsEntry =
                    !continued && !line.isEmpty() && line.charAt(0) != '#' && line.charAt(0) != '!';
            if (startsEntry) {
                int end = 0;
                while (end < line.length() && "=: \t\f".indexOf(line.charAt(end)) < 0) {
                    end++;
                }
                lines.computeIfAbsent(line.substring(0, end), k -> new ArrayList<>()).add(i + 1);
            }
            continued = endsWithOddBackslashes(rawLines[i]) && (continued || startsEntry);
        }
        return lines;
    }

    private static boolean endsWithOddBackslashes(String line) {
        int count = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            count++;
        }
        return count % 2 == 1;
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    private static String describeNode(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    /** One key and its text value from a file or the command line. */
    static final class Setting {
        final String key;

        /** The value as written; {@code null} for a YAML null. */
        final String value;

        /** Whether the value was written as a YAML list; the items are joined with commas. */
        final boolean list;

        /** Source of the value for messages, such as " in demo.yaml line 3" or " by --lr". */
        final String where;

        Setting(String key, String value, boolean list, String where) {
            this.key = key;
            this.value = value;
            this.list = list;
            this.where = where;
        }
    }

    /** Collects the file and the overrides; {@link #build} checks the override syntax. */
    public static final class Builder {
        private Path file;
        private final List<Setting> overrides = new ArrayList<>();
        private final List<String> setArguments = new ArrayList<>();

        private Builder() {}

        /** Sets the YAML ({@code .yaml}, {@code .yml}) or {@code .properties} file to read. */
        public Builder optFile(Path file) {
            this.file = file;
            return this;
        }

        /** Adds a {@code KEY=VALUE} argument, as given to {@code --set}. */
        public Builder addSetArgument(String keyEqualsValue) {
            setArguments.add(keyEqualsValue);
            return this;
        }

        /**
         * Adds an override of one key.
         *
         * @param key option key, such as {@code kafka.bootstrap-servers}
         * @param value the value as text
         * @param source what set it, for messages, such as {@code --bootstrap-servers}
         */
        public Builder addOverride(String key, String value, String source) {
            overrides.add(new Setting(key, value, false, " by " + source));
            return this;
        }

        /**
         * Checks the {@code --set} arguments and returns the loader.
         *
         * @throws IllegalArgumentException for a {@code --set} argument without '=' or a key, or a
         *     null override key or value
         */
        public SaltstreamConfigLoader build() {
            for (Setting override : overrides) {
                if (override.key == null || override.value == null) {
                    throw new IllegalArgumentException(
                            "an override needs a key and a value, got key '"
                                    + override.key
                                    + "' and value '"
                                    + override.value
                                    + "'"
                                    + override.where);
                }
            }
            List<Setting> all = new ArrayList<>();
            for (String argument : setArguments) {
                int equals = argument == null ? -1 : argument.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException(
                            "invalid --set argument '"
                                    + argument
                                    + "': expected KEY=VALUE, such as"
                                    + " optimization.lr=5e-4");
                }
                String key = argument.substring(0, equals).strip();
                all.add(
                        new Setting(
                                key, argument.substring(equals + 1), false, " by --set " + key));
            }
            all.addAll(overrides);
            return new SaltstreamConfigLoader(file, all);
        }
    }
}
