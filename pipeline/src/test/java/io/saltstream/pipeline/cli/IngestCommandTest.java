package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Option checks of {@code saltstream ingest images} and {@code saltstream ingest video}. None of
 * these runs reach Kafka: every error is found before a producer is created.
 */
class IngestCommandTest {

    // Port 9 (discard) on loopback: never contacted, because every run here fails earlier.
    private static final String UNUSED_BROKER = "127.0.0.1:9";

    @TempDir Path folder;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path video;
    private Path images;

    @BeforeEach
    void createInputs() throws IOException {
        video = Files.writeString(folder.resolve("clip.avi"), "not decoded in these tests");
        images = Files.write(folder.resolve("images.idx"), new byte[] {0, 0, 8, 3});
    }

    @Test
    void ingestWithoutSubcommandRejected() {
        int exitCode = run("ingest");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Missing subcommand: use 'saltstream ingest images' or 'saltstream ingest"
                                + " video'.");
    }

    @Test
    void sizeWithoutHeightRejected() {
        int exitCode = runVideo("--size", "64");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '64' for option '--size': expected WIDTHxHEIGHT in pixels,"
                                + " both at least 1, such as 64x64.");
    }

    @Test
    void zeroWidthSizeRejected() {
        int exitCode = runVideo("--size", "0x10");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value '0x10' for option '--size'");
    }

    @Test
    void zeroEveryNthRejected() {
        int exitCode = runVideo("--every-nth", "0");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '0' for option '--every-nth': must be at least 1. Use 1 to"
                                + " publish every frame.");
    }

    @Test
    void negativeMaxFramesRejected() {
        int exitCode = runVideo("--max-frames", "-3");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '-3' for option '--max-frames': must be at least 1.");
    }

    @Test
    void jpegQualityAboveOneRejected() {
        int exitCode = runVideo("--jpeg-quality", "1.5");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '1.5' for option '--jpeg-quality': must be from 0 to 1,"
                                + " such as 0.9.");
    }

    @Test
    void zeroLimitRejected() {
        int exitCode = runImages("--limit", "0");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '0' for option '--limit': must be at least 1. Omit --limit"
                                + " to publish every image.");
    }

    @Test
    void unknownEncodingRejected() {
        int exitCode = runImages("--encoding", "jpeg");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value for option '--encoding'")
                .contains("RAW")
                .contains("PNG")
                .contains("'jpeg'");
    }

    @Test
    void missingImagesFileRejected() {
        Path missing = folder.resolve("train-images-idx3-ubyte.gz");

        int exitCode =
                run(
                        "ingest",
                        "images",
                        "--images",
                        missing.toString(),
                        "--bootstrap-servers",
                        UNUSED_BROKER);

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '"
                                + missing
                                + "' for option '--images': file not found. Pass an IDX file");
    }

    @Test
    void missingLabelsFileRejected() {
        int exitCode = runImages("--labels", folder.resolve("labels.gz").toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("for option '--labels': file not found.");
    }

    @Test
    void missingVideoFileRejected() {
        Path missing = folder.resolve("missing.avi");

        int exitCode =
                run(
                        "ingest",
                        "video",
                        "--file",
                        missing.toString(),
                        "--bootstrap-servers",
                        UNUSED_BROKER);

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '" + missing + "' for option '--file': file not found.");
    }

    @Test
    void bootstrapWithoutPortRejected() {
        List<String> args = new ArrayList<>(List.of("ingest", "video", "--file", video.toString()));
        args.addAll(List.of("--bootstrap-servers", "localhost"));

        int exitCode = run(args.toArray(String[]::new));

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value 'localhost' for option '--bootstrap-servers': 'localhost'"
                                + " is not HOST:PORT with a port from 1 to 65535; use for example"
                                + " 127.0.0.1:9092.");
    }

    @Test
    void bootstrapWithPortOutOfRangeRejected() {
        int exitCode =
                run(
                        "ingest",
                        "video",
                        "--file",
                        video.toString(),
                        "--bootstrap-servers",
                        "127.0.0.1:9092,127.0.0.1:70000");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("'127.0.0.1:70000' is not HOST:PORT");
    }

    @Test
    void missingBootstrapRejected() {
        int exitCode = run("ingest", "video", "--file", video.toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--bootstrap-servers");
    }

    @Test
    void invalidTopicRejected() {
        int exitCode = runVideo("--topic", "my frames");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value 'my frames' for option '--topic': ")
                .contains("Use letters, digits, '.', '_' and '-' only.");
    }

    @Test
    void invalidStartTimeRejected() {
        int exitCode = runVideo("--start-time", "yesterday");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value 'yesterday' for option '--start-time': expected an ISO-8601"
                                + " instant in UTC such as 2024-05-01T12:00:00Z.");
    }

    @Test
    void undecodableVideoReportedWithoutStackTrace() {
        int exitCode = runVideo();

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString())
                .startsWith(
                        "saltstream ingest video: error: could not decode video "
                                + video
                                + " when opening it: ffmpeg said \"Invalid data found when"
                                + " processing input\"")
                .doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void invalidIdxFileReportedWithoutStackTrace() {
        int exitCode = runImages();

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo(
                        "saltstream ingest images: error: images.idx is too short for an IDX"
                                + " images header: expected 16 bytes, found 4"
                                + System.lineSeparator());
    }

    @Test
    void defaultStreamIdsFromFileNames() {
        assertThat(IngestImagesCommand.defaultStreamId(Path.of("a/train-images-idx3-ubyte.gz")))
                .isEqualTo("train-images");
        assertThat(IngestImagesCommand.defaultStreamId(Path.of("t10k-images-idx3-ubyte")))
                .isEqualTo("t10k-images");
        assertThat(IngestVideoCommand.defaultStreamId(Path.of("x/box.mp4.gz"))).isEqualTo("box");
        assertThat(IngestVideoCommand.defaultStreamId(Path.of("vtest.avi"))).isEqualTo("vtest");
    }

    private int runVideo(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("ingest", "video", "--file", video.toString()));
        args.addAll(List.of("--bootstrap-servers", UNUSED_BROKER));
        args.addAll(List.of(extraArgs));
        return run(args.toArray(String[]::new));
    }

    private int runImages(String... extraArgs) {
        List<String> args =
                new ArrayList<>(List.of("ingest", "images", "--images", images.toString()));
        args.addAll(List.of("--bootstrap-servers", UNUSED_BROKER));
        args.addAll(List.of(extraArgs));
        return run(args.toArray(String[]::new));
    }

    private int run(String... args) {
        CommandLine commandLine = SaltstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
