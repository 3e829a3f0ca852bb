package io.saltstream.pipeline.fit;

import io.saltstream.operators.preprocess.Preprocess;
import io.saltstream.pipeline.ingest.IdxDataset;
import io.saltstream.pipeline.ingest.IdxReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Grey images of an IDX file (MNIST, Fashion-MNIST) as model inputs of shape [1, H, W], normalised
 * like the pipeline's {@link Preprocess}: each pixel v in [0, 255] becomes {@code (v / 255 - 0.5) /
 * 0.5}, so the values lie in [-1, 1].
 *
 * <p>The pixels stay in memory as bytes (one per pixel) and are normalised when a sample is copied.
 */
public final class IdxImageSet implements SampleSet {

    private static final float MEAN = Preprocess.GREY_MEAN[0];
    private static final float STD = Preprocess.GREY_STD[0];

    private final IdxDataset dataset;
    private final String description;
    private final int[] shape;
    private final float[] lookup = new float[256];

    /**
     * Wraps a dataset that is already in memory.
     *
     * @param description what the images are, for logs and reports
     */
    public IdxImageSet(IdxDataset dataset, String description) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.description = Objects.requireNonNull(description, "description");
        this.shape = new int[] {1, dataset.rows(), dataset.columns()};
        for (int value = 0; value < lookup.length; value++) {
            lookup[value] = (value / 255f - MEAN) / STD;
        }
    }

    /**
     * Reads up to {@code limit} images and their labels.
     *
     * @param labelsFile the labels file, or {@code null} for images without labels
     * @throws java.nio.file.NoSuchFileException when a file does not exist
     * @throws io.saltstream.pipeline.ingest.IdxFormatException when a file is not valid IDX
     */
    public static IdxImageSet read(Path imagesFile, Path labelsFile, int limit) throws IOException {
        IdxDataset dataset = IdxReader.readDataset(imagesFile, labelsFile, limit);
        return new IdxImageSet(
                dataset,
                dataset.count()
                        + " images of "
                        + dataset.columns()
                        + "x"
                        + dataset.rows()
                        + " from "
                        + imagesFile.getFileName());
    }

    /** Returns the underlying bytes and labels. */
    public IdxDataset dataset() {
        return dataset;
    }

    @Override
    public int size() {
        return dataset.count();
    }

    @Override
    public int[] sampleShape() {
        return shape;
    }

    @Override
    public void copySample(int index, float[] target, int offset) {
        Objects.checkIndex(index, dataset.count());
        byte[] pixels = dataset.pixels();
        int length = shape[1] * shape[2];
        int start = index * length;
        for (int i = 0; i < length; i++) {
            target[offset + i] = lookup[pixels[start + i] & 0xFF];
        }
    }

    @Override
    public boolean hasLabels() {
        return dataset.hasLabels();
    }

    @Override
    public int label(int index) {
        return dataset.label(index);
    }

    @Override
    public String description() {
        return description;
    }
}
