package io.saltstream.pipeline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Command-line flags of the saltstream options for a picocli command: {@code --config FILE},
 * repeatable {@code --set KEY=VALUE}, and one typed flag per option, such as {@code
 * --bootstrap-servers} for {@code kafka.bootstrap-servers} (see {@link RegisteredOption#flag()}).
 *
 * <pre>{@code
 * CommandLine train = new CommandLine(new TrainCommand());
 * ConfigFlags.addTo(train.getCommandSpec());
 * // in TrainCommand.call(), after parsing:
 * Configuration config = ConfigFlags.load(spec);
 * }</pre>
 *
 * <p>Typed flags and {@code --set} override the file; giving one key twice on the command line is
 * an error.
 */
public final class ConfigFlags {

    /** Flag of the configuration file. */
    public static final String CONFIG = "--config";

    /** Repeatable flag that sets any option as {@code KEY=VALUE}. */
    public static final String SET = "--set";

    private ConfigFlags() {}

    /**
     * Adds {@link #CONFIG}, {@link #SET} and every typed option flag to {@code spec}. Call it
     * before the command line is parsed.
     */
    public static void addTo(CommandSpec spec) {
        spec.addOption(
                OptionSpec.builder(CONFIG, "-c")
                        .paramLabel("FILE")
                        .type(Path.class)
                        .description(
                                "YAML (.yaml, .yml) or .properties file with saltstream options;"
                                        + " docs/config-example.yaml lists them all.")
                        .build());
        spec.addOption(
                OptionSpec.builder(SET)
                        .paramLabel("KEY=VALUE")
                        .type(List.class)
                        .auxiliaryTypes(String.class)
                        .description(
                                "Sets any option, such as optimization.lr=5e-4 or"
                                        + " kafka.properties.security.protocol=SSL. Repeatable.")
                        .build());
        for (RegisteredOption<?> option : SaltstreamOptions.all()) {
            if (option.flag().isEmpty()) {
                continue;
            }
            spec.addOption(
                    OptionSpec.builder(option.flag().get())
                            .paramLabel(paramLabel(option))
                            .type(String.class)
                            .description(helpText(option))
                            .build());
        }
    }

    /**
     * Builds the loader from the flags matched in {@code parseResult}.
     *
     * @throws IllegalArgumentException for a malformed {@code --set} argument
     */
    public static SaltstreamConfigLoader loader(ParseResult parseResult) {
        SaltstreamConfigLoader.Builder builder = SaltstreamConfigLoader.builder();
        Path file = parseResult.matchedOptionValue(CONFIG, null);
        if (file != null) {
            builder.optFile(file);
        }
        List<String> setArguments = parseResult.matchedOptionValue(SET, List.<String>of());
        setArguments.forEach(builder::addSetArgument);
        for (RegisteredOption<?> option : SaltstreamOptions.all()) {
            if (option.flag().isPresent() && parseResult.hasMatchedOption(option.flag().get())) {
                String value = parseResult.matchedOptionValue(option.flag().get(), null);
                builder.addOverride(option.key(), value, option.flag().get());
            }
        }
        return builder.build();
    }

    /**
     * Loads the configuration from the flags the command {@code spec} was parsed with.
     *
     * @throws CommandLine.ParameterException with the loader's message when the file, a flag or a
     *     value is invalid, so picocli prints it with the usage hint
     */
    public static Configuration load(CommandSpec spec) {
        try {
            return loader(spec.commandLine().getParseResult()).load();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static String paramLabel(RegisteredOption<?> option) {
        Class<?> type = option.type();
        if (type.isEnum()) {
            return Arrays.stream(type.getEnumConstants())
                    .map(Object::toString)
                    .collect(Collectors.joining("|"));
        }
        if (option.isRange()) {
            return "MIN,MAX";
        }
        if (type == Integer.class || type == Long.class) {
            return "N";
        }
        if (type == Double.class) {
            return "NUMBER";
        }
        if (type == Duration.class) {
            return "DURATION";
        }
        if (type == MemorySize.class) {
            return "SIZE";
        }
        return "TEXT";
    }

    private static String helpText(RegisteredOption<?> option) {
        StringBuilder text = new StringBuilder(option.description());
        text.append(" Sets ").append(option.key());
        if (option.option().hasDefaultValue()) {
            text.append(" (default ").append(option.render(option.option().defaultValue()));
            text.append(")");
        }
        text.append('.');
        // picocli formats descriptions with String.format.
        return text.toString().replace("%", "%%");
    }
}
