package io.saltstream.models.quality;

import java.util.Random;

/** Seeded synthetic embeddings for the quality-metric tests. */
final class QualityTestData {

    private QualityTestData() {}

    /** Returns an N×d matrix of independent standard normal values. */
    static float[][] gaussian(Random random, int rows, int cols) {
        float[][] result = new float[rows][cols];
        for (float[] row : result) {
            for (int k = 0; k < cols; k++) {
                row[k] = (float) random.nextGaussian();
            }
        }
        return result;
    }

    /** Returns every value of {@code embeddings} multiplied by {@code factor}. */
    static float[][] scale(float[][] embeddings, float factor) {
        float[][] result = new float[embeddings.length][];
        for (int i = 0; i < embeddings.length; i++) {
            result[i] = new float[embeddings[i].length];
            for (int k = 0; k < embeddings[i].length; k++) {
                result[i][k] = embeddings[i][k] * factor;
            }
        }
        return result;
    }

    /**
     * Returns labelled Gaussian blobs: row i has label i % numClasses and is its class centre plus
     * noise of standard deviation {@code noise} per feature.
     */
    static float[][] blobs(float[][] centres, int rows, float noise, Random random) {
        int dim = centres[0].length;
        float[][] result = new float[rows][dim];
        for (int i = 0; i < rows; i++) {
            float[] centre = centres[i % centres.length];
            for (int k = 0; k < dim; k++) {
                result[i][k] = centre[k] + noise * (float) random.nextGaussian();
            }
        }
        return result;
    }

    /** Returns the labels that {@link #blobs} assigns: i % numClasses. */
    static int[] blobLabels(int rows, int numClasses) {
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i % numClasses;
        }
        return labels;
    }
}
