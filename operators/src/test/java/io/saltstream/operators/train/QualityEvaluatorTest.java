package io.saltstream.operators.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.preprocess.ClipTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QualityEvaluatorTest {

    private static final int SIDE = 8;
    private static final int PATCH = 4;

    /**
     * Creates an 8×8 clip with 2 channels and 3 frames whose patch of index {@code label} (of the
     * 2×2 patch grid) is bright, plus noise.
     */
    private static ClipTensor clip(long sequence, Integer label) {
        SplittableRandom random = new SplittableRandom(sequence);
        int channels = 2;
        int frames = 3;
        float[] data = new float[channels * frames * SIDE * SIDE];
        int bright = label == null ? (int) (sequence % 4) : label;
        for (int plane = 0; plane < channels * frames; plane++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int patch = (y / PATCH) * 2 + x / PATCH;
                    double value = (patch == bright ? 2.0 : 0.0) + 0.3 * random.nextGaussian();
                    data[(plane * SIDE + y) * SIDE + x] = (float) value;
                }
            }
        }
        return new ClipTensor(
                "cam", sequence, sequence, sequence, label, new int[] {2, 3, SIDE, SIDE}, data);
    }

    /** Embeds a clip as the means of its four patches over channels and frames: [B][4]. */
    private static float[][] patchMeans(float[] data, int[] shape) {
        int planes = shape[1] * shape[2];
        int length = planes * SIDE * SIDE;
        float[][] embeddings = new float[shape[0]][4];
        for (int b = 0; b < shape[0]; b++) {
            for (int plane = 0; plane < planes; plane++) {
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        int patch = (y / PATCH) * 2 + x / PATCH;
                        embeddings[b][patch] +=
                                data[b * length + (plane * SIDE + y) * SIDE + x]
                                        / (planes * PATCH * PATCH);
                    }
                }
            }
        }
        return embeddings;
    }

    private static QualityEvaluator evaluator(int knnK) {
        return new QualityEvaluator(6, 3, knnK, 0.25, PATCH, 5);
    }

    @Test
    void labelledClipsGetEveryFigure() {
        List<ClipTensor> clips = new ArrayList<>();
        for (long sequence = 0; sequence < 40; sequence++) {
            clips.add(clip(sequence, (int) (sequence % 4)));
        }
        List<int[]> shapes = new ArrayList<>();

        QualityReport report =
                evaluator(5)
                        .evaluate(
                                clips,
                                (data, shape) -> {
                                    shapes.add(shape.clone());
                                    return patchMeans(data, shape);
                                },
                                3);

        assertThat(report.clips()).isEqualTo(40);
        assertThat(report.rankMe()).isBetween(1.0, 4.0);
        assertThat(report.lidar()).isBetween(1.0, 4.0);
        assertThat(report.knnAccuracy()).isEqualTo(1.0);
        assertThat(report.linearProbeAccuracy()).isEqualTo(1.0);
        // 40 clips, then 6 classes × 3 views, in batches of at most 5.
        assertThat(shapes).allMatch(shape -> shape[0] <= 5 && shape.length == 5);
        assertThat(shapes.stream().mapToInt(shape -> shape[0]).sum()).isEqualTo(40 + 18);
    }

    @Test
    void unlabelledClipsGetNoAccuracy() {
        List<ClipTensor> clips = new ArrayList<>();
        for (long sequence = 0; sequence < 12; sequence++) {
            clips.add(clip(sequence, null));
        }

        QualityReport report = evaluator(5).evaluate(clips, QualityEvaluatorTest::patchMeans, 0);

        assertThat(report.rankMe()).isBetween(1.0, 4.0);
        assertThat(report.lidar()).isNotNull();
        assertThat(report.knnAccuracy()).isNull();
        assertThat(report.linearProbeAccuracy()).isNull();
    }

    @Test
    void tooFewClipsGetNoFigures() {
        QualityReport report =
                evaluator(1).evaluate(List.of(clip(0, 1)), QualityEvaluatorTest::patchMeans, 0);

        assertThat(report.rankMe()).isNull();
        assertThat(report.lidar()).isNull();
        assertThat(report.knnAccuracy()).isNull();
    }

    @Test
    void nonFiniteEmbeddingsGetNoFigures() {
        List<ClipTensor> clips = List.of(clip(0, 0), clip(1, 1), clip(2, 2));

        QualityReport report =
                evaluator(1)
                        .evaluate(
                                clips,
                                (data, shape) -> {
                                    float[][] embeddings = patchMeans(data, shape);
                                    embeddings[0][0] = Float.NaN;
                                    return embeddings;
                                },
                                0);

        assertThat(report.rankMe()).isNull();
        assertThat(report.lidar()).isNull();
        assertThat(report.knnAccuracy()).isNull();
        assertThat(report.linearProbeAccuracy()).isNull();
    }

    @Test
    void maskedViewZeroesSamePatchesInEveryPlane() {
        ClipTensor ones =
                new ClipTensor("cam", 0, 0, 0, null, new int[] {2, 3, SIDE, SIDE}, new float[384]);
        Arrays.fill(ones.data, 1f);
        QualityEvaluator evaluator = new QualityEvaluator(2, 2, 1, 0.5, PATCH, 8);

        float[] view = evaluator.maskedView(ones, new SplittableRandom(9));
        float[] same = evaluator.maskedView(ones, new SplittableRandom(9));

        // 4 patches, half of them masked: 2 patches of 16 pixels in each of the 6 planes.
        int zeros = 0;
        for (float value : view) {
            zeros += value == 0f ? 1 : 0;
        }
        assertThat(zeros).isEqualTo(2 * PATCH * PATCH * 6);
        float[] firstPlane = Arrays.copyOfRange(view, 0, SIDE * SIDE);
        for (int plane = 1; plane < 6; plane++) {
            assertThat(Arrays.copyOfRange(view, plane * SIDE * SIDE, (plane + 1) * SIDE * SIDE))
                    .containsExactly(firstPlane);
        }
        assertThat(same).containsExactly(view);
        assertThat(ones.data).containsOnly(1f);
    }
}
