package io.saltstream.models.quality;

/**
 * Effective rank of a non-negative spectrum: {@code exp(−Σ p_k log p_k)} with {@code p_k = s_k / Σ
 * s + ε}, the entropy formula shared by RankMe and LiDAR.
 */
final class SpectralEntropy {

    private SpectralEntropy() {}

    /**
     * Computes the effective rank of {@code spectrum}.
     *
     * <p>ε is added after normalising, as in the RankMe and LiDAR definitions, so the p_k sum to
     * slightly more than 1 and a zero entry contributes {@code −ε log ε} instead of an undefined
     * {@code 0 log 0}.
     *
     * @param spectrum non-negative values (singular values or eigenvalues)
     * @param epsilon the ε added to each normalised value, > 0
     * @param zeroSpectrumMessage the error message used when every value is zero
     * @throws IllegalArgumentException when every value is zero, because the normalisation is then
     *     undefined
     */
    static double effectiveRank(double[] spectrum, double epsilon, String zeroSpectrumMessage) {
        double sum = 0.0;
        for (double value : spectrum) {
            sum += value;
        }
        if (!(sum > 0.0)) {
            throw new IllegalArgumentException(zeroSpectrumMessage);
        }
        double entropy = 0.0;
        for (double value : spectrum) {
            double p = value / sum + epsilon;
            entropy -= p * Math.log(p);
        }
        return Math.exp(entropy);
    }
}
