package io.saltstream.pipeline.fit;

/**
 * Maps a batch of model inputs to one embedding per sample: a trained encoder ({@code
 * SaltTrainer::encode}), a {@link RandomInitEncoder}, or {@link #RAW_PIXELS}.
 */
@FunctionalInterface
public interface EmbeddingFunction {

    /** The flattened input values themselves, the baseline without any encoder. */
    EmbeddingFunction RAW_PIXELS = EmbeddingFunction::flatten;

    /**
     * Embeds a batch.
     *
     * @param data the batch, row-major
     * @param shape [B, C, H, W] or [B, C, T, H, W]
     * @return [B][d] embeddings
     */
    float[][] encode(float[] data, int[] shape);

    /** Splits a row-major batch into one row per sample: [B, ...] -> [B][C·(T·)H·W]. */
    static float[][] flatten(float[] data, int[] shape) {
        int batch = shape[0];
        int length = data.length / batch;
        float[][] rows = new float[batch][length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(data, b * length, rows[b], 0, length);
        }
        return rows;
    }
}
