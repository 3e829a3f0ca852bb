package io.saltstream.models.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;

class LidarTest {

    private static final Lidar DEFAULT = Lidar.builder().build();

    @Test
    void identicalViewsMatchBetweenClassRank() {
        // Every view equals its class mean, so Σ_w = δI and Σ_lidar = Σ_b / δ.
        Random random = new Random(11);
        int numClasses = 7;
        int numViews = 3;
        int dim = 12;
        float[][] means = QualityTestData.gaussian(random, numClasses, dim);
        for (float[] mean : means) {
            // Unequal feature scales, so that the spectrum of Σ_b is far from flat.
            for (int k = 0; k < dim; k++) {
                mean[k] *= (k + 1) * 0.5f;
            }
        }
        float[][][] embeddings = new float[numClasses][numViews][];
        for (int i = 0; i < numClasses; i++) {
            for (int j = 0; j < numViews; j++) {
                embeddings[i][j] = means[i].clone();
            }
        }

        double expected = effectiveRank(betweenClassCovariance(means), Lidar.DEFAULT_EPSILON);
        double lidar = DEFAULT.compute(embeddings);

        assertThat(lidar).isCloseTo(expected, within(1e-6 * expected));
        assertThat(lidar).isLessThan(numClasses - 1.0);
    }

    @Test
    void simplexClustersGiveClassesMinusOne() {
        // Orthogonal class centres form a regular simplex, so Σ_b has n − 1 equal eigenvalues.
        // Isotropic noise makes Σ_w close to σ²I.
        Random random = new Random(12);
        int numClasses = 8;
        int numViews = 64;
        int dim = 16;
        float[][][] embeddings = new float[numClasses][numViews][dim];
        for (int i = 0; i < numClasses; i++) {
            for (int j = 0; j < numViews; j++) {
                for (int k = 0; k < dim; k++) {
                    float centre = k == i ? 10f : 0f;
                    embeddings[i][j][k] = centre + 0.1f * (float) random.nextGaussian();
                }
            }
        }

        double lidar = DEFAULT.compute(embeddings);

        assertThat(lidar).isBetween(numClasses - 1 - 0.5, numClasses - 1 + 0.01);
    }

    @Test
    void valueIsAtMostNumClassesMinusOne() {
        Random random = new Random(13);
        int numClasses = 5;
        float[][][] embeddings = new float[numClasses][][];
        for (int i = 0; i < numClasses; i++) {
            embeddings[i] = QualityTestData.gaussian(random, 10, 32);
        }

        double lidar = DEFAULT.compute(embeddings);

        assertThat(lidar).isLessThanOrEqualTo(numClasses - 1 + 1e-3);
        assertThat(lidar).isGreaterThan(1.0);
    }

    @Test
    void invertibleLinearMapLeavesValueUnchanged() {
        // The eigenvalues of Σ_w^(−1/2) Σ_b Σ_w^(−1/2) equal those of Σ_w⁻¹ Σ_b, which an
        // invertible map A turns into A⁻ᵀ Σ_w⁻¹ Σ_b Aᵀ: same spectrum while δ is negligible.
        Random random = new Random(14);
        int numClasses = 6;
        int dim = 8;
        float[][][] embeddings = clusters(random, numClasses, 40, dim, 2f, 1f);
        float[][] map = QualityTestData.gaussian(random, dim, dim);
        for (int k = 0; k < dim; k++) {
            map[k][k] += 4f;
        }
        float[][][] mapped = new float[numClasses][][];
        for (int i = 0; i < numClasses; i++) {
            mapped[i] = new float[embeddings[i].length][dim];
            for (int j = 0; j < embeddings[i].length; j++) {
                for (int a = 0; a < dim; a++) {
                    double sum = 0.0;
                    for (int b = 0; b < dim; b++) {
                        sum += map[a][b] * embeddings[i][j][b];
                    }
                    mapped[i][j][a] = (float) sum;
                }
            }
        }

        double reference = DEFAULT.compute(embeddings);

        assertThat(DEFAULT.compute(mapped)).isCloseTo(reference, within(1e-3 * reference));
    }

    @Test
    void scalingWithDeltaScaledLeavesValueUnchanged() {
        Random random = new Random(15);
        float[][][] embeddings = clusters(random, 6, 20, 10, 1f, 0.3f);
        double reference = DEFAULT.compute(embeddings);

        // Scaling by c multiplies Σ_b and Σ_w by c², so δ must scale by c² as well.
        float factor = 1e-3f;
        Lidar scaledDelta = Lidar.builder().optDelta(Lidar.DEFAULT_DELTA * factor * factor).build();

        assertThat(scaledDelta.compute(scale(embeddings, factor)))
                .isCloseTo(reference, within(1e-5 * reference));
    }

    @Test
    void largeScalingBarelyChangesValue() {
        // Within-class variances of about 0.09 dwarf δ = 1e-4, and scaling up only shrinks δ's
        // relative weight further.
        Random random = new Random(16);
        float[][][] embeddings = clusters(random, 6, 20, 10, 1f, 0.3f);
        double reference = DEFAULT.compute(embeddings);

        assertThat(DEFAULT.compute(scale(embeddings, 100f)))
                .isCloseTo(reference, within(1e-2 * reference));
    }

