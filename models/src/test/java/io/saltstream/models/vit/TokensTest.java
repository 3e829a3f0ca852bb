package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokensTest {

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Test
    void gatherPicksRowsPerSample() {
        // channel d of token n in sample b is (4b + n)·3 + d
        NDArray tokens =
                manager.arange(2 * 4 * 3)
                        .reshape(2, 4, 3)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        float[] flat = tokens.toFloatArray();
        long[][] indices = {{3, 0}, {1, 1}};

        NDArray gathered = Tokens.gather(tokens, manager.create(indices));

        assertThat(gathered.getShape()).isEqualTo(new Shape(2, 2, 3));
        float[] out = gathered.toFloatArray();
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 2; k++) {
                for (int d = 0; d < 3; d++) {
                    assertThat(out[(b * 2 + k) * 3 + d])
                            .isEqualTo(flat[(b * 4 + (int) indices[b][k]) * 3 + d]);
                }
            }
        }
    }

    @Test
    void gatherBroadcastsSharedTable() {
        NDArray table = manager.arange(12f).reshape(1, 4, 3);
        NDArray indices = manager.create(new int[][] {{2}, {0}, {3}});

        NDArray gathered = Tokens.gather(table, indices);

        assertThat(gathered.getShape()).isEqualTo(new Shape(3, 1, 3));
        assertThat(gathered.toFloatArray()).containsExactly(6f, 7f, 8f, 0f, 1f, 2f, 9f, 10f, 11f);
    }

    @Test
    void gatherRejectsWrongRanks() {
        NDArray tokens = manager.zeros(new Shape(2, 4));
        NDArray indices = manager.create(new long[][] {{0}, {1}});

        assertThatThrownBy(() -> Tokens.gather(tokens, indices))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expects tokens [B, N, D] and indices [B, K]")
                .hasMessageContaining("got tokens (2, 4)");
    }

    @Test
    void gatherRejectsMismatchedBatch() {
        NDArray tokens = manager.zeros(new Shape(3, 4, 2));
        NDArray indices = manager.create(new long[][] {{0}, {1}});

        assertThatThrownBy(() -> Tokens.gather(tokens, indices))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch size 2 (that of the indices) or 1");
    }
}
