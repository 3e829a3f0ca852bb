package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saltstream.pipeline.fit.DataFiles;
import io.saltstream.pipeline.fit.IdxTestFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code saltstream fit}: option checks, which fail before any model is built, and two tiny runs
 * through the command line in this JVM. Each run opens and closes the JVM's only SaltTrainer, so
 * the tests of this class must not run concurrently.
 */
class FitCommandTest {

    @TempDir Path folder;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void zeroStepsRejected() {
        int exitCode = runFashion("--steps", "0");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '0' for option '--steps': must be at least 2, because"
                                + " Stage 1 (teacher) and Stage 2 (student) need at least one step"
                                + " each.");
    }

    @Test
    void teacherStepsAboveStepsRejected() {
        int exitCode = runFashion("--steps", "10", "--teacher-steps", "11");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '11' for option '--teacher-steps': must be between 1 and"
                                + " steps - 1 = 9, so that both stages run; omit it for steps / 4.");
    }

    @Test
    void teacherStepsEqualToStepsRejected() {
        int exitCode = runFashion("--steps", "10", "--teacher-steps", "10");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value '10' for option '--teacher-steps'");
    }

    @Test
    void unknownPresetListsValidNames() {
        int exitCode = runFashion("--steps", "10", "--preset", "image-32");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value 'image-32' for option '--preset': unknown preset;")
                .contains("expected one of vit-tiny, vit-small, vit-base, vit-large, image-28");
    }

    @Test
    void videoPresetForImagesRejected() {
        int exitCode = runFashion("--steps", "10", "--preset", "video-64");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value 'video-64' for option '--preset': --dataset fashion-mnist"
                                + " needs a preset for 28x28 grey images (1 channel, 1 frame), but"
                                + " video-64 takes clips of 16 frames of 64x64 with 3 channels; use"
                                + " --preset image-28.");
    }

    @Test
    void imagePresetForVideoRejected() {
        int exitCode = run("fit", "--dataset", "video", "--steps", "10", "--preset", "image-28");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value 'image-28' for option '--preset': --dataset video needs a"
                                + " video preset (more than one frame, 3 channels), but image-28"
                                + " takes 28x28 images with 1 channel; use --preset");
    }

    @Test
    void unknownDatasetRejected() {
        int exitCode = run("fit", "--dataset", "cifar", "--steps", "10");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value for option '--dataset'")
                .contains("expected fashion-mnist or video, got 'cifar'");
    }

    @Test
    void zeroBatchSizeRejected() {
        int exitCode = runFashion("--steps", "10", "--batch-size", "0");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '0' for option '--batch-size': must be at least 1.");
    }

    @Test
    void zeroThreadsRejected() {
        int exitCode = runFashion("--steps", "10", "--threads", "0");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '0' for option '--threads': must be at least 1; omit it for "
                                + FitCommand.defaultThreads()
                                + ".");
    }

    @Test
    void reportUnderRegularFileRejected() throws IOException {
        Path file = Files.writeString(folder.resolve("file.txt"), "not a folder");
        Path report = file.resolve("report.json");

        int exitCode = runFashion("--steps", "10", "--report", report.toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '"
                                + report
                                + "' for option '--report': "
                                + file
                                + " is not a folder, so the report cannot be written there; pass"
                                + " a path in a writable folder.");
    }

    @Test
    void reportThatIsFolderRejected() {
        int exitCode = runFashion("--steps", "10", "--report", folder.toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '"
                                + folder
                                + "' for option '--report': is a folder; pass a file name such as"
                                + " report.json.");
    }

    @Test
    void videoFileWithImagesRejected() {
        int exitCode = runFashion("--steps", "10", "--video", "clip.avi");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value 'clip.avi' for option '--video': video files are only read"
                                + " with --dataset video; remove --video.");
    }

    @Test
    void missingVideoFileRejected() {
        Path missing = folder.resolve("missing.avi");

        int exitCode =
                run("fit", "--dataset", "video", "--steps", "10", "--video", missing.toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '"
                                + missing
                                + "' for option '--video': file not found; pass a video file");
    }

    @Test
    void tooFewKnnReferencesRejected() {
        int exitCode = runFashion("--steps", "10", "--eval-train", "19");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '19' for option '--eval-train': must be at least k = 20,"
                                + " the neighbours of the kNN classifier.");
    }

    @Test
    void missingDataNamesPathAndFetchScript() {
        Path expected = DataFiles.fashionMnist(folder).trainImages();

        int exitCode = runFashion("--steps", "10", "--data-dir", folder.toString());

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString())
                .contains("saltstream fit: error: " + expected)
                .contains("Fashion-MNIST training images not found; run bin/fetch-data");
    }

    @Test
    void tinyFashionMnistRunWritesReport() throws IOException {
        IdxTestFiles.writeFashionMnist(folder, 300, 120);
        Path report = folder.resolve("reports/fit.json");

        int exitCode =
                runFashion(
                        "--steps", "6",
                        "--teacher-steps", "3",
                        "--batch-size", "8",
                        "--eval-train", "200",
                        "--eval-test", "100",
                        "--lidar-classes", "20",
                        "--lidar-views", "2",
                        "--threads", "1",
                        "--log-every", "2",
                        "--data-dir", folder.toString(),
                        "--report", report.toString());

        assertThat(exitCode).as(err.toString()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("command").asText()).startsWith("saltstream fit --dataset");
        assertThat(json.path("machine").path("intraOpThreads").asInt()).isEqualTo(1);
        assertThat(json.path("machine").path("engine").asText()).isEqualTo("PyTorch");
        assertThat(json.path("model").path("preset").asText()).isEqualTo("image-28");
        assertThat(json.path("model").path("encoderParameters").asLong()).isPositive();
        assertThat(json.path("training").path("teacherSteps").asLong()).isEqualTo(3);
        assertThat(json.path("training").path("studentSteps").asLong()).isEqualTo(3);

        JsonNode phases = json.path("training").path("summary").path("phases");
        assertThat(phases).hasSize(2);
        assertThat(phases.get(0).path("phase").asText()).isEqualTo("TEACHER");
        assertThat(phases.get(1).path("phase").asText()).isEqualTo("STUDENT");
        for (JsonNode phase : phases) {
            assertThat(phase.path("steps").asLong()).isEqualTo(3);
            assertFinite(phase, "wallSeconds");
            assertFinite(phase, "samplesPerSecond");
            assertFinite(phase, "finalLoss");
        }
        JsonNode curve = json.path("training").path("summary").path("lossCurve");
        assertThat(curve).hasSize(4);
        for (JsonNode point : curve) {
            assertFinite(point, "loss");
            assertFinite(point, "learningRate");
        }

        JsonNode encoders = json.path("evaluation").path("encoders");
        assertThat(encoders).hasSize(3);
        assertThat(encoders.get(0).path("encoder").asText()).isEqualTo("student");
        assertThat(encoders.get(1).path("encoder").asText()).isEqualTo("random-init");
        assertThat(encoders.get(2).path("encoder").asText()).isEqualTo("raw-pixels");
        for (JsonNode encoder : encoders) {
            assertThat(encoder.path("knnAccuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(encoder.path("linearProbeAccuracy").asDouble()).isBetween(0.0, 1.0);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(encoders.get(i).path("rankMe").asDouble()).isBetween(1.0, 128.0);
            assertThat(encoders.get(i).path("lidar").asDouble()).isBetween(1.0, 128.0);
        }
        assertThat(json.path("evaluation").path("testSamples").asInt()).isEqualTo(100);
        assertThat(json.path("evaluation").path("trainSamples").asInt()).isEqualTo(200);
        assertThat(out.toString()).contains("stage", "teacher", "student", "raw-pixels");
    }

    @Test
    void tinyVideoRunReportsRankMeAndLidar() throws IOException {
        Path video = DataFiles.defaultVideo(DataFiles.defaultDataDirectory());
        Assumptions.assumeTrue(
                Files.isRegularFile(video),
                "skipping: " + video + " not found; run bin/fetch-data");
        Path report = folder.resolve("video.json");

        int exitCode =
                run(
                        "fit",
                        "--dataset",
                        "video",
                        "--steps",
                        "2",
                        "--batch-size",
                        "2",
                        "--eval-test",
                        "24",
                        "--lidar-classes",
                        "6",
                        "--lidar-views",
                        "2",
                        "--threads",
                        "1",
                        "--video",
                        video.toString(),
                        "--report",
                        report.toString());

        assertThat(exitCode).as(err.toString()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("training").path("teacherSteps").asLong()).isEqualTo(1);
        assertThat(json.path("dataset").path("sampleShape")).hasSize(4);
        JsonNode encoders = json.path("evaluation").path("encoders");
        assertThat(encoders).hasSize(2);
        for (JsonNode encoder : encoders) {
            assertThat(encoder.has("knnAccuracy")).isFalse();
            assertThat(encoder.path("rankMe").asDouble()).isBetween(1.0, 24.0);
            assertThat(encoder.path("lidar").asDouble()).isBetween(1.0, 5.0);
        }
    }

    private static void assertFinite(JsonNode node, String field) {
        assertThat(node.path(field).isNumber()).as(field + " in " + node).isTrue();
        assertThat(Double.isFinite(node.path(field).asDouble())).as(field).isTrue();
    }

    private int runFashion(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("fit", "--dataset", "fashion-mnist"));
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