    @Test
    void smallScalingWithDefaultDeltaChangesValue() {
        // Simplex centres give Σ_b five equal eigenvalues. The within-class noise is 100 times
        // weaker on features 3 to 5, so whitening stretches those directions and the value drops
        // to about 3. Shrunk by 1e-3 every within-class variance falls far below δ, Σ_w becomes
        // nearly δI, and the value returns to the effective rank of Σ_b, about 5.
        Random random = new Random(17);
        int numClasses = 6;
        int dim = 6;
        float[][][] embeddings = new float[numClasses][40][dim];
        for (int i = 0; i < numClasses; i++) {
            for (float[] view : embeddings[i]) {
                for (int k = 0; k < dim; k++) {
                    float noise = k < 3 ? 1f : 0.01f;
                    view[k] = (k == i ? 5f : 0f) + noise * (float) random.nextGaussian();
                }
            }
        }

        double unscaled = DEFAULT.compute(embeddings);
        double shrunk = DEFAULT.compute(scale(embeddings, 1e-3f));

        assertThat(unscaled).isLessThan(4.0);
        assertThat(shrunk).isBetween(numClasses - 1 - 0.2, numClasses - 1 + 0.01);
    }

    @Test
    void builderKeepsSettings() {
        Lidar lidar = Lidar.builder().optDelta(1e-3).optEpsilon(1e-6).build();

        assertThat(lidar.getDelta()).isEqualTo(1e-3);
        assertThat(lidar.getEpsilon()).isEqualTo(1e-6);
        assertThat(DEFAULT.getDelta()).isEqualTo(1e-4);
        assertThat(DEFAULT.getEpsilon()).isEqualTo(1e-8);
    }

    @Test
    void builderRejectsInvalidDeltaAndEpsilon() {
        for (double bad : new double[] {0.0, -1e-4, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Lidar.builder().optDelta(bad).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("delta = " + bad + " is invalid");
            assertThatThrownBy(() -> Lidar.builder().optEpsilon(bad).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("epsilon = " + bad + " is invalid");
        }
    }

    @Test
    void tooFewClassesOrViewsAreRejected() {
        assertThatThrownBy(() -> DEFAULT.compute(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings must not be null");
        assertThatThrownBy(() -> DEFAULT.compute(new float[][][] {{{1f}, {2f}}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 1 classes, expected at least 2");
        assertThatThrownBy(() -> DEFAULT.compute(new float[][][] {{{1f}}, {{2f}}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings[0] has 1 views, expected at least 2");
    }

    @Test
    void unequalViewCountsOrDimensionsAreRejected() {
        float[][][] unequalViews = {{{1f}, {2f}}, {{1f}, {2f}, {3f}}};
        float[][][] unequalDims = {{{1f, 2f}, {2f, 3f}}, {{1f}, {2f}}};

        assertThatThrownBy(() -> DEFAULT.compute(unequalViews))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings[1] has 3 views, expected 2 like class 0");
        assertThatThrownBy(() -> DEFAULT.compute(unequalDims))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings[1] has embeddings of dimension 1, expected 2");
    }

    @Test
    void nonFiniteValueIsRejectedWithPosition() {
        float[][][] embeddings = {{{1f, 2f}, {2f, 3f}}, {{1f, 2f}, {Float.NaN, 3f}}};

        assertThatThrownBy(() -> DEFAULT.compute(embeddings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "embeddings[1] has the non-finite value NaN at row 1, column 0");
    }

    @Test
    void equalClassMeansAreRejected() {
        float[][][] embeddings = {{{1f, 2f}, {3f, 4f}}, {{3f, 4f}, {1f, 2f}}};

        assertThatThrownBy(() -> DEFAULT.compute(embeddings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("all 2 class means are equal");
    }

    /** Returns n classes with Gaussian centres of scale {@code spread} and views with noise. */
    private static float[][][] clusters(
            Random random, int numClasses, int numViews, int dim, float spread, float noise) {
        float[][] centres =
                QualityTestData.scale(QualityTestData.gaussian(random, numClasses, dim), spread);
        float[][][] embeddings = new float[numClasses][][];
        for (int i = 0; i < numClasses; i++) {
            embeddings[i] =
                    QualityTestData.blobs(new float[][] {centres[i]}, numViews, noise, random);
        }
        return embeddings;
    }

    private static float[][][] scale(float[][][] embeddings, float factor) {
        float[][][] result = new float[embeddings.length][][];
        for (int i = 0; i < embeddings.length; i++) {
            result[i] = QualityTestData.scale(embeddings[i], factor);
        }
        return result;
    }

    /** Σ_b of the given class means, computed directly from the definition. */
    private static DMatrixRMaj betweenClassCovariance(float[][] means) {
        int numClasses = means.length;
        int dim = means[0].length;
        double[] grandMean = new double[dim];
        for (float[] mean : means) {
            for (int k = 0; k < dim; k++) {
                grandMean[k] += mean[k] / (double) numClasses;
            }
        }
        DMatrixRMaj covariance = new DMatrixRMaj(dim, dim);
        for (float[] mean : means) {
            for (int a = 0; a < dim; a++) {
                for (int b = 0; b < dim; b++) {
                    double value = (mean[a] - grandMean[a]) * (mean[b] - grandMean[b]);
                    covariance.add(a, b, value / (numClasses - 1));
                }
            }
        }
        return covariance;
    }

    /** exp(−Σ p log p) with p = λ / Σλ + ε over the eigenvalues of a symmetric matrix. */
    private static double effectiveRank(DMatrixRMaj symmetric, double epsilon) {
        EigenDecomposition_F64<DMatrixRMaj> eigen =
                DecompositionFactory_DDRM.eig(symmetric.numRows, false, true);
        assertThat(eigen.decompose(symmetric.copy())).isTrue();
        double[] values = new double[eigen.getNumberOfEigenvalues()];
        double sum = 0.0;
        for (int k = 0; k < values.length; k++) {
            values[k] = Math.max(eigen.getEigenvalue(k).getReal(), 0.0);
            sum += values[k];
        }
        double entropy = 0.0;
        for (double value : values) {
            double p = value / sum + epsilon;
            entropy -= p * Math.log(p);
        }
        return Math.exp(entropy);
    }
}
