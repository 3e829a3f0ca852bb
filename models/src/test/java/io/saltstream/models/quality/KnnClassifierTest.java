package io.saltstream.models.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class KnnClassifierTest {

    private static final Logger LOG = LoggerFactory.getLogger(KnnClassifierTest.class);

    private static final KnnClassifier DEFAULT = KnnClassifier.builder().build();

    @Test
    void separableBlobsAreClassifiedCorrectly() {
        Random random = new Random(21);
        float[][] centres = QualityTestData.scale(QualityTestData.gaussian(random, 5, 16), 3f);
        float[][] train = QualityTestData.blobs(centres, 500, 0.3f, random);
        float[][] test = QualityTestData.blobs(centres, 203, 0.3f, random);

        double accuracy =
                DEFAULT.accuracy(
                        train,
                        QualityTestData.blobLabels(500, 5),
                        test,
                        QualityTestData.blobLabels(203, 5));

        assertThat(accuracy).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void randomLabelsGiveChanceAccuracy() {
        Random random = new Random(22);
        int numClasses = 10;
        float[][] train = QualityTestData.gaussian(random, 2000, 32);
        float[][] test = QualityTestData.gaussian(random, 1000, 32);
        int[] trainLabels = randomLabels(random, 2000, numClasses);
        int[] testLabels = randomLabels(random, 1000, numClasses);

        double accuracy = DEFAULT.accuracy(train, trainLabels, test, testLabels);

        // Chance is 0.1, and the standard deviation over 1000 queries is about 0.0095.
        assertThat(accuracy).isBetween(0.05, 0.15);
    }

    @Test
    void predictionsMatchBruteForceSearch() {
        Random random = new Random(23);
        int numClasses = 4;
        // Sizes that are not multiples of the block width or the query group.
        float[][] train = QualityTestData.gaussian(random, 301, 9);
        float[][] test = QualityTestData.gaussian(random, 157, 9);
        int[] trainLabels = randomLabels(random, 301, numClasses);
        KnnClassifier knn = KnnClassifier.builder().optK(7).optTemperature(0.1).build();

        int[] predictions = knn.predict(train, trainLabels, test);

        for (int query = 0; query < test.length; query++) {
            assertThat(predictions[query])
                    .as("prediction for query %d", query)
                    .isEqualTo(bruteForce(train, trainLabels, test[query], 7, 0.1, numClasses));
        }
    }

    @Test
    void threadsGiveSamePredictions() {
        Random random = new Random(24);
        float[][] train = QualityTestData.gaussian(random, 700, 20);
        float[][] test = QualityTestData.gaussian(random, 333, 20);
        int[] trainLabels = randomLabels(random, 700, 6);

        int[] single = DEFAULT.predict(train, trainLabels, test);
        int[] parallel =
                KnnClassifier.builder().optNumThreads(3).build().predict(train, trainLabels, test);

        assertThat(parallel).isEqualTo(single);
    }

    @Test
    void oneNeighbourReturnsLabelOfDuplicate() {
        Random random = new Random(25);
        float[][] train = QualityTestData.gaussian(random, 50, 8);
        int[] trainLabels = randomLabels(random, 50, 5);
        float[][] test = {train[17].clone(), QualityTestData.scale(train, 4f)[33]};
        KnnClassifier knn = KnnClassifier.builder().optK(1).build();

        int[] predictions = knn.predict(train, trainLabels, test);

        assertThat(predictions).containsExactly(trainLabels[17], trainLabels[33]);
    }

    @Test
    void closeNeighboursOutvoteMoreFarOnes() {
        // Two neighbours of label 0 at similarity 1.0 outweigh three of label 1 at similarity
        // 0.8: exp(1/0.07) · 2 > exp(0.8/0.07) · 3.
        float[][] train = {{1f, 0f}, {1f, 0f}, {0.8f, 0.6f}, {0.8f, 0.6f}, {0.8f, 0.6f}, {-1f, 0f}};
        int[] trainLabels = {0, 0, 1, 1, 1, 2};
        KnnClassifier knn = KnnClassifier.builder().optK(5).build();

        assertThat(knn.predict(train, trainLabels, new float[][] {{1f, 0f}})).containsExactly(0);
    }

    @Test
    void tiedSimilaritiesKeepLowerIndex() {
        // Rows 0 and 1 tie at similarity 0.5 and rows 2 and 3 at 0.6. With k = 3 the tie at 0.5
        // must keep row 0 (label 1), which makes label 1 win: exp(0.5/T) + exp(0.6/T) against
        // exp(0.6/T). Keeping row 1 instead would make label 2 win.
        float[][] train = {{0.5f, 0.8660254f}, {0.5f, 0.8660254f}, {0.6f, 0.8f}, {0.6f, -0.8f}};
        int[] trainLabels = {1, 2, 2, 1};
        KnnClassifier knn = KnnClassifier.builder().optK(3).build();

        assertThat(knn.predict(train, trainLabels, new float[][] {{1f, 0f}})).containsExactly(1);
    }

    @Test
    void builderKeepsSettings() {
        KnnClassifier knn =
                KnnClassifier.builder().optK(5).optTemperature(0.5).optNumThreads(2).build();

        assertThat(knn.getK()).isEqualTo(5);
        assertThat(knn.getTemperature()).isEqualTo(0.5);
        assertThat(knn.getNumThreads()).isEqualTo(2);
        assertThat(DEFAULT.getK()).isEqualTo(20);
        assertThat(DEFAULT.getTemperature()).isEqualTo(0.07);
        assertThat(DEFAULT.getNumThreads()).isEqualTo(1);
    }

    @Test
    void builderRejectsInvalidSettings() {
        assertThatThrownBy(() -> KnnClassifier.builder().optK(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k = 0 is invalid");
        assertThatThrownBy(() -> KnnClassifier.builder().optTemperature(-0.07).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature = -0.07 is invalid");
        assertThatThrownBy(() -> KnnClassifier.builder().optTemperature(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature = NaN is invalid");
        assertThatThrownBy(() -> KnnClassifier.builder().optNumThreads(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numThreads = 0 is invalid");
    }

    @Test
    void fewerReferencesThanKAreRejected() {
        float[][] train = QualityTestData.gaussian(new Random(26), 10, 4);

        assertThatThrownBy(() -> DEFAULT.predict(train, new int[10], train))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainEmbeddings has 10 rows, fewer than k = 20");
    }

    @Test
    void mismatchedShapesAndLabelsAreRejected() {
        Random random = new Random(27);
        float[][] train = QualityTestData.gaussian(random, 30, 4);
        float[][] test = QualityTestData.gaussian(random, 5, 4);
        float[][] wideTest = QualityTestData.gaussian(random, 5, 6);
        KnnClassifier knn = KnnClassifier.builder().optK(3).build();

        assertThatThrownBy(() -> knn.predict(train, new int[30], wideTest))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "testEmbeddings have dimension 6 but trainEmbeddings have"
                                + " dimension 4");
        assertThatThrownBy(() -> knn.predict(train, new int[29], test))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainLabels has 29 entries, expected 30");
        assertThatThrownBy(() -> knn.accuracy(train, new int[30], test, new int[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("testLabels has 4 entries, expected 5");
        int[] negative = new int[30];
        negative[12] = -1;
        assertThatThrownBy(() -> knn.predict(train, negative, test))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainLabels[12] = -1 is invalid");
    }

    @Test
    void zeroOrNonFiniteRowsAreRejected() {
        Random random = new Random(28);
        float[][] train = QualityTestData.gaussian(random, 30, 4);
        float[][] test = QualityTestData.gaussian(random, 5, 4);
        KnnClassifier knn = KnnClassifier.builder().optK(3).build();
        float[][] zeroRow = train.clone();
        zeroRow[7] = new float[4];
        float[][] infinite = test.clone();
        infinite[2] = new float[] {0f, 0f, Float.POSITIVE_INFINITY, 0f};

        assertThatThrownBy(() -> knn.predict(zeroRow, new int[30], test))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainEmbeddings row 7 has L2 norm 0.0");
        assertThatThrownBy(() -> knn.predict(train, new int[30], infinite))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "testEmbeddings has the non-finite value Infinity at row 2," + " column 2");
    }

    /**
     * Measures 10 000 queries against 10 000 references of dimension 128. It asserts nothing about
     * time.
     */
    @Test
    @EnabledIfSystemProperty(named = "saltstream.benchmarks", matches = "true")
    void benchmarkTenThousandByTenThousand() {
        Random random = new Random(29);
        float[][] centres = QualityTestData.gaussian(random, 10, 128);
        float[][] train = QualityTestData.blobs(centres, 10_000, 1f, random);
        float[][] test = QualityTestData.blobs(centres, 10_000, 1f, random);
        int[] trainLabels = QualityTestData.blobLabels(10_000, 10);
        int[] testLabels = QualityTestData.blobLabels(10_000, 10);

        for (int threads : new int[] {1, 2, 1, 2}) {
            KnnClassifier knn = KnnClassifier.builder().optNumThreads(threads).build();
            long start = System.nanoTime();
            double accuracy = knn.accuracy(train, trainLabels, test, testLabels);
            long millis = (System.nanoTime() - start) / 1_000_000;
            LOG.info(
                    "kNN 10000 x 10000 x 128, k = 20, {} thread(s): {} ms, accuracy {}",
                    threads,
                    millis,
                    accuracy);
            assertThat(accuracy).isGreaterThan(0.9);
        }
    }

    private static int[] randomLabels(Random random, int count, int numClasses) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = random.nextInt(numClasses);
        }
        return labels;
    }

    /** Sorts all references by cosine similarity in double and votes with exp(s / T). */
    private static int bruteForce(
            float[][] train,
            int[] trainLabels,
            float[] query,
            int k,
            double temperature,
            int numClasses) {
        double[] similarities = new double[train.length];
        for (int j = 0; j < train.length; j++) {
            double dot = 0.0;
            double trainNorm = 0.0;
            double queryNorm = 0.0;
            for (int f = 0; f < query.length; f++) {
                dot += (double) train[j][f] * query[f];
                trainNorm += (double) train[j][f] * train[j][f];
                queryNorm += (double) query[f] * query[f];
            }
            similarities[j] = dot / Math.sqrt(trainNorm * queryNorm);
        }
        Integer[] order = new Integer[train.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -similarities[j]));
        double[] votes = new double[numClasses];
        for (int rank = 0; rank < k; rank++) {
            int j = order[rank];
            votes[trainLabels[j]] += Math.exp(similarities[j] / temperature);
        }
        int best = 0;
        for (int label = 1; label < numClasses; label++) {
            if (votes[label] > votes[best]) {
                best = label;
            }
        }
        return best;
    }
}
