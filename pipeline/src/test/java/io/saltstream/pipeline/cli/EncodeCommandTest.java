package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EncodeCommandTest {

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
    void modelSourceRequired() {
        assertThat(run("encode")).isEqualTo(2);
        assertThat(err.toString())
                .contains("Missing required argument")
                .contains("--snapshot=FILE")
                .contains("--from-models-topic");
    }

    @Test
    void bothModelSourcesRejected() {
        assertThat(run("encode", "--snapshot", "a.ckpt", "--from-models-topic")).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void missingSnapshotFileRejected() {
        Path missing = folder.resolve("student.ckpt");

        assertThat(run("encode", "--snapshot", missing.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '" + missing + "' for option '--snapshot'")
                .contains("not found");
    }
}
