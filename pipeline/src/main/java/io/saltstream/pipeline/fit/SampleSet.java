package io.saltstream.pipeline.fit;

import java.util.Arrays;

/**
 * A fixed, indexed set of model inputs, normalised and ready to batch: grey images for an image
 * model or clips for a video model.
 *
 * <p>Dimensions: C channels, T frames, H×W pixels. Every sample has the same {@link
 * #sampleShape()}, [C, H, W] for images or [C, T, H, W] for clips, and is copied row-major.
 */
public interface SampleSet {

    /** Number of samples. */
    int size();

    /** Shape of one sample, [C, H, W] or [C, T, H, W]; the caller must not change the array. */
    int[] sampleShape();

    /**
     * Copies sample {@code index} into {@code target} from {@code offset}.
     *
     * @throws IndexOutOfBoundsException when {@code index} is not in [0, size)
     */
    void copySample(int index, float[] target, int offset);

    /** Whether every sample has a class label. */
    boolean hasLabels();

    /**
     * Class label of sample {@code index}.
     *
     * @throws IllegalStateException when the set has no labels
     */
    int label(int index);

    /** Short description for logs and reports, such as the source files and the sample count. */
    String description();

    /** Number of floats in one sample. */
    default int sampleLength() {
        int length = 1;
        for (int dimension : sampleShape()) {
            length *= dimension;
        }
        return length;
    }

    /** Shape of a batch of {@code batchSize} samples: the batch axis, then {@link #sampleShape}. */
    default int[] batchShape(int batchSize) {
        int[] sample = sampleShape();
        int[] shape = new int[sample.length + 1];
        shape[0] = batchSize;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    /**
     * Copies the samples at {@code indices} into one row-major array of {@link #batchShape(int)
     * batchShape(indices.length)}.
     */
    default float[] batch(int[] indices) {
        int length = sampleLength();
        float[] data = new float[Math.multiplyExact(indices.length, length)];
        for (int i = 0; i < indices.length; i++) {
            copySample(indices[i], data, i * length);
        }
        return data;
    }

    /** Labels of the samples at {@code indices}. */
    default int[] labels(int[] indices) {
        return Arrays.stream(indices).map(this::label).toArray();
    }
}
