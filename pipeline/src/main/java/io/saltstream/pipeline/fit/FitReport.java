package io.saltstream.pipeline.fit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.saltstream.pipeline.fit.TrainingSummary.PhaseSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Everything one {@code saltstream fit} run measured, written as pretty-printed JSON by {@link
 * #write}. Non-finite numbers are written as the strings "NaN" and "Infinity" (Jackson's default).
 *
 * @param command the command line as one string
 * @param startedAt ISO-8601 start time
 * @param wallSeconds wall time of the whole run, data loading and evaluation included
 * @param machine the machine, JVM and engine
 * @param dataset the training and evaluation data
 * @param model the networks
 * @param training the steps of both stages, their timing and the loss curve
 * @param evaluation the quality figures of the trained student and the baselines
 */
public record FitReport(
        String command,
        String startedAt,
        double wallSeconds,
        MachineInfo machine,
        DatasetInfo dataset,
        ModelInfo model,
        TrainingInfo training,
        EvaluationInfo evaluation) {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The data of a run.
     *
     * @param name "fashion-mnist" or "video"
     * @param files the files read
     * @param sampleShape [C, H, W] or [C, T, H, W]
     * @param normalization how raw values became model inputs
     * @param training the training set
     * @param evaluationTrain the reference set of kNN and the probe, or {@code null}
     * @param evaluationTest the query set of kNN, the probe, RankMe and LiDAR
     */
    public record DatasetInfo(
            String name,
            List<String> files,
            int[] sampleShape,
            String normalization,
            String training,
            String evaluationTrain,
            String evaluationTest) {}

    /**
     * The networks of a run.
     *
     * @param preset preset name
     * @param config the model config as {@code SaltModelConfig.toJson()} writes it
     * @param encoderParameters parameters of one encoder (teacher or student)
     * @param predictorParameters parameters of the Stage-2 predictor
     * @param decoderParameters parameters of the Stage-1 pixel decoder
     */
    public record ModelInfo(
            String preset,
            JsonNode config,
            long encoderParameters,
            long predictorParameters,
            long decoderParameters) {}

    /**
     * The training part of a run.
     *
     * @param teacherSteps Stage-1 steps
     * @param studentSteps Stage-2 steps
     * @param trainerConfig the trainer config as {@code SaltTrainerConfig.toJson()} writes it
     * @param summary timing per stage and the loss curve
     */
    public record TrainingInfo(
            long teacherSteps,
            long studentSteps,
            JsonNode trainerConfig,
            TrainingSummary summary) {}

    /**
     * The evaluation part of a run.
     *
     * @param trainSamples reference embeddings of kNN and the probe (0 without labels)
     * @param testSamples query embeddings
     * @param knnK neighbours of the kNN classifier
     * @param lidarClasses LiDAR surrogate classes n
     * @param lidarViews LiDAR views q per class
     * @param lidarViewMethod how the views were made
     * @param wallSeconds wall time of the evaluation
     * @param encoders scores of the student and the baselines
     */
    public record EvaluationInfo(
            int trainSamples,
            int testSamples,
            int knnK,
            int lidarClasses,
            int lidarViews,
            String lidarViewMethod,
            double wallSeconds,
            List<EncoderScores> encoders) {}

    /** Writes this report as pretty-printed JSON, creating missing parent folders. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        MAPPER.writeValue(file.toFile(), this);
    }

    /** Returns this report as pretty-printed JSON. */
    public String toJson() throws IOException {
        return MAPPER.writeValueAsString(this);
    }

    /** Returns a short plain-text table of the main figures, for the end of a run. */
    public String formatSummary() {
        StringBuilder text = new StringBuilder();
        text.append(
                String.format(
                        Locale.ROOT,
                        "saltstream fit: %s, preset %s, %s, %d intra-op threads%n",
                        dataset.name(),
                        model.preset(),
                        machine.device(),
                        machine.intraOpThreads()));
        text.append(
                String.format(
                        Locale.ROOT,
                        "%-8s %7s %10s %10s %12s %12s%n",
                        "stage",
                        "steps",
                        "wall s",
                        "samples/s",
                        "first loss",
                        "final loss"));
        for (PhaseSummary phase : training.summary().phases()) {
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%-8s %7d %10.1f %10.1f %12.5f %12.5f%n",
                            phase.phase().toLowerCase(Locale.ROOT),
                            phase.steps(),
                            phase.wallSeconds(),
                            phase.samplesPerSecond(),
                            phase.firstLoss(),
                            phase.finalLoss()));
        }
        text.append(
                String.format(
                        Locale.ROOT,
                        "%-12s %5s %10s %10s %10s %10s%n",
                        "encoder",
                        "d",
                        "kNN acc",
                        "probe acc",
                        "RankMe",
                        "LiDAR"));
        for (EncoderScores scores : evaluation.encoders()) {
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%-12s %5d %10s %10s %10s %10s%n",
                            scores.encoder(),
                            scores.dimension(),
                            format(scores.knnAccuracy(), "%.4f"),
                            format(scores.linearProbeAccuracy(), "%.4f"),
                            format(scores.rankMe(), "%.2f"),
                            format(scores.lidar(), "%.2f")));
        }
        text.append(
                String.format(
                        Locale.ROOT,
                        "evaluation: %d reference and %d test samples, kNN k = %d, LiDAR %d classes"
                                + " x %d views (%s); total wall time %.1f s%n",
                        evaluation.trainSamples(),
                        evaluation.testSamples(),
                        evaluation.knnK(),
                        evaluation.lidarClasses(),
                        evaluation.lidarViews(),
                        evaluation.lidarViewMethod(),
                        wallSeconds));
        return text.toString();
    }

    private static String format(Double value, String pattern) {
        return value == null ? "-" : String.format(Locale.ROOT, pattern, value);
    }
}
