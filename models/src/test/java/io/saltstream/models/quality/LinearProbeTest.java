package io.saltstream.models.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LinearProbeTest {

    private static final Logger LOG = LoggerFactory.getLogger(LinearProbeTest.class);

    @Test
    void linearlySeparableDataIsLearnedExactly() {
        // Labels come from a fixed linear rule with a margin, so a perfect linear classifier
        // exists. Features get very different scales to exercise the standardisation.
        Random random = new Random(31);
        int numClasses = 3;
        int dim = 10;
        float[][] rule = QualityTestData.gaussian(random, numClasses, dim);
        float[][] train = separable(random, rule, 1500);
        float[][] test = separable(random, rule, 500);
        LinearProbe probe = LinearProbe.builder().optEpochs(60).build();

        probe.fit(train, argmax(rule, train), numClasses);

        assertThat(probe.accuracy(train, argmax(rule, train))).isGreaterThanOrEqualTo(0.99);
        assertThat(probe.accuracy(test, argmax(rule, test))).isGreaterThanOrEqualTo(0.98);
        assertThat(probe.getTrainingLoss()).isLessThan(0.5 * Math.log(numClasses));
    }

    @Test
    void noisyDataBeatsChance() {
        // Overlapping blobs: centres about one noise standard deviation apart.
        Random random = new Random(32);
        int numClasses = 4;
        float[][] centres =
                QualityTestData.scale(QualityTestData.gaussian(random, numClasses, 16), 0.35f);
        float[][] train = QualityTestData.blobs(centres, 2000, 1f, random);
        float[][] test = QualityTestData.blobs(centres, 1000, 1f, random);
        LinearProbe probe = LinearProbe.builder().optEpochs(30).build();

        probe.fit(train, QualityTestData.blobLabels(2000, numClasses), numClasses);
        double accuracy = probe.accuracy(test, QualityTestData.blobLabels(1000, numClasses));

        // Chance is 0.25, and the standard deviation over 1000 samples is about 0.014.
        assertThat(accuracy).isGreaterThan(0.35);
        assertThat(accuracy).isLessThan(0.99);
    }

    @Test
    void sameSeedGivesSameModel() {
        Random random = new Random(33);
        float[][] centres = QualityTestData.gaussian(random, 3, 8);
        float[][] train = QualityTestData.blobs(centres, 300, 1f, random);
        float[][] test = QualityTestData.blobs(centres, 100, 1f, random);
        int[] labels = QualityTestData.blobLabels(300, 3);

        LinearProbe first = LinearProbe.builder().optEpochs(5).optSeed(7).build();
        LinearProbe second = LinearProbe.builder().optEpochs(5).optSeed(7).build();
        first.fit(train, labels, 3);
        second.fit(train, labels, 3);

        assertThat(second.getTrainingLoss()).isEqualTo(first.getTrainingLoss());
        assertThat(second.predict(test)).isEqualTo(first.predict(test));
    }

    @Test
    void constantFeatureIsHandled() {
        Random random = new Random(34);
        float[][] centres = {{2f, 5f, 0f}, {-2f, 5f, 0f}};
        float[][] train = QualityTestData.blobs(centres, 200, 0.1f, random);
        for (float[] row : train) {
            row[1] = 5f;
        }
        int[] labels = QualityTestData.blobLabels(200, 2);
        LinearProbe probe = LinearProbe.builder().optEpochs(20).build();

        probe.fit(train, labels, 2);

        assertThat(probe.getTrainingLoss()).isFinite();
        assertThat(probe.accuracy(train, labels)).isEqualTo(1.0);
    }

    @Test
    void predictBeforeFitIsRejected() {
        LinearProbe probe = LinearProbe.builder().build();

        assertThat(probe.isFitted()).isFalse();
        assertThat(probe.getTrainingLoss()).isNaN();
        assertThatThrownBy(() -> probe.predict(new float[][] {{1f}}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not fitted: call fit() first");
        assertThatThrownBy(() -> probe.accuracy(new float[][] {{1f}}, new int[] {0}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not fitted");
    }

    @Test
    void invalidFitInputIsRejected() {
        Random random = new Random(35);
        float[][] train = QualityTestData.gaussian(random, 20, 4);
        LinearProbe probe = LinearProbe.builder().optEpochs(1).build();
        int[] outOfRange = new int[20];
        outOfRange[5] = 3;

        assertThatThrownBy(() -> probe.fit(train, new int[20], 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numClasses = 1 is invalid");
        assertThatThrownBy(() -> probe.fit(train, new int[19], 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels has 19 entries, expected 20");
        assertThatThrownBy(() -> probe.fit(train, outOfRange, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels[5] = 3 is invalid: labels must be in [0, 3)");
        assertThatThrownBy(() -> probe.fit(new float[][] {{1f, Float.NaN}}, new int[1], 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN at row 0, column 1");
    }

    @Test
    void wrongDimensionAfterFitIsRejected() {
        Random random = new Random(36);
        LinearProbe probe = LinearProbe.builder().optEpochs(1).build();
        probe.fit(QualityTestData.gaussian(random, 20, 4), new int[20], 2);

        assertThatThrownBy(() -> probe.predict(QualityTestData.gaussian(random, 3, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "embeddings have dimension 5 but the probe was fitted on dimension 4");
        assertThatThrownBy(() -> probe.accuracy(QualityTestData.gaussian(random, 3, 4), new int[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels has 2 entries, expected 3");
    }

    @Test
    void builderKeepsSettings() {
        LinearProbe probe =
                LinearProbe.builder()
                        .optEpochs(3)
                        .optBatchSize(64)
                        .optLearningRate(0.1)
                        .optWeightDecay(0.0)
                        .optSeed(9)
                        .build();

        assertThat(probe.getEpochs()).isEqualTo(3);
        assertThat(probe.getBatchSize()).isEqualTo(64);
        assertThat(probe.getLearningRate()).isEqualTo(0.1);
        assertThat(probe.getWeightDecay()).isEqualTo(0.0);
        assertThat(probe.getSeed()).isEqualTo(9);
    }

    @Test
    void builderRejectsInvalidSettings() {
        assertThatThrownBy(() -> LinearProbe.builder().optEpochs(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epochs = 0 is invalid");
        assertThatThrownBy(() -> LinearProbe.builder().optBatchSize(-4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize = -4 is invalid");
        assertThatThrownBy(() -> LinearProbe.builder().optLearningRate(0.0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learningRate = 0.0 is invalid");
        assertThatThrownBy(() -> LinearProbe.builder().optWeightDecay(-1e-4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weightDecay = -1.0E-4 is invalid");
        assertThatThrownBy(
                        () ->
                                LinearProbe.builder()
                                        .optWeightDecay(Double.POSITIVE_INFINITY)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weightDecay = Infinity is invalid");
    }

    /**
     * Measures a default fit on 10 000 × 128 embeddings with 10 classes. It asserts nothing about
     * time.
     */
    @Test
    @EnabledIfSystemProperty(named = "saltstream.benchmarks", matches = "true")
    void benchmarkTenThousandByOneHundredTwentyEight() {
        Random random = new Random(37);
        float[][] centres = QualityTestData.scale(QualityTestData.gaussian(random, 10, 128), 0.3f);
        float[][] train = QualityTestData.blobs(centres, 10_000, 1f, random);
        float[][] test = QualityTestData.blobs(centres, 10_000, 1f, random);
        int[] labels = QualityTestData.blobLabels(10_000, 10);

        for (int run = 0; run < 2; run++) {
            LinearProbe probe = LinearProbe.builder().build();
            long start = System.nanoTime();
            probe.fit(train, labels, 10);
            long millis = (System.nanoTime() - start) / 1_000_000;
            double accuracy = probe.accuracy(test, labels);
            LOG.info(
                    "Linear probe fit on 10000 x 128, 10 classes, {} epochs: {} ms, test"
                            + " accuracy {}",
                    probe.getEpochs(),
                    millis,
                    accuracy);
            assertThat(accuracy).isGreaterThan(0.5);
        }
    }

    /**
     * Returns rows with features of scale 10^(k mod 3 − 1), keeping only rows whose top score under
     * {@code rule} beats the runner-up by a margin.
     */
    private static float[][] separable(Random random, float[][] rule, int rows) {
        int dim = rule[0].length;
        float[][] result = new float[rows][];
        int filled = 0;
        while (filled < rows) {
            float[] row = new float[dim];
            for (int k = 0; k < dim; k++) {
                row[k] = (float) random.nextGaussian();
            }
            double[] scores = scores(rule, row);
            double best = Double.NEGATIVE_INFINITY;
            double second = Double.NEGATIVE_INFINITY;
            for (double score : scores) {
                if (score > best) {
                    second = best;
                    best = score;
                } else if (score > second) {
                    second = score;
                }
            }
            if (best - second < 0.5) {
                continue;
            }
            // The label comes from the unscaled row, so the rescaled row satisfies the rule with
            // weights divided by the same scales.
            for (int k = 0; k < dim; k++) {
                row[k] *= (float) Math.pow(10, k % 3 - 1);
            }
            result[filled++] = row;
        }
        return result;
    }

    /** Labels rows by the argmax of the rule applied to the unscaled features. */
    private static int[] argmax(float[][] rule, float[][] rows) {
        int[] labels = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            float[] unscaled = new float[rows[i].length];
            for (int k = 0; k < unscaled.length; k++) {
                unscaled[k] = rows[i][k] / (float) Math.pow(10, k % 3 - 1);
            }
            double[] scores = scores(rule, unscaled);
            int best = 0;
            for (int c = 1; c < scores.length; c++) {
                if (scores[c] > scores[best]) {
                    best = c;
                }
            }
            labels[i] = best;
        }
        return labels;
    }

    private static double[] scores(float[][] rule, float[] row) {
        double[] scores = new double[rule.length];
        for (int c = 0; c < rule.length; c++) {
            for (int k = 0; k < row.length; k++) {
                scores[c] += rule[c][k] * row[k];
            }
        }
        return scores;
    }
}
