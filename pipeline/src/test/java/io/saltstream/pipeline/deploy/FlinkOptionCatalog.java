package io.saltstream.pipeline.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.apache.flink.annotation.docs.Documentation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MetricOptions;

/**
 * Catalog of every Flink configuration key on this test classpath, to check the {@code
 * flinkConfiguration} of the deployment files. Flink silently ignores a misspelt or removed key, so
 * the check rejects it here with its name.
 *
 * <p>Known keys come from the public static {@link ConfigOption} fields of every class named {@code
 * *Options} in the Flink jars (flink-core, flink-runtime, flink-clients, the connectors, RocksDB,
 * the Prometheus reporter). Keys with placeholders become patterns: {@code <name>} and {@code
 * <resource_name>} stand for one key segment, and options marked {@link Documentation.SuffixOption}
 * are put behind their prefix ({@code metrics.reporter.<name>.}). The catch-all parameters {@code
 * metrics.reporter.<name>.<parameter>} and {@code external-resource.<resource_name>.param.<param>}
 * are left out and replaced by the parameters that the configured reporter factory or resource
 * driver reads, so a misspelt parameter still fails.
 *
 * <p>A few options live in jars that are not on this classpath; their keys and types are listed
 * here from their source: the Kubernetes config key of an external resource (flink-kubernetes), the
 * GPU driver's parameters (flink-external-resource-gpu), and the Flink Kubernetes Operator's
 * per-deployment options.
 */
final class FlinkOptionCatalog {

    /** A known option: a key pattern, the value type and where it was found. */
    record KnownOption(Pattern key, Class<?> type, boolean list, String source) {}

    /** Reporter parameters of Flink's Prometheus reporters (port, label filtering). */
    static final Set<String> PROMETHEUS_REPORTER_PARAMETERS =
            Set.of(prometheusPortParameter(), "filterLabelValueCharacters");

    /** Parameters of {@code GPUDriverFactory}, from GPUDriverOptions of Flink 2.2. */
    static final Set<String> GPU_DRIVER_PARAMETERS =
            Set.of("discovery-script.path", "discovery-script.args");

    private static final String PROMETHEUS_FACTORY =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final String GPU_DRIVER_FACTORY =
            "org.apache.flink.externalresource.gpu.GPUDriverFactory";

    /** One class of each jar whose {@code *Options} classes are scanned. */
    private static final List<String> ANCHOR_CLASSES =
            List.of(
                    "org.apache.flink.configuration.CoreOptions",
                    "org.apache.flink.runtime.minicluster.MiniCluster",
                    "org.apache.flink.client.cli.CliFrontend",
                    "org.apache.flink.streaming.api.datastream.DataStream",
                    "org.apache.flink.connector.base.DeliveryGuarantee",
                    "org.apache.flink.connector.kafka.source.KafkaSource",
                    "org.apache.flink.state.rocksdb.RocksDBOptions",
                    PROMETHEUS_FACTORY);

    private static final Pattern SEGMENT_PLACEHOLDER = Pattern.compile("<[a-z_]+>");

    private final Map<String, KnownOption> exact;
    private final List<KnownOption> patterns;
    private final Map<String, String> deprecated;

    private FlinkOptionCatalog(
            Map<String, KnownOption> exact,
            List<KnownOption> patterns,
            Map<String, String> deprecated) {
        this.exact = exact;
        this.patterns = patterns;
        this.deprecated = deprecated;
    }

    /**
     * Scans the Flink jars of the classpath.
     *
     * @throws IllegalStateException when an anchor class is missing or a jar cannot be read
     */
    static FlinkOptionCatalog load() {
        Map<String, KnownOption> exact = new TreeMap<>();
        List<KnownOption> patterns = new ArrayList<>();
        Map<String, String> deprecated = new TreeMap<>();
        for (String className : optionClassNames()) {
            Class<?> type;
            try {
                type = Class.forName(className);
            } catch (ClassNotFoundException | LinkageError e) {
                // An options class whose dependencies are not on this classpath has no key the
                // deployment files can use here.
                continue;
            }
            for (Field field : type.getFields()) {
                if (!Modifier.isStatic(field.getModifiers())
                        || !ConfigOption.class.isAssignableFrom(field.getType())) {
                    continue;
                }
                addOption(field, className, exact, patterns, deprecated);
            }
        }
        addOutsideClasspathOptions(patterns);
        // A key that one option deprecates but another option still uses is valid.
        deprecated.keySet().removeAll(exact.keySet());
        return new FlinkOptionCatalog(exact, patterns, deprecated);
    }

    /** Returns the number of exact keys and key patterns, for a sanity check. */
    int size() {
        return exact.size() + patterns.size();
    }

