package io.saltstream.pipeline.cli;

import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
            FitCommand.class,
            TrainCommand.class,
            EncodeCommand.class,
            DemoCommand.class
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
        int exitCode = newCommandLine().execute(args);
        // Inside a Flink cluster (application mode, 'flink run') the JVM belongs to Flink: exiting
        // would stop the JobManager, so a successful command just returns.
        if (exitCode == 0 && runsInFlinkCluster()) {
            return;
        }
        System.exit(exitCode);
    }

    private static boolean runsInFlinkCluster() {
        return !(StreamExecutionEnvironment.getExecutionEnvironment()
                instanceof LocalStreamEnvironment);
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
