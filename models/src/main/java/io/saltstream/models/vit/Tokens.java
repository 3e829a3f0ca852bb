package io.saltstream.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Index operations on token tensors.
 *
 * <p>Dimensions: B batch, N tokens in the full grid, K selected tokens per sample, D token width.
 */
public final class Tokens {

    private Tokens() {}

    /**
     * Selects, for each sample, the tokens listed in {@code indices}; the result keeps the order of
     * the indices. Differentiable with respect to {@code tokens}.
     *
     * @param tokens [B, N, D], or [1, N, D] to share one table across the batch (position
     *     embeddings)
     * @param indices [B, K] integer token indices in [0, N); any integer type, cast to int64. An
     *     index outside [0, N) makes the engine raise an error.
     * @return [B, K, D] with {@code result[b, k] = tokens[b, indices[b, k]]}
     * @throws IllegalArgumentException when the ranks or the batch sizes do not match
     */
    public static NDArray gather(NDArray tokens, NDArray indices) {
        Shape tokenShape = tokens.getShape();
        Shape indexShape = indices.getShape();
        if (tokenShape.dimension() != 3 || indexShape.dimension() != 2) {
            throw new IllegalArgumentException(
                    "gather expects tokens [B, N, D] and indices [B, K], got tokens "
                            + tokenShape
                            + " and indices "
                            + indexShape);
        }
        long batch = indexShape.get(0);
        long count = indexShape.get(1);
        long dim = tokenShape.get(2);
        if (tokenShape.get(0) != batch && tokenShape.get(0) != 1) {
            throw new IllegalArgumentException(
                    "gather expects tokens with batch size "
                            + batch
                            + " (that of the indices) or 1, got tokens "
                            + tokenShape
                            + " and indices "
                            + indexShape);
        }
        // [1, N, D] -> [B, N, D]: torch.gather needs equal sizes outside the gathered axis.
        NDArray source = tokens;
        if (tokenShape.get(0) != batch) {
            source = tokens.broadcast(new Shape(batch, tokenShape.get(1), dim));
            // A new array joins the manager of its first operand. When the tokens are a long-lived
            // table (the predictor's positions), keep the per-call arrays with the indices, whose
            // manager the caller closes after the step.
            source.attach(indices.getManager());
        }
        NDArray index = indices;
        if (index.getDataType() != DataType.INT64) {
            index = index.toType(DataType.INT64, false);
        }
        if (!index.getDevice().equals(tokens.getDevice())) {
            index = index.toDevice(tokens.getDevice(), false);
        }
        // [B, K] -> [B, K, 1] -> [B, K, D]: the same token index for every channel.
        index = index.expandDims(2).broadcast(new Shape(batch, count, dim));
        NDArray gathered = source.gather(index, 1);
        gathered.attach(indices.getManager());
        return gathered;
    }
}
