package io.saltstream.pipeline.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.pipeline.ingest.IdxDataset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

    private static IdxImageSet images(int count) {
        byte[] pixels = new byte[count];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            pixels[i] = (byte) i;
            labels[i] = i;
        }
        return new IdxImageSet(new IdxDataset(count, 1, 1, pixels, labels), count + " pixels");
    }

    @Test
    void epochVisitsEverySampleOnce() {
        BatchSampler sampler = new BatchSampler(images(12), 4, 3);
        List<Integer> seen = new ArrayList<>();

        for (int batch = 0; batch < 3; batch++) {
            for (int index : sampler.nextIndices()) {
                seen.add(index);
            }
        }

        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(sampler.epochs()).isEqualTo(1);
    }

    @Test
    void sameSeedSameBatches() {
        BatchSampler first = new BatchSampler(images(50), 8, 42);
        BatchSampler second = new BatchSampler(images(50), 8, 42);
        BatchSampler other = new BatchSampler(images(50), 8, 43);

        int[] firstBatch = first.nextIndices();

        assertThat(second.nextIndices()).containsExactly(firstBatch);
        assertThat(other.nextIndices()).isNotEqualTo(firstBatch);
    }

    @Test
    void batchLargerThanSetWrapsIntoNextEpoch() {
        BatchSampler sampler = new BatchSampler(images(3), 5, 0);

        int[] indices = sampler.nextIndices();

        assertThat(indices).hasSize(5);
        assertThat(sampler.epochs()).isEqualTo(2);
        assertThat(sampler.batchShape()).containsExactly(5, 1, 1, 1);
        assertThat(sampler.next()).hasSize(5);
    }

    @Test
    void zeroBatchSizeRejected() {
        assertThatThrownBy(() -> new BatchSampler(images(3), 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchSize must be at least 1, got 0");
    }

    @Test
    void emptySetRejected() {
        assertThatThrownBy(() -> new BatchSampler(images(0), 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot sample batches from an empty set: 0 pixels");
    }
}
