package io.saltstream.pipeline.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.saltstream.pipeline.ingest.IdxDataset;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxImageSetTest {

    @TempDir Path folder;

    @Test
    void pixelsNormalisedLikePreprocess() {
        byte[] pixels = {0, (byte) 255, 51, (byte) 128};
        IdxImageSet images =
                new IdxImageSet(new IdxDataset(1, 2, 2, pixels, new int[] {7}), "one image");

        float[] sample = new float[4];
        images.copySample(0, sample, 0);

        assertThat(sample[0]).isEqualTo(-1f);
        assertThat(sample[1]).isEqualTo(1f);
        assertThat(sample[2]).isCloseTo(-0.6f, within(1e-6f));
        assertThat(sample[3]).isCloseTo((128 / 255f - 0.5f) / 0.5f, within(1e-6f));
        assertThat(images.sampleShape()).containsExactly(1, 2, 2);
        assertThat(images.label(0)).isEqualTo(7);
    }

    @Test
    void batchStacksSamplesInIndexOrder() {
        byte[] pixels = {0, 0, (byte) 255, (byte) 255};
        IdxImageSet images =
                new IdxImageSet(new IdxDataset(2, 1, 2, pixels, new int[] {0, 1}), "two images");

        float[] batch = images.batch(new int[] {1, 0, 1});

        assertThat(batch).containsExactly(1f, 1f, -1f, -1f, 1f, 1f);
        assertThat(images.batchShape(3)).containsExactly(3, 1, 1, 2);
        assertThat(images.labels(new int[] {1, 0})).containsExactly(1, 0);
    }

    @Test
    void indexOutsideSetRejected() {
        IdxImageSet images =
                new IdxImageSet(new IdxDataset(1, 1, 1, new byte[1], null), "one pixel");

        assertThatThrownBy(() -> images.copySample(1, new float[1], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(images.hasLabels()).isFalse();
    }

    @Test
    void readLimitsImagesAndKeepsLabels() throws IOException {
        DataFiles.FashionMnistFiles files = IdxTestFiles.writeFashionMnist(folder, 30, 20);

        IdxImageSet images = IdxImageSet.read(files.trainImages(), files.trainLabels(), 12);

        assertThat(images.size()).isEqualTo(12);
        assertThat(images.label(11)).isEqualTo(1);
        assertThat(images.description()).contains("12 images of 28x28");
    }
}
