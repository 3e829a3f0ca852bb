package io.saltstream.models.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.junit.jupiter.api.Test;

class RankMeTest {

    @Test
    void isotropicGaussianIsNearFullRank() {
        float[][] embeddings = QualityTestData.gaussian(new Random(1), 4000, 32);

        double rankMe = RankMe.compute(embeddings);

        // Singular values of a tall Gaussian matrix lie within sqrt(N)(1 ± sqrt(d/N)), so the
        // normalised spectrum is nearly flat.
        assertThat(rankMe).isBetween(32 * 0.97, 32.0 + 1e-3);
    }

    @Test
    void rankFourDataIsAtMostFour() {
        Random random = new Random(2);
        float[][] factors = QualityTestData.gaussian(random, 2000, 4);
        float[][] basis = QualityTestData.gaussian(random, 4, 32);
        float[][] embeddings = new float[2000][32];
        for (int i = 0; i < 2000; i++) {
            for (int k = 0; k < 32; k++) {
                double sum = 0.0;
                for (int r = 0; r < 4; r++) {
                    sum += factors[i][r] * basis[r][k];
                }
                embeddings[i][k] = (float) sum;
            }
        }

        double rankMe = RankMe.compute(embeddings);

        assertThat(rankMe).isLessThanOrEqualTo(4.0 + 0.01);
        assertThat(rankMe).isGreaterThan(2.0);
    }

    @Test
    void collinearRowsGiveRankOne() {
        float[] direction = {1f, -2f, 0.5f, 3f, 0f, 1f};
        float[][] embeddings = new float[50][];
        for (int i = 0; i < 50; i++) {
            embeddings[i] = QualityTestData.scale(new float[][] {direction}, i - 20)[0];
        }

        assertThat(RankMe.compute(embeddings)).isCloseTo(1.0, within(1e-3));
    }

    @Test
    void knownSpectrumMatchesFormula() {
        // A diagonal matrix padded with zero rows has singular values |diagonal|.
        double[] diagonal = {3.0, -2.0, 1.0, 0.5, 0.0};
        float[][] embeddings = new float[8][5];
        for (int k = 0; k < diagonal.length; k++) {
            embeddings[k][k] = (float) diagonal[k];
        }
        double sum = 3.0 + 2.0 + 1.0 + 0.5 + 0.0;
        double entropy = 0.0;
        for (double value : diagonal) {
            double p = Math.abs(value) / sum + RankMe.DEFAULT_EPSILON;
            entropy -= p * Math.log(p);
        }

        assertThat(RankMe.compute(embeddings)).isCloseTo(Math.exp(entropy), within(1e-9));
    }

    @Test
    void matchesSvdOfWideAndTallMatrices() {
        Random random = new Random(5);
        for (int[] shape : new int[][] {{300, 20}, {20, 300}, {17, 17}}) {
            float[][] embeddings = QualityTestData.gaussian(random, shape[0], shape[1]);
            DMatrixRMaj matrix = new DMatrixRMaj(shape[0], shape[1]);
            for (int i = 0; i < shape[0]; i++) {
                for (int k = 0; k < shape[1]; k++) {
                    matrix.set(i, k, embeddings[i][k]);
                }
            }
            SingularValueDecomposition_F64<DMatrixRMaj> svd =
                    DecompositionFactory_DDRM.svd(shape[0], shape[1], false, false, true);
            assertThat(svd.decompose(matrix)).isTrue();
            double[] singularValues = svd.getSingularValues();
            double sum = 0.0;
            for (int k = 0; k < svd.numberOfSingularValues(); k++) {
                sum += singularValues[k];
            }
            double entropy = 0.0;
            for (int k = 0; k < svd.numberOfSingularValues(); k++) {
                double p = singularValues[k] / sum + RankMe.DEFAULT_EPSILON;
                entropy -= p * Math.log(p);
            }

            assertThat(RankMe.compute(embeddings))
                    .as("RankMe of a %dx%d matrix", shape[0], shape[1])
                    .isCloseTo(Math.exp(entropy), within(1e-9));
        }
    }

    @Test
    void epsilonChangesResult() {
        float[][] embeddings = {{1f, 0f}, {0f, 1e-3f}};
        double small = RankMe.compute(embeddings, 1e-12);
        double large = RankMe.compute(embeddings, 0.1);

        assertThat(large).isGreaterThan(small + 0.1);
    }

    @Test
    void wideInputIsCappedAtRowCount() {
        float[][] embeddings = QualityTestData.gaussian(new Random(3), 8, 64);

        double rankMe = RankMe.compute(embeddings);

        assertThat(rankMe).isLessThanOrEqualTo(8.0 + 1e-3);
        assertThat(rankMe).isGreaterThan(6.0);
    }

    @Test
    void scalingLeavesRankMeUnchanged() {
        float[][] embeddings = QualityTestData.gaussian(new Random(4), 500, 16);
        double reference = RankMe.compute(embeddings);

        // p_k = σ_k / Σσ does not depend on the scale. Only float rounding of the inputs differs.
        assertThat(RankMe.compute(QualityTestData.scale(embeddings, 1000f)))
                .isCloseTo(reference, within(1e-6 * reference));
        assertThat(RankMe.compute(QualityTestData.scale(embeddings, 1e-3f)))
                .isCloseTo(reference, within(1e-6 * reference));
    }

    @Test
    void nullOrEmptyInputIsRejected() {
        assertThatThrownBy(() -> RankMe.compute(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings must not be null");
        assertThatThrownBy(() -> RankMe.compute(new float[0][]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings is empty");
        assertThatThrownBy(() -> RankMe.compute(new float[3][0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 0 has 0 columns");
    }

    @Test
    void raggedInputIsRejected() {
        float[][] embeddings = {{1f, 2f}, {3f, 4f}, {5f}};

        assertThatThrownBy(() -> RankMe.compute(embeddings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 2 has 1 columns, expected 2");
    }

    @Test
    void nonFiniteValueIsRejectedWithPosition() {
        float[][] withNaN = {{1f, 2f, 3f}, {4f, Float.NaN, 6f}};
        float[][] withInfinity = {{1f, 2f, 3f}, {4f, 5f, 6f}, {7f, 8f, Float.NEGATIVE_INFINITY}};

        assertThatThrownBy(() -> RankMe.compute(withNaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN at row 1, column 1");
        assertThatThrownBy(() -> RankMe.compute(withInfinity))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Infinity at row 2, column 2");
    }

    @Test
    void zeroEmbeddingsAreRejected() {
        assertThatThrownBy(() -> RankMe.compute(new float[4][3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every embedding is the zero vector");
    }

    @Test
    void invalidEpsilonIsRejected() {
        float[][] embeddings = {{1f, 0f}, {0f, 1f}};

        for (double epsilon : new double[] {0.0, -1e-7, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> RankMe.compute(embeddings, epsilon))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("epsilon = " + epsilon + " is invalid");
        }
    }
}
