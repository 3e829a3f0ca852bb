package io.saltstream.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdxDatasetTest {

    @Test
    void imageReturnsCopyOfOneImage() {
        byte[] pixels = {1, 2, 3, 4, 5, 6, 7, 8};
        IdxDataset dataset = new IdxDataset(2, 2, 2, pixels, new int[] {4, 7});

        byte[] second = dataset.image(1);
        second[0] = 99;

        assertThat(dataset.image(1)).containsExactly(5, 6, 7, 8);
        assertThat(dataset.label(1)).isEqualTo(7);
    }

    @Test
    void pixelsAsFloatsScaledToUnitRange() {
        byte[] pixels = {0, (byte) 255, (byte) 128, 51};
        IdxDataset dataset = new IdxDataset(1, 2, 2, pixels, null);

        assertThat(dataset.pixelsAsFloats()).containsExactly(0f, 1f, 128 / 255f, 0.2f);
    }

    @Test
    void labelsWithoutLabelFileRejected() {
        IdxDataset dataset = new IdxDataset(1, 1, 1, new byte[1], null);

        assertThat(dataset.hasLabels()).isFalse();
        assertThatThrownBy(dataset::labels)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this dataset has no labels: read it with a labels file to get labels");
    }

    @Test
    void pixelCountMismatchRejected() {
        assertThatThrownBy(() -> new IdxDataset(2, 2, 2, new byte[7], null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pixels must contain count*rows*columns = 8 bytes, but contains 7");
    }

    @Test
    void labelCountMismatchRejected() {
        assertThatThrownBy(() -> new IdxDataset(2, 1, 1, new byte[2], new int[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels must contain one label per image (2), but contains 3");
    }
}
