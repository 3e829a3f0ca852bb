package io.saltstream.models.vit;

/**
 * Fixed sine-cosine position embeddings for a token grid, as used by MAE (2-D) and V-JEPA (3-D).
 *
 * <p>Along one axis with {@code a} channels (a even), position {@code x} is encoded as
 *
 * <pre>
 *   [sin(x·ω_0), …, sin(x·ω_{a/2−1}), cos(x·ω_0), …, cos(x·ω_{a/2−1})],  ω_k = 10000^(−k / (a/2))
 * </pre>
 *
 * <p>The D channels are split across the axes and the per-axis encodings are concatenated:
 *
 * <ul>
 *   <li>2-D grid (H′, W′): channels [0, D − a_w) encode the row h, the last a_w = 2·⌊D/4⌋ the
 *       column w.
 *   <li>3-D grid (T′, H′, W′): a_h = a_w = 2·⌊D/6⌋; the first D − a_h − a_w channels encode the
 *       time step t, then h, then w. The three axes get about equal shares, as with {@code
 *       uniform_power: true} in V-JEPA's ViT-L/16 pre-training config.
 * </ul>
 *
 * <p>Every result is a row-major float[N·D], row n for token n = (t·H′ + h)·W′ + w, the token order
 * of {@link VisionTransformer}'s patch embedding.
 */
public final class PositionEmbeddings {

    private static final double TEMPERATURE = 10_000.0;

    private PositionEmbeddings() {}

    /**
     * Computes the embeddings for the grid (T′, H′, W′): 2-D when T′ = 1, 3-D otherwise.
     *
     * @return float[T′·H′·W′·D], one row of D per token
     * @throws IllegalArgumentException for an odd or too small D, or a grid side below 1
     */
    public static float[] forGrid(int dim, int gridFrames, int gridHeight, int gridWidth) {
        return gridFrames == 1
                ? sinCos2d(dim, gridHeight, gridWidth)
                : sinCos3d(dim, gridFrames, gridHeight, gridWidth);
    }

    /**
     * Computes 2-D embeddings for a grid of H′×W′ tokens.
     *
     * @param dim D, even and at least 4
     * @return float[H′·W′·D], row h·W′ + w for token (h, w)
     */
    public static float[] sinCos2d(int dim, int gridHeight, int gridWidth) {
        checkGrid(1, gridHeight, gridWidth);
        checkDim(dim, 4, "2-D");
        int widthChannels = 2 * (dim / 4);
        int heightChannels = dim - widthChannels;
        float[] table = new float[gridHeight * gridWidth * dim];
        for (int h = 0; h < gridHeight; h++) {
            for (int w = 0; w < gridWidth; w++) {
                int row = (h * gridWidth + w) * dim;
                encode(table, row, heightChannels, h);
                encode(table, row + heightChannels, widthChannels, w);
            }
        }
        return table;
    }

    /**
     * Computes 3-D embeddings for a grid of T′×H′×W′ tokens.
     *
     * @param dim D, even and at least 6
     * @return float[T′·H′·W′·D], row (t·H′ + h)·W′ + w for token (t, h, w)
     */
    public static float[] sinCos3d(int dim, int gridFrames, int gridHeight, int gridWidth) {
        checkGrid(gridFrames, gridHeight, gridWidth);
        checkDim(dim, 6, "3-D");
        int spatialChannels = 2 * (dim / 6);
        int timeChannels = dim - 2 * spatialChannels;
        float[] table = new float[gridFrames * gridHeight * gridWidth * dim];
        for (int t = 0; t < gridFrames; t++) {
            for (int h = 0; h < gridHeight; h++) {
                for (int w = 0; w < gridWidth; w++) {
                    int row = ((t * gridHeight + h) * gridWidth + w) * dim;
                    encode(table, row, timeChannels, t);
                    encode(table, row + timeChannels, spatialChannels, h);
                    encode(table, row + timeChannels + spatialChannels, spatialChannels, w);
                }
            }
        }
        return table;
    }

    /**
     * Writes the 1-D encoding of {@code position} into {@code channels} values at {@code start}.
     */
    private static void encode(float[] table, int start, int channels, int position) {
        int half = channels / 2;
        for (int k = 0; k < half; k++) {
            double omega = Math.pow(TEMPERATURE, -(double) k / half);
            double angle = position * omega;
            table[start + k] = (float) Math.sin(angle);
            table[start + half + k] = (float) Math.cos(angle);
        }
    }

    private static void checkDim(int dim, int minimum, String kind) {
        if (dim < minimum || dim % 2 != 0) {
            throw new IllegalArgumentException(
                    "dim = "
                            + dim
                            + " is invalid for "
                            + kind
                            + " sine-cosine positions: expected an even value of at least "
                            + minimum);
        }
    }

    private static void checkGrid(int gridFrames, int gridHeight, int gridWidth) {
        if (gridFrames < 1 || gridHeight < 1 || gridWidth < 1) {
            throw new IllegalArgumentException(
                    "grid "
                            + gridFrames
                            + "×"
                            + gridHeight
                            + "×"
                            + gridWidth
                            + " is invalid: every side must be at least 1");
        }
    }
}
