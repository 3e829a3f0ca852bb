package io.saltstream.pipeline.fit;

import java.util.SplittableRandom;

/**
 * Random mini-batches of a {@link SampleSet}: each epoch visits every sample once in an order
 * shuffled by a seeded {@link SplittableRandom}, so the same seed gives the same batches. A batch
 * that reaches the end of an epoch continues with the next epoch's order, so every batch has
 * exactly {@code batchSize} samples, and a set smaller than the batch repeats samples within it.
 *
 * <p>Not thread-safe.
 */
public final class BatchSampler {

    private final SampleSet samples;
    private final int batchSize;
    private final SplittableRandom random;
    private final int[] order;
    private int position;
    private long epochs;

    /**
     * Creates a sampler.
     *
     * @throws IllegalArgumentException when the set is empty or {@code batchSize} is below 1
     */
    public BatchSampler(SampleSet samples, int batchSize, long seed) {
        if (samples.size() < 1) {
            throw new IllegalArgumentException(
                    "cannot sample batches from an empty set: " + samples.description());
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.samples = samples;
        this.batchSize = batchSize;
        this.random = new SplittableRandom(seed);
        this.order = new int[samples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        shuffle();
    }

    /** Samples per batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Shape of every batch: [B, C, H, W] or [B, C, T, H, W]. */
    public int[] batchShape() {
        return samples.batchShape(batchSize);
    }

    /** Epochs started so far, the first included. */
    public long epochs() {
        return epochs;
    }

    /** Returns the indices of the next batch. */
    public int[] nextIndices() {
        int[] indices = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            if (position == order.length) {
                shuffle();
            }
            indices[i] = order[position++];
        }
        return indices;
    }

    /** Returns the next batch, row-major in {@link #batchShape()}. */
    public float[] next() {
        return samples.batch(nextIndices());
    }

    private void shuffle() {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        position = 0;
        epochs++;
    }
}
