package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {

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
    void helpListsOptionFlags() {
        assertThat(run("train", "--help")).isZero();
        assertThat(out.toString())
                .contains("--restore=PATH", "--bounded", "--bootstrap-servers", "--config");
    }

    @Test
    void missingRestoreFolderRejected() {
        Path missing = folder.resolve("chk-7");

        assertThat(run("train", "--restore", missing.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '" + missing + "' for option '--restore'")
                .contains("does not exist");
    }

    @Test
    void restoreFolderWithoutMetadataRejected() throws Exception {
        Path checkpoint = Files.createDirectory(folder.resolve("chk-3"));

        assertThat(run("train", "--restore", checkpoint.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("has no _metadata file, so it is no completed checkpoint or savepoint");
    }

    @Test
    void invalidOptionValueRejected() {
        assertThat(run("train", "--batch-size", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("optimization.batch-size");
    }

    @Test
    void remoteRestorePathLeftToFlink() {
        CommandLine commandLine = SaltstreamCommand.newCommandLine();

        TrainCommand.checkRestorePath(commandLine, "s3://bucket/checkpoints/chk-3");
    }
}
