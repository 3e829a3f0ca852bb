package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

    @TempDir Path folder;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = SaltstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void tooFewStepsRejected() {
        assertThat(run("demo", "--max-steps", "1")).isEqualTo(2);
        assertThat(err.toString())
                .contains("--max-steps is 1 but must be at least 2, one per stage");
    }

    @Test
    void reportInMissingFolderRejected() {
        Path report = folder.resolve("missing").resolve("report.json");

        assertThat(run("demo", "--report", report.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '" + report + "' for option '--report'")
                .contains("does not exist");
    }

    @Test
    void prometheusPortOutOfRangeRejected() {
        assertThat(run("demo", "--prometheus-port", "70000")).isEqualTo(2);
        assertThat(err.toString())
                .contains("Prometheus metrics port is 70000 but must be 1 to 65535");
    }

    @Test
    void helpListsDemoOptions() {
        assertThat(run("demo", "--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--video",
                        "--max-steps=N",
                        "--limit=N",
                        "--minutes=M",
                        "--report=FILE",
                        "--prometheus-port=PORT");
    }
}
