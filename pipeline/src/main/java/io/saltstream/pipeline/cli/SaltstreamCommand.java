package io.saltstream.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code saltstream} command line. Each subcommand is its own class in this
 * package; add new ones to {@code subcommands} below.
 */
@Command(
        name = "saltstream",
        mixinStandardHelpOptions = true,
        versionProvider = SaltstreamCommand.VersionProvider.class,
        description = "Online SALT representation learning on Apache Flink, fed by Kafka.",
        subcommands = {
            CommandLine.HelpCommand.class,
            IngestCommand.class,
            KafkaCommand.class,
            ConsumeCommand.class,
        })
public final class SaltstreamCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "Missing subcommand: run 'saltstream --help' for the list.");
    }

    /** Builds the command line with the project's error handling, for tests and {@link #main}. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new SaltstreamCommand());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** Reads the version from the jar manifest, or "development" when run from classes. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SaltstreamCommand.class.getPackage().getImplementationVersion();
            return new String[] {"saltstream " + (version == null ? "development" : version)};
        }
    }
}
