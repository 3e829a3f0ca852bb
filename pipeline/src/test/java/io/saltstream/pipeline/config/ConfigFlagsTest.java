package io.saltstream.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFlagsTest {

    @TempDir Path dir;

    @CommandLine.Command(name = "train")
    static final class TrainCommand implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        Configuration loaded;

        @Override
        public Integer call() {
            loaded = ConfigFlags.load(spec);
            return 0;
        }
    }

    private static CommandLine commandLine(TrainCommand command) {
        CommandLine commandLine = new CommandLine(command);
        ConfigFlags.addTo(commandLine.getCommandSpec());
        return commandLine;
    }

    @Test
    void typedFlagsSetTheirKeys() {
        TrainCommand command = new TrainCommand();

        int exitCode =
                commandLine(command)
                        .execute(
                                "--bootstrap-servers",
                                "127.0.0.1:9092",
                                "--lr=0.002",
                                "--checkpoint-interval",
                                "30 s",
                                "--spatial-scale",
                                "0.1,0.2");

        assertThat(exitCode).isZero();
        assertThat(command.loaded.get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
        assertThat(command.loaded.get(OptimizationOptions.LR)).isEqualTo(0.002);
        assertThat(command.loaded.get(CheckpointOptions.INTERVAL))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(command.loaded.get(MaskOptions.SPATIAL_SCALE)).isEqualTo("0.1,0.2");
    }

    @Test
    void flagsAndSetOverrideConfigFile() throws IOException {
        Path file = dir.resolve("demo.yaml");
        Files.writeString(
                file, "job:\n  name: from-file\n  parallelism: 3\noptimization:\n  lr: 0.1\n");
        TrainCommand command = new TrainCommand();

        int exitCode =
                commandLine(command)
                        .execute(
                                "--config",
                                file.toString(),
                                "--job-name",
                                "from-flag",
                                "--set",
                                "optimization.lr=0.01",
                                "--set",
                                "kafka.properties.linger.ms=7");

        assertThat(exitCode).isZero();
        assertThat(command.loaded.get(JobOptions.NAME)).isEqualTo("from-flag");
        assertThat(command.loaded.get(JobOptions.PARALLELISM)).isEqualTo(3);
        assertThat(command.loaded.get(OptimizationOptions.LR)).isEqualTo(0.01);
        assertThat(command.loaded.get(KafkaOptions.PROPERTIES)).containsEntry("linger.ms", "7");
    }

    @Test
    void invalidValueBecomesParameterException() {
        TrainCommand command = new TrainCommand();
        CommandLine commandLine = commandLine(command);
        commandLine.parseArgs("--batch-size", "zero");

        assertThatThrownBy(() -> ConfigFlags.load(command.spec))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "invalid value 'zero' for 'optimization.batch-size' by --batch-size:"
                                + " expected an integer from -2147483648 to 2147483647");
    }

    @Test
    void helpShowsKeyAndDefault() {
        // Picocli wraps long lines, so compare with single spaces.
        String usage = commandLine(new TrainCommand()).getUsageMessage().replaceAll("\\s+", " ");

        assertThat(usage).contains("--bootstrap-servers=TEXT");
        assertThat(usage).contains("--train-policy=all|latest");
        assertThat(usage).contains("Sets kafka.bootstrap-servers (default localhost:9092).");
        assertThat(usage).contains("--set=KEY=VALUE");
    }
}
