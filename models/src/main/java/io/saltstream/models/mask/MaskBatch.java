package io.saltstream.models.mask;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;

/**
 * The masks of one batch as index lists: for each sample, the tokens the student sees ({@code
 * contextIndices}, K per sample) and the tokens it must predict ({@code targetIndices}, M per
 * sample).
 *
 * <p>Indices are token positions n = (t·H′ + h)·W′ + w in [0, N), sorted ascending in every row.
 * Context and target are disjoint in every sample. Rows have equal lengths, so the lists form [B,
 * K] and [B, M] arrays. An index lists a token to keep, never to drop.
 */
public final class MaskBatch {

    private final long step;
    private final long[][] contextIndices;
    private final long[][] targetIndices;

    MaskBatch(long step, long[][] contextIndices, long[][] targetIndices) {
        this.step = step;
        this.contextIndices = contextIndices;
        this.targetIndices = targetIndices;
    }

    /** The step the masks were generated for. */
    public long getStep() {
        return step;
    }

    /** Number of samples B. */
    public int getBatchSize() {
        return contextIndices.length;
    }

    /** Context tokens per sample K. */
    public int getContextSize() {
        return contextIndices[0].length;
    }

    /** Target tokens per sample M. */
    public int getTargetSize() {
        return targetIndices[0].length;
    }

    /** Returns a copy of the context index lists, [B][K]. */
    public long[][] getContextIndices() {
        return deepCopy(contextIndices);
    }

    /** Returns a copy of the target index lists, [B][M]. */
    public long[][] getTargetIndices() {
        return deepCopy(targetIndices);
    }

    /**
     * Creates the index arrays in {@code manager}.
     *
     * @return {@code NDList(contextIndices int64 [B, K], targetIndices int64 [B, M])}, named {@code
     *     contextIndices} and {@code targetIndices}
     */
    public NDList toNDArrays(NDManager manager) {
        NDArray context = manager.create(contextIndices);
        context.setName("contextIndices");
        NDArray target = manager.create(targetIndices);
        target.setName("targetIndices");
        return new NDList(context, target);
    }

    private static long[][] deepCopy(long[][] rows) {
        long[][] copy = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            copy[i] = rows[i].clone();
        }
        return copy;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof MaskBatch)) {
            return false;
        }
        MaskBatch that = (MaskBatch) other;
        return step == that.step
                && Arrays.deepEquals(contextIndices, that.contextIndices)
                && Arrays.deepEquals(targetIndices, that.targetIndices);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(step) + Arrays.deepHashCode(contextIndices))
                + Arrays.deepHashCode(targetIndices);
    }

    @Override
    public String toString() {
        return "MaskBatch{step="
                + step
                + ", B="
                + getBatchSize()
                + ", K="
                + getContextSize()
                + ", M="
                + getTargetSize()
                + "}";
    }
}
