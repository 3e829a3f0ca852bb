package io.saltstream.models.quality;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * LiDAR, the label-free effective rank of the linear discriminant analysis matrix of surrogate
 * classes (Thilak et al., "LiDAR: Sensing Linear Probing Performance in Joint Embedding SSL
 * Architectures", arXiv:2312.04000, 2023).
 *
 * <p>Dimensions: n surrogate classes (distinct clips or images), q views per class (different masks
 * or augmentations of the same input), d features. With e_ij the embedding of view j of class i,
 * μ_i the class means and μ the grand mean:
 *
 * <pre>
 *   Σ_b     = 1/(n−1)     Σ_i  (μ_i − μ)(μ_i − μ)ᵀ
 *   Σ_w     = 1/(n(q−1))  Σ_ij (e_ij − μ_i)(e_ij − μ_i)ᵀ + δI
 *   Σ_lidar = Σ_w^(−1/2) Σ_b Σ_w^(−1/2)
 *   p_k     = λ_k / Σ_j λ_j + ε        (λ the eigenvalues of Σ_lidar)
 *   LiDAR   = exp(−Σ_k p_k log p_k)
 * </pre>
 *
 * <p>Σ_b has rank at most n − 1, so LiDAR lies in about [1, min(n − 1, d)]. All values are computed
 * in double. Σ_w^(−1/2) comes from EJML's symmetric eigen-decomposition of the within-class
 * scatter: its eigenvalues are clamped at 0 before δ is added, so rounding cannot make them smaller
 * than δ. Tiny negative eigenvalues of Σ_lidar, which is positive semi-definite in exact
 * arithmetic, are clamped to 0.
 *
 * <p>δ is an absolute regulariser, so LiDAR is invariant to rescaling all embeddings by c only when
 * δ is rescaled by c² as well, or when δ is negligible next to the within-class variances.
 *
 * <pre>{@code
 * Lidar lidar = Lidar.builder().optDelta(1e-4).build();
 * double value = lidar.compute(embeddings); // embeddings[class][view][feature]
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Lidar {

    /** Default δ, the ridge added to the within-class covariance. */
    public static final double DEFAULT_DELTA = 1e-4;

    /** Default ε, added to each normalised eigenvalue. */
    public static final double DEFAULT_EPSILON = 1e-8;

    private final double delta;
    private final double epsilon;

    private Lidar(Builder builder) {
        this.delta = builder.delta;
        this.epsilon = builder.epsilon;
    }

    /** Returns a builder with δ = {@value #DEFAULT_DELTA} and ε = {@value #DEFAULT_EPSILON}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the ridge δ added to the within-class covariance. */
    public double getDelta() {
        return delta;
    }

    /** Returns the ε added to each normalised eigenvalue. */
    public double getEpsilon() {
        return epsilon;
    }

    /**
     * Computes LiDAR of the given surrogate classes.
     *
     * @param embeddings embeddings[i][j] is the d-dimensional embedding of view j of class i, n ≥ 2
     *     classes, each with the same number q ≥ 2 of views, all values finite
     * @return the effective rank of Σ_lidar, in about [1, min(n − 1, d)]
     * @throws IllegalArgumentException for fewer than 2 classes or views, unequal view counts or
     *     dimensions, non-finite values (the message names class, view and column), or when all
     *     class means are equal
     */
    public double compute(float[][][] embeddings) {
        int dim = checkShape(embeddings);
        int numClasses = embeddings.length;
        int numViews = embeddings[0].length;

        // Class means μ_i [n, d] and grand mean μ [d], the mean of the μ_i as view counts are
        // equal.
        double[][] classMeans = new double[numClasses][dim];
        double[] grandMean = new double[dim];
        for (int i = 0; i < numClasses; i++) {
            for (float[] view : embeddings[i]) {
                for (int k = 0; k < dim; k++) {
                    classMeans[i][k] += view[k];
                }
            }
            for (int k = 0; k < dim; k++) {
                classMeans[i][k] /= numViews;
                grandMean[k] += classMeans[i][k] / numClasses;
            }
        }

        DMatrixRMaj betweenClass = betweenClassCovariance(classMeans, grandMean);
        DMatrixRMaj whitening = inverseSqrtWithinClass(embeddings, classMeans);

        // Σ_lidar = W Σ_b W with W = Σ_w^(−1/2): [d, d].
        DMatrixRMaj product = new DMatrixRMaj(dim, dim);
        DMatrixRMaj lidarMatrix = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.mult(whitening, betweenClass, product);
        CommonOps_DDRM.mult(product, whitening, lidarMatrix);
        symmetrize(lidarMatrix);

        double[] eigenvalues = symmetricEigenvalues(lidarMatrix, "Σ_lidar");
        for (int k = 0; k < eigenvalues.length; k++) {
            eigenvalues[k] = Math.max(eigenvalues[k], 0.0);
        }
        return SpectralEntropy.effectiveRank(
                eigenvalues,
                epsilon,
                "LiDAR is undefined because all "
                        + numClasses
                        + " class means are equal (the between-class covariance is zero)");
    }

    /** Validates [n][q][d] and returns d. */
    private static int checkShape(float[][][] embeddings) {
        if (embeddings == null) {
            throw new IllegalArgumentException("embeddings must not be null");
        }
        if (embeddings.length < 2) {
            throw new IllegalArgumentException(
                    "embeddings has "
                            + embeddings.length
                            + " classes, expected at least 2: LiDAR needs a between-class"
                            + " covariance");
        }
        int numViews = -1;
        int dim = -1;
        for (int i = 0; i < embeddings.length; i++) {
            float[][] views = embeddings[i];
            String name = "embeddings[" + i + "]";
            if (views == null) {
                throw new IllegalArgumentException(name + " (class " + i + ") is null");
            }
            if (i == 0) {
                numViews = views.length;
                if (numViews < 2) {
                    throw new IllegalArgumentException(
                            name
                                    + " has "
                                    + numViews
                                    + " views, expected at least 2: LiDAR needs a within-class"
                                    + " covariance");
                }
            } else if (views.length != numViews) {
                throw new IllegalArgumentException(
                        name
                                + " has "
                                + views.length
                                + " views, expected "
                                + numViews
                                + " like class 0: every class needs the same number of views");
            }
            int classDim = EmbeddingChecks.checkMatrix(name, views);
            if (i == 0) {
                dim = classDim;
            } else if (classDim != dim) {
                throw new IllegalArgumentException(
                        name
                                + " has embeddings of dimension "
                                + classDim
                                + ", expected "
                                + dim
                                + " like class 0");
            }
        }
        return dim;
    }

    /** Returns Σ_b = 1/(n−1) Σ_i (μ_i − μ)(μ_i − μ)ᵀ: [d, d]. */
    private static DMatrixRMaj betweenClassCovariance(double[][] classMeans, double[] grandMean) {
        int numClasses = classMeans.length;
        int dim = grandMean.length;
        DMatrixRMaj centred = new DMatrixRMaj(numClasses, dim);
        for (int i = 0; i < numClasses; i++) {
            for (int k = 0; k < dim; k++) {
                centred.unsafe_set(i, k, classMeans[i][k] - grandMean[k]);
            }
        }
        DMatrixRMaj covariance = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.multTransA(1.0 / (numClasses - 1), centred, centred, covariance);
        return covariance;
    }

    /** Returns Σ_w^(−1/2), with Σ_w the within-class covariance plus δI: [d, d]. */
    private DMatrixRMaj inverseSqrtWithinClass(float[][][] embeddings, double[][] classMeans) {
        int numClasses = embeddings.length;
        int numViews = embeddings[0].length;
        int dim = classMeans[0].length;

        // Deviations e_ij − μ_i stacked as rows: [n·q, d].
        DMatrixRMaj deviations = new DMatrixRMaj(numClasses * numViews, dim);
        int row = 0;
        for (int i = 0; i < numClasses; i++) {
            for (float[] view : embeddings[i]) {
                for (int k = 0; k < dim; k++) {
                    deviations.unsafe_set(row, k, view[k] - classMeans[i][k]);
                }
                row++;
            }
        }
        DMatrixRMaj scatter = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.multTransA(
                1.0 / (numClasses * (numViews - 1.0)), deviations, deviations, scatter);
        symmetrize(scatter);

        // Σ_w = V diag(max(s_k, 0) + δ) Vᵀ, so Σ_w^(−1/2) = V diag((max(s_k, 0) + δ)^(−1/2)) Vᵀ.
        EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(dim, true, true);
        if (!eigen.decompose(scatter)) {
            throw new ArithmeticException(
                    "EJML's eigen-decomposition of the within-class covariance did not converge");
        }
        // Eigenvectors as the columns of U [d, d]. The result is U·diag(scales) times Uᵀ.
        DMatrixRMaj vectors = new DMatrixRMaj(dim, dim);
        DMatrixRMaj scaledVectors = new DMatrixRMaj(dim, dim);
        for (int m = 0; m < eigen.getNumberOfEigenvalues(); m++) {
            double eigenvalue = Math.max(eigen.getEigenvalue(m).getReal(), 0.0) + delta;
            double scale = 1.0 / Math.sqrt(eigenvalue);
            double[] vector = eigen.getEigenVector(m).data;
            for (int a = 0; a < dim; a++) {
                vectors.unsafe_set(a, m, vector[a]);
                scaledVectors.unsafe_set(a, m, scale * vector[a]);
            }
        }
        DMatrixRMaj result = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.multTransB(scaledVectors, vectors, result);
        return result;
    }

    private static double[] symmetricEigenvalues(DMatrixRMaj matrix, String name) {
        EigenDecomposition_F64<DMatrixRMaj> eigen =
                DecompositionFactory_DDRM.eig(matrix.numRows, false, true);
        if (!eigen.decompose(matrix)) {
            throw new ArithmeticException(
                    "EJML's eigen-decomposition of " + name + " did not converge");
        }
        double[] eigenvalues = new double[eigen.getNumberOfEigenvalues()];
        for (int m = 0; m < eigenvalues.length; m++) {
            eigenvalues[m] = eigen.getEigenvalue(m).getReal();
        }
        return eigenvalues;
    }

    /** Replaces a nearly symmetric square matrix by (A + Aᵀ) / 2 to remove rounding asymmetry. */
    private static void symmetrize(DMatrixRMaj matrix) {
        int size = matrix.numRows;
        for (int a = 0; a < size; a++) {
            for (int b = a + 1; b < size; b++) {
                double mean = 0.5 * (matrix.unsafe_get(a, b) + matrix.unsafe_get(b, a));
                matrix.unsafe_set(a, b, mean);
                matrix.unsafe_set(b, a, mean);
            }
        }
    }

    /**
     * Builder for {@link Lidar}. Both settings are optional, and {@link #build()} validates them.
     */
    public static final class Builder {

        private double delta = DEFAULT_DELTA;
        private double epsilon = DEFAULT_EPSILON;

        private Builder() {}

        /**
         * Sets δ, the ridge added to the within-class covariance so that it can be inverted, finite
         * and > 0, default {@value Lidar#DEFAULT_DELTA}.
         */
        public Builder optDelta(double delta) {
            this.delta = delta;
            return this;
        }

        /**
         * Sets ε, added to each normalised eigenvalue, finite and > 0, default {@value
         * Lidar#DEFAULT_EPSILON}.
         */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Builds the metric.
         *
         * @throws IllegalArgumentException when δ or ε is not a finite value > 0
         */
        public Lidar build() {
            if (!(delta > 0.0) || !Double.isFinite(delta)) {
                throw new IllegalArgumentException(
                        "delta = " + delta + " is invalid: expected a finite value > 0");
            }
            if (!(epsilon > 0.0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException(
                        "epsilon = " + epsilon + " is invalid: expected a finite value > 0");
            }
            return new Lidar(this);
        }
    }
}