    /**
     * Returns why {@code key} is not a usable Flink option in {@code configuration}, or empty when
     * it is one: unknown, deprecated (with its replacement), a parameter that the configured
     * reporter or resource driver does not read, or a resource not listed in {@code
     * external-resources}.
     */
    Optional<String> problem(String key, Map<String, String> configuration) {
        if (deprecated.containsKey(key)) {
            return Optional.of(
                    "'" + key + "' is deprecated in Flink 2.2; use " + deprecated.get(key));
        }
        if (exact.containsKey(key)) {
            return Optional.empty();
        }
        Optional<String> parameterProblem = parameterProblem(key, configuration);
        if (parameterProblem.isPresent()) {
            return parameterProblem.get().isEmpty() ? Optional.empty() : parameterProblem;
        }
        for (KnownOption option : patterns) {
            if (option.key().matcher(key).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of("'" + key + "' is not a Flink 2.2 configuration option");
    }

    /**
     * Converts {@code value} to the type of the option {@code key}.
     *
     * @throws IllegalArgumentException naming the key and the value when the value does not parse,
     *     or when the key is unknown
     */
    void checkValue(String key, String value) {
        KnownOption option = exact.get(key);
        if (option == null) {
            option =
                    patterns.stream()
                            .filter(p -> p.key().matcher(key).matches())
                            .findFirst()
                            .orElse(null);
        }
        if (option == null) {
            if (isParameter(key)) {
                return;
            }
            throw new IllegalArgumentException("'" + key + "' is not a known option");
        }
        try {
            if (option.list()) {
                ConfigurationUtils.convertToList(value, option.type());
            } else {
                ConfigurationUtils.convertValue(value, option.type());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "'"
                            + key
                            + "' = '"
                            + value
                            + "' is not a valid "
                            + option.type().getSimpleName()
                            + (option.list() ? " list" : "")
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Checks a reporter or resource driver parameter. Returns empty when {@code key} is no such
     * parameter, an empty string when it is a known one, and otherwise the problem.
     */
    private static Optional<String> parameterProblem(
            String key, Map<String, String> configuration) {
        String reporterPrefix = "metrics.reporter.";
        if (key.startsWith(reporterPrefix)) {
            String rest = key.substring(reporterPrefix.length());
            int dot = rest.indexOf('.');
            if (dot < 0) {
                return Optional.of("'" + key + "' names no reporter option");
            }
            String reporter = rest.substring(0, dot);
            String parameter = rest.substring(dot + 1);
            if (isReporterOption(parameter)) {
                return Optional.empty();
            }
            String factory =
                    configuration.get(
                            reporterPrefix
                                    + reporter
                                    + "."
                                    + MetricOptions.REPORTER_FACTORY_CLASS.key());
            if (PROMETHEUS_FACTORY.equals(factory)
                    && PROMETHEUS_REPORTER_PARAMETERS.contains(parameter)) {
                return Optional.of("");
            }
            return Optional.of(
                    "'"
                            + key
                            + "' is no parameter of the reporter '"
                            + reporter
                            + "' (factory "
                            + factory
                            + "); the Prometheus reporter reads "
                            + PROMETHEUS_REPORTER_PARAMETERS);
        }
        String resourcePrefix = "external-resource.";
        if (key.startsWith(resourcePrefix)) {
            String rest = key.substring(resourcePrefix.length());
            int dot = rest.indexOf('.');
            if (dot < 0) {
                return Optional.of("'" + key + "' names no external resource option");
            }
            String resource = rest.substring(0, dot);
            List<String> resources =
                    ConfigurationUtils.convertToList(
                            configuration.getOrDefault(
                                    ExternalResourceOptions.EXTERNAL_RESOURCE_LIST.key(), ""),
                            String.class);
            if (!resources.contains(resource)) {
                return Optional.of(
                        "'"
                                + key
                                + "' configures the external resource '"
                                + resource
                                + "', which is not listed in external-resources "
                                + resources);
            }
            String paramPrefix = ExternalResourceOptions.EXTERNAL_RESOURCE_DRIVER_PARAM_SUFFIX;
            String suffix = rest.substring(dot + 1);
            if (!suffix.startsWith(paramPrefix)) {
                return Optional.empty();
            }
            String parameter = suffix.substring(paramPrefix.length());
            String factory =
                    configuration.get(
                            ExternalResourceOptions
                                    .getExternalResourceDriverFactoryConfigOptionForResource(
                                            resource));
            if (GPU_DRIVER_FACTORY.equals(factory) && GPU_DRIVER_PARAMETERS.contains(parameter)) {
                return Optional.of("");
            }
            return Optional.of(
                    "'"
                            + key
                            + "' is no parameter of the driver "
                            + factory
                            + "; GPUDriverFactory reads "
                            + GPU_DRIVER_PARAMETERS);
        }
        return Optional.empty();
    }

    private static boolean isReporterOption(String parameter) {
        for (Field field : MetricOptions.class.getFields()) {
            if (field.isAnnotationPresent(Documentation.SuffixOption.class)) {
                ConfigOption<?> option = (ConfigOption<?>) staticValue(field);
                if (option.key().equals(parameter)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isParameter(String key) {
        return key.startsWith("metrics.reporter.") || key.contains(".param.");
    }

    private static void addOption(
            Field field,
            String source,
            Map<String, KnownOption> exact,
            List<KnownOption> patterns,
            Map<String, String> deprecated) {
        ConfigOption<?> option = (ConfigOption<?>) staticValue(field);
        Documentation.SuffixOption suffix = field.getAnnotation(Documentation.SuffixOption.class);
        String key = suffix == null ? option.key() : suffix.value() + "." + option.key();
        if (key.endsWith("<parameter>") || key.endsWith("<param>")) {
            return;
        }
        Class<?> type = (Class<?>) invoke(option, "getClazz");
        boolean list = (Boolean) invoke(option, "isList");
        if (field.isAnnotationPresent(Deprecated.class)) {
            deprecated.putIfAbsent(key, "its replacement in the Flink 2.2 configuration docs");
            return;
        }
        for (FallbackKey fallback : option.fallbackKeys()) {
            if (fallback.isDeprecated()) {
                deprecated.put(fallback.getKey(), "'" + key + "'");
            }
        }
        if (SEGMENT_PLACEHOLDER.matcher(key).find()) {
            String regex =
                    SEGMENT_PLACEHOLDER
                            .splitAsStream(key)
                            .map(Pattern::quote)
                            .reduce((left, right) -> left + "[^.]+" + right)
                            .orElse("");
            if (key.endsWith(">")) {
                regex = regex + "[^.]+";
            }
            patterns.add(new KnownOption(Pattern.compile(regex), type, list, source));
        } else {
            exact.putIfAbsent(
                    key, new KnownOption(Pattern.compile(Pattern.quote(key)), type, list, source));
        }
    }

    /** Options whose classes are not on this classpath, with the source of each key. */
    private static void addOutsideClasspathOptions(List<KnownOption> patterns) {
        // KubernetesConfigOptions.EXTERNAL_RESOURCE_KUBERNETES_CONFIG_KEY_SUFFIX (flink-kubernetes)
        patterns.add(
                new KnownOption(
                        Pattern.compile("external-resource\\.[^.]+\\.kubernetes\\.config-key"),
                        String.class,
                        false,
                        "flink-kubernetes"));
        // KubernetesOperatorConfigOptions of the Flink Kubernetes Operator: options a
        // FlinkDeployment may set for itself.
        patterns.add(
                new KnownOption(
                        Pattern.compile(
                                Pattern.quote("kubernetes.operator.periodic.savepoint.interval")),
                        Duration.class,
                        false,
                        "flink-kubernetes-operator"));
        patterns.add(
                new KnownOption(
                        Pattern.compile(
                                Pattern.quote("kubernetes.operator.savepoint.history.max.count")),
                        Integer.class,
                        false,
                        "flink-kubernetes-operator"));
    }

    private static Set<String> optionClassNames() {
        Set<Path> jars = new LinkedHashSet<>();
        for (String anchor : ANCHOR_CLASSES) {
            try {
                Class<?> type = Class.forName(anchor);
                jars.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new IllegalStateException(
                        "class " + anchor + " of a Flink jar is not on the test classpath", e);
            }
        }
        Set<String> names = new LinkedHashSet<>();
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith("org/apache/flink/")
                            && name.endsWith("Options.class")
                            && !name.contains("$")) {
                        names.add(
                                name.substring(0, name.length() - ".class".length())
                                        .replace('/', '.'));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("failed to list the classes of " + jar, e);
            }
        }
        return names;
    }

    private static Object staticValue(Field field) {
        try {
            return field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }

    private static Object invoke(ConfigOption<?> option, String methodName) {
        try {
            Method method = ConfigOption.class.getDeclaredMethod(methodName);
            method.setAccessible(true);
            return method.invoke(option);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "ConfigOption." + methodName + "() is not readable in this Flink version", e);
        }
    }

    private static String prometheusPortParameter() {
        try {
            Field port = Class.forName(PROMETHEUS_FACTORY).getDeclaredField("ARG_PORT");
            port.setAccessible(true);
            return (String) port.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "the port parameter of " + PROMETHEUS_FACTORY + " is not readable", e);
        }
    }

    /** Returns the exact keys with their sources, for failure messages that list near misses. */
    Map<String, String> exactKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        exact.forEach((key, option) -> keys.put(key, option.source()));
        return keys;
    }
}
