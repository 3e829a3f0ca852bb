package io.saltstream.pipeline.ingest;

import java.util.Arrays;
import java.util.Objects;

/**
 * Images and labels of an IDX file held in memory, for training loops that iterate over the same
 * data many times. Created by {@link IdxReader#readDataset}.
 *
 * <p>Dimensions: N images, H rows, W columns. Pixels are stored flat as [N, H, W], row-major, one
 * unsigned byte per pixel, so image {@code i} starts at offset {@code i * H * W}.
 */
public final class IdxDataset {

    private final int count;
    private final int rows;
    private final int columns;
    private final byte[] pixels;
    private final int[] labels;

    /**
     * Creates a dataset over the given arrays without copying them.
     *
     * @param labels one label per image, or {@code null} when the data has no labels
     * @throws IllegalArgumentException when the array lengths do not match count, rows and columns
     */
    public IdxDataset(int count, int rows, int columns, byte[] pixels, int[] labels) {
        Objects.requireNonNull(pixels, "pixels");
        if (count < 0 || rows < 1 || columns < 1) {
            throw new IllegalArgumentException(
                    "count must be at least 0 and rows and columns at least 1, but got count="
                            + count
                            + ", rows="
                            + rows
                            + ", columns="
                            + columns);
        }
        if (pixels.length != (long) count * rows * columns) {
            throw new IllegalArgumentException(
                    "pixels must contain count*rows*columns = "
                            + ((long) count * rows * columns)
                            + " bytes, but contains "
                            + pixels.length);
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException(
                    "labels must contain one label per image ("
                            + count
                            + "), but contains "
                            + labels.length);
        }
        this.count = count;
        this.rows = rows;
        this.columns = columns;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** Returns the number of images N. */
    public int count() {
        return count;
    }

    /** Returns the image height H in pixels. */
    public int rows() {
        return rows;
    }

    /** Returns the image width W in pixels. */
    public int columns() {
        return columns;
    }

    /** Returns whether every image has a label. */
    public boolean hasLabels() {
        return labels != null;
    }

    /**
     * Returns the pixels as [N, H, W] unsigned bytes. This is the backing array, not a copy: do not
     * modify it.
     */
    public byte[] pixels() {
        return pixels;
    }

    /** Returns a copy of the H*W pixels of image {@code index}. */
    public byte[] image(int index) {
        Objects.checkIndex(index, count);
        int size = rows * columns;
        return Arrays.copyOfRange(pixels, index * size, (index + 1) * size);
    }

    /**
     * Returns all pixels as [N, H, W] floats scaled from 0..255 to [0, 1], in a new array (4 bytes
     * per pixel: 188 MB for the 60 000 Fashion-MNIST training images).
     */
    public float[] pixelsAsFloats() {
        float[] result = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            result[i] = (pixels[i] & 0xFF) / 255f;
        }
        return result;
    }

    /**
     * Returns the N labels. This is the backing array, not a copy: do not modify it.
     *
     * @throws IllegalStateException when the dataset was read without a labels file
     */
    public int[] labels() {
        if (labels == null) {
            throw new IllegalStateException(
                    "this dataset has no labels: read it with a labels file to get labels");
        }
        return labels;
    }

    /**
     * Returns the label of image {@code index}.
     *
     * @throws IllegalStateException when the dataset was read without a labels file
     */
    public int label(int index) {
        Objects.checkIndex(index, count);
        return labels()[index];
    }
}
