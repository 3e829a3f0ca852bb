package io.saltstream.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saltstream.pipeline.cli.SaltstreamCommand;
import io.saltstream.pipeline.fit.DataFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code saltstream demo} end to end in this JVM with a small input and step budget. */
class DemoCommandIT {

    private static final int IMAGES = 400;

    @TempDir Path folder;

    @Test
    void smallDemoWritesReport() throws Exception {
        Path dataDir = Path.of(System.getProperty(DataFiles.DATA_DIR_PROPERTY, "data"));
        Assumptions.assumeTrue(
                Files.isRegularFile(DataFiles.fashionMnist(dataDir).testImages()),
                "skipping: Fashion-MNIST not found under " + dataDir + "; run bin/fetch-data");
        Path report = folder.resolve("report.json");
        CommandLine commandLine = SaltstreamCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        int exitCode =
                commandLine.execute(
                        "demo",
                        "--limit",
                        Integer.toString(IMAGES),
                        "--max-steps",
                        "8",
                        "--batch-size",
                        "16",
                        "--eval-images",
                        "200",
                        "--no-web-ui",
                        "--report",
                        report.toString());

        assertThat(exitCode).as("exit code; stderr: %s", err).isZero();
        assertThat(out.toString()).contains("saltstream demo report", "kNN accuracy, raw pixels");
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.get("framesIngested").asLong()).isEqualTo(IMAGES);
        assertThat(json.get("embeddingsWritten").asLong()).isEqualTo(IMAGES);
        assertThat(json.get("distinctEmbeddingIds").asLong()).isEqualTo(IMAGES);
        assertThat(json.get("deadLetters").asLong()).isZero();
        assertThat(json.get("stages")).hasSize(2);
        assertThat(json.get("stages").get(1).get("lastStep").asLong()).isEqualTo(8);
        assertThat(json.get("evaluation")).hasSize(3);
        for (JsonNode scores : json.get("evaluation")) {
            assertThat(scores.get("knnAccuracy").asDouble()).isBetween(0.0, 1.0);
        }
    }
}
