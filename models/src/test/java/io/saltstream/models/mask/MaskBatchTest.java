package io.saltstream.models.mask;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class MaskBatchTest {

    private static MaskBatch batch() {
        return new MaskBatch(5, new long[][] {{0, 2}, {1, 3}}, new long[][] {{1, 3, 4}, {0, 2, 4}});
    }

    @Test
    void sizes() {
        MaskBatch batch = batch();

        assertThat(batch.getStep()).isEqualTo(5);
        assertThat(batch.getBatchSize()).isEqualTo(2);
        assertThat(batch.getContextSize()).isEqualTo(2);
        assertThat(batch.getTargetSize()).isEqualTo(3);
    }

    @Test
    void toNDArraysGivesInt64Matrices() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList arrays = batch().toNDArrays(manager);

            assertThat(arrays).hasSize(2);
            assertThat(arrays.get(0).getShape()).isEqualTo(new Shape(2, 2));
            assertThat(arrays.get(0).getDataType()).isEqualTo(DataType.INT64);
            assertThat(arrays.get(0).getName()).isEqualTo("contextIndices");
            assertThat(arrays.get(0).toLongArray()).containsExactly(0, 2, 1, 3);
            assertThat(arrays.get(1).getShape()).isEqualTo(new Shape(2, 3));
            assertThat(arrays.get(1).getName()).isEqualTo("targetIndices");
            assertThat(arrays.get(1).toLongArray()).containsExactly(1, 3, 4, 0, 2, 4);
        }
    }

    @Test
    void gettersReturnCopies() {
        MaskBatch batch = batch();

        batch.getContextIndices()[0][0] = 99;
        batch.getTargetIndices()[1][2] = 99;

        assertThat(batch.getContextIndices()[0][0]).isZero();
        assertThat(batch.getTargetIndices()[1][2]).isEqualTo(4);
        assertThat(batch).isEqualTo(batch()).hasSameHashCodeAs(batch());
    }
}
