package io.saltstream.pipeline.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.pipeline.fit.RepresentationEvaluator.Metric;
import io.saltstream.pipeline.ingest.IdxDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepresentationEvaluatorTest {

    @TempDir Path folder;

    private IdxImageSet train;
    private IdxImageSet test;

    @BeforeEach
    void writeImages() throws IOException {
        DataFiles.FashionMnistFiles files = IdxTestFiles.writeFashionMnist(folder, 200, 60);
        train = IdxImageSet.read(files.trainImages(), files.trainLabels(), 200);
        test = IdxImageSet.read(files.testImages(), files.testLabels(), 60);
    }

    private static int[] range(int size) {
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = i;
        }
        return indices;
    }

    @Test
    void rawPixelsSeparateBarClasses() {
        RepresentationEvaluator evaluator =
                RepresentationEvaluator.builder().optBatchSize(32).optLidarClasses(20).build();

        EncoderScores scores =
                evaluator.evaluate(
                        "raw-pixels",
                        EmbeddingFunction.RAW_PIXELS,
                        train,
                        range(200),
                        test,
                        range(60),
                        EnumSet.allOf(Metric.class));

        assertThat(scores.encoder()).isEqualTo("raw-pixels");
        assertThat(scores.dimension()).isEqualTo(28 * 28);
        assertThat(scores.knnAccuracy()).isEqualTo(1.0);
        assertThat(scores.linearProbeAccuracy()).isEqualTo(1.0);
        assertThat(scores.rankMe()).isBetween(1.0, 60.0);
        assertThat(scores.lidar()).isBetween(1.0, 19.0);
    }

    @Test
    void unrequestedMetricsStayNull() {
        RepresentationEvaluator evaluator = RepresentationEvaluator.builder().build();

        EncoderScores scores =
                evaluator.evaluate(
                        "raw-pixels",
                        EmbeddingFunction.RAW_PIXELS,
                        null,
                        new int[0],
                        test,
                        range(60),
                        EnumSet.of(Metric.RANK_ME));

        assertThat(scores.rankMe()).isNotNull();
        assertThat(scores.knnAccuracy()).isNull();
        assertThat(scores.linearProbeAccuracy()).isNull();
        assertThat(scores.lidar()).isNull();
    }

    @Test
    void unlabelledSetSkipsAccuracy() {
        IdxImageSet unlabelled =
                new IdxImageSet(
                        new IdxDataset(30, 28, 28, new byte[30 * 28 * 28], null), "blank images");
        RepresentationEvaluator evaluator = RepresentationEvaluator.builder().build();

        EncoderScores scores =
                evaluator.evaluate(
                        "raw-pixels",
                        EmbeddingFunction.RAW_PIXELS,
                        unlabelled,
                        range(30),
                        test,
                        range(60),
                        EnumSet.of(Metric.KNN, Metric.LINEAR_PROBE));

        assertThat(scores.knnAccuracy()).isNull();
        assertThat(scores.linearProbeAccuracy()).isNull();
    }

    @Test
    void viewsHaveClassesViewsAndDimension() {
        RepresentationEvaluator evaluator =
                RepresentationEvaluator.builder()
                        .optBatchSize(7)
                        .optLidarClasses(100)
                        .optLidarViews(3)
                        .build();

        float[][][] views = evaluator.embedViews(EmbeddingFunction.RAW_PIXELS, test, range(25));

        assertThat(views).hasDimensions(25, 3);
        assertThat(views[24][2]).hasSize(28 * 28);
        assertThat(evaluator.lidarClassesFor(25)).isEqualTo(25);
    }

    @Test
    void sameSeedSameViews() {
        RepresentationEvaluator first = RepresentationEvaluator.builder().optSeed(5).build();
        RepresentationEvaluator second = RepresentationEvaluator.builder().optSeed(5).build();

        float[][][] a = first.embedViews(EmbeddingFunction.RAW_PIXELS, test, range(10));
        float[][][] b = second.embedViews(EmbeddingFunction.RAW_PIXELS, test, range(10));

        assertThat(a).isDeepEqualTo(b);
    }

    @Test
    void embedKeepsIndexOrderAcrossBatches() {
        RepresentationEvaluator evaluator =
                RepresentationEvaluator.builder().optBatchSize(4).build();

        float[][] embeddings =
                evaluator.embed(EmbeddingFunction.RAW_PIXELS, test, new int[] {9, 3, 0, 5, 7});

        float[] expected = new float[28 * 28];
        test.copySample(7, expected, 0);
        assertThat(embeddings).hasNumberOfRows(5);
        assertThat(embeddings[4]).containsExactly(expected);
    }

    @Test
    void singleLidarClassRejected() {
        RepresentationEvaluator evaluator = RepresentationEvaluator.builder().build();

        assertThatThrownBy(
                        () ->
                                evaluator.embedViews(
                                        EmbeddingFunction.RAW_PIXELS, test, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("LiDAR needs at least 2 distinct samples, got 1 from");
    }

    @Test
    void invalidSettingsRejected() {
        assertThatThrownBy(() -> RepresentationEvaluator.builder().optBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchSize = 0 is invalid: expected at least 1");
        assertThatThrownBy(() -> RepresentationEvaluator.builder().optLidarViews(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lidarViews = 1 is invalid: expected at least 2");
        assertThatThrownBy(() -> RepresentationEvaluator.builder().optLidarClasses(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lidarClasses = 1 is invalid: expected at least 2");
        assertThatThrownBy(() -> RepresentationEvaluator.builder().optNumThreads(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("numThreads = 0 is invalid: expected at least 1");
    }
}
