package io.saltstream.pipeline.fit;

import java.util.SplittableRandom;

/**
 * Views of one sample for LiDAR: the sample translated by a random whole-pixel offset (dy, dx),
 * each drawn uniformly from [-maxShift, maxShift]. Pixels shifted in from outside repeat the
 * nearest edge pixel. All frames and channels of a clip move together.
 *
 * <p>Dimensions: C channels, T frames, H×W pixels; samples are [C, H, W] or [C, T, H, W],
 * row-major, so every H×W plane is shifted the same way.
 */
public final class RandomShift {

    private final int maxShift;

    /**
     * Creates the augmentation.
     *
     * @throws IllegalArgumentException when {@code maxShift} is negative
     */
    public RandomShift(int maxShift) {
        if (maxShift < 0) {
            throw new IllegalArgumentException("maxShift must be at least 0, got " + maxShift);
        }
        this.maxShift = maxShift;
    }

    /** Returns the default for a frame of {@code height} rows: 1/16 of it, at least 1 pixel. */
    public static RandomShift forHeight(int height) {
        return new RandomShift(Math.max(1, Math.round(height / 16f)));
    }

    /** Largest offset in pixels along each axis. */
    public int maxShift() {
        return maxShift;
    }

    /**
     * Writes a shifted copy of {@code source} into {@code target} from {@code offset}.
     *
     * @param sampleShape [C, H, W] or [C, T, H, W]
     */
    public void apply(
            float[] source,
            int[] sampleShape,
            SplittableRandom random,
            float[] target,
            int offset) {
        int dy = random.nextInt(2 * maxShift + 1) - maxShift;
        int dx = random.nextInt(2 * maxShift + 1) - maxShift;
        int height = sampleShape[sampleShape.length - 2];
        int width = sampleShape[sampleShape.length - 1];
        int plane = height * width;
        int planes = source.length / plane;
        for (int p = 0; p < planes; p++) {
            int base = p * plane;
            for (int y = 0; y < height; y++) {
                int sourceY = Math.min(height - 1, Math.max(0, y - dy));
                for (int x = 0; x < width; x++) {
                    int sourceX = Math.min(width - 1, Math.max(0, x - dx));
                    target[offset + base + y * width + x] =
                            source[base + sourceY * width + sourceX];
                }
            }
        }
    }
}
