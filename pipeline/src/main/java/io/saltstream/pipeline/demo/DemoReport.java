package io.saltstream.pipeline.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.saltstream.pipeline.fit.EncoderScores;
import java.util.List;
import java.util.Locale;

/**
 * Report of a demo run: the input, the training per stage, the job's outputs read back with
 * read_committed, and for labelled images the kNN accuracy of the final student against a randomly
 * initialised encoder and raw pixels.
 *
 * @param dataset what was ingested, such as "Fashion-MNIST train images 1..20000"
 * @param preset model preset
 * @param framesIngested frames published to the frames topic
 * @param clipsExpected clips the frames make (one per image; T frames per video clip)
 * @param ingestSeconds wall time of publishing
 * @param jobSeconds wall time of the Flink job, start to finish
 * @param evaluationSeconds wall time of the frozen evaluation, 0 without labels
 * @param totalSeconds wall time of the whole demo
 * @param stoppedEarly whether the time budget ended the job with stop-with-savepoint
 * @param stages training per stage, Stage 1 first
 * @param lastRankMe RankMe of the newest training-metrics record that has one, or null
 * @param lastLidar LiDAR of the newest training-metrics record that has one, or null
 * @param embeddingsWritten committed embedding records
 * @param distinctEmbeddingIds distinct clip ids among them
 * @param deadLetters committed dead-letter records
 * @param snapshots committed model snapshots
 * @param finalSnapshot version of the snapshot with the highest step, or null
 * @param evaluation kNN figures per encoder, empty without labels
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DemoReport(
        String dataset,
        String preset,
        long framesIngested,
        long clipsExpected,
        double ingestSeconds,
        double jobSeconds,
        double evaluationSeconds,
        double totalSeconds,
        boolean stoppedEarly,
        List<StageSummary> stages,
        Double lastRankMe,
        Double lastLidar,
        long embeddingsWritten,
        long distinctEmbeddingIds,
        long deadLetters,
        long snapshots,
        String finalSnapshot,
        List<EncoderScores> evaluation) {

    /**
     * Training of one stage, from its committed training-metrics records.
     *
     * @param phase TEACHER or STUDENT
     * @param steps steps of this stage (highest step minus the step before the stage)
     * @param lastStep highest step reported in this stage
     * @param firstLoss loss of the first record of the stage
     * @param finalLoss loss of the last record of the stage
     * @param samplesPerSecond mean throughput of the stage's records, in clips per second
     */
    public record StageSummary(
            String phase,
            long steps,
            long lastStep,
            double firstLoss,
            double finalLoss,
            double samplesPerSecond) {}

    /** Returns the report as indented JSON. */
    public String toJson() {
        try {
            return new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("failed to render the demo report as JSON", e);
        }
    }

    /** Returns the report as a plain-text table for the terminal. */
    public String toTable() {
        StringBuilder table = new StringBuilder();
        row(table, "dataset", dataset);
        row(table, "model preset", preset);
        row(table, "frames ingested", Long.toString(framesIngested));
        row(table, "clips expected", Long.toString(clipsExpected));
        for (StageSummary stage : stages) {
            row(
                    table,
                    "stage " + stage.phase().toLowerCase(Locale.ROOT),
                    String.format(
                            Locale.ROOT,
                            "%d steps (to step %d), loss %.4f -> %.4f, %.0f clips/s",
                            stage.steps(),
                            stage.lastStep(),
                            stage.firstLoss(),
                            stage.finalLoss(),
                            stage.samplesPerSecond()));
        }
        row(table, "RankMe (held-out clips)", number(lastRankMe));
        row(table, "LiDAR (held-out clips)", number(lastLidar));
        row(
                table,
                "embeddings written",
                embeddingsWritten
                        + " ("
                        + distinctEmbeddingIds
                        + " distinct clip ids, "
                        + clipsExpected
                        + " clips expected)");
        row(table, "dead letters", Long.toString(deadLetters));
        row(
                table,
                "model snapshots",
                snapshots + (finalSnapshot == null ? "" : ", final " + finalSnapshot));
        for (EncoderScores scores : evaluation) {
            row(
                    table,
                    "kNN accuracy, " + scores.encoder(),
                    scores.knnAccuracy() == null
                            ? "n/a"
                            : String.format(
                                    Locale.ROOT,
                                    "%.2f %% (d = %d, RankMe %s)",
                                    100 * scores.knnAccuracy(),
                                    scores.dimension(),
                                    number(scores.rankMe())));
        }
        row(
                table,
                "wall time",
                String.format(
                        Locale.ROOT,
                        "%.0f s total: ingest %.0f s, job %.0f s%s, evaluation %.0f s",
                        totalSeconds,
                        ingestSeconds,
                        jobSeconds,
                        stoppedEarly ? " (stopped at the time budget)" : "",
                        evaluationSeconds));
        return table.toString();
    }

    private static void row(StringBuilder table, String name, String value) {
        table.append(String.format(Locale.ROOT, "  %-28s %s%n", name, value));
    }

    private static String number(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }
}
