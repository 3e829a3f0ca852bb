package io.saltstream.models.quality;

/** Input checks shared by the quality metrics: shapes, finite values and label ranges. */
final class EmbeddingChecks {

    private EmbeddingChecks() {}

    /**
     * Checks that {@code embeddings} is a non-empty N×d matrix with d ≥ 1, equal row lengths and
     * only finite values.
     *
     * @param name the argument name used in error messages
     * @return d, the number of columns
     * @throws IllegalArgumentException naming the first bad row (and column) otherwise
     */
    static int checkMatrix(String name, float[][] embeddings) {
        if (embeddings == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (embeddings.length == 0) {
            throw new IllegalArgumentException(
                    name + " is empty: expected at least one embedding row");
        }
        int dim = -1;
        for (int row = 0; row < embeddings.length; row++) {
            float[] values = embeddings[row];
            if (values == null) {
                throw new IllegalArgumentException(name + " row " + row + " is null");
            }
            if (dim < 0) {
                dim = values.length;
                if (dim == 0) {
                    throw new IllegalArgumentException(
                            name + " row 0 has 0 columns: expected at least one column");
                }
            } else if (values.length != dim) {
                throw new IllegalArgumentException(
                        name
                                + " row "
                                + row
                                + " has "
                                + values.length
                                + " columns, expected "
                                + dim
                                + " like row 0");
            }
            for (int col = 0; col < dim; col++) {
                if (!Float.isFinite(values[col])) {
                    throw new IllegalArgumentException(
                            name
                                    + " has the non-finite value "
                                    + values[col]
                                    + " at row "
                                    + row
                                    + ", column "
                                    + col);
                }
            }
        }
        return dim;
    }

    /**
     * Checks that {@code labels} has one non-negative entry per embedding row.
     *
     * @param numClasses the exclusive upper bound on labels, or -1 for no upper bound
     * @return the largest label
     */
    static int checkLabels(String name, int[] labels, int expectedLength, int numClasses) {
        if (labels == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (labels.length != expectedLength) {
            throw new IllegalArgumentException(
                    name
                            + " has "
                            + labels.length
                            + " entries, expected "
                            + expectedLength
                            + " (one per embedding row)");
        }
        int maxLabel = -1;
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            if (label < 0 || (numClasses >= 0 && label >= numClasses)) {
                String rule = numClasses >= 0 ? "in [0, " + numClasses + ")" : "non-negative";
                throw new IllegalArgumentException(
                        name + "[" + i + "] = " + label + " is invalid: labels must be " + rule);
            }
            maxLabel = Math.max(maxLabel, label);
        }
        return maxLabel;
    }
}
