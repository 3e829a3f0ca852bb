package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PositionEmbeddingsTest {

    @Test
    void twoDimensionalShapeAndKnownValues() {
        // D = 8: channels 0-3 encode the row with ω = (1, 1/100), channels 4-7 the column.
        float[] table = PositionEmbeddings.sinCos2d(8, 3, 4);

        assertThat(table).hasSize(3 * 4 * 8);
        float[] origin = Arrays.copyOfRange(table, 0, 8);
        assertThat(origin).containsExactly(0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f);
        // token (h = 2, w = 1) is row 2·4 + 1 = 9
        float[] token = Arrays.copyOfRange(table, 9 * 8, 10 * 8);
        float[] expected = {
            (float) Math.sin(2), (float) Math.sin(0.02), (float) Math.cos(2),
                    (float) Math.cos(0.02),
            (float) Math.sin(1), (float) Math.sin(0.01), (float) Math.cos(1), (float) Math.cos(0.01)
        };
        assertThat(token).containsExactly(expected, within(1e-6f));
    }

    @Test
    void threeDimensionalSplitsTimeAndSpace() {
        // D = 20: 8 channels for time (ω = 1, 0.1, 0.01, 0.001), 6 for rows, 6 for columns.
        float[] table = PositionEmbeddings.sinCos3d(20, 2, 3, 3);

        assertThat(table).hasSize(2 * 3 * 3 * 20);
        // token (t = 1, h = 2, w = 0) is row (1·3 + 2)·3 + 0 = 15
        float[] token = Arrays.copyOfRange(table, 15 * 20, 16 * 20);
        assertThat(token[0]).isCloseTo((float) Math.sin(1), within(1e-6f));
        assertThat(token[1]).isCloseTo((float) Math.sin(0.1), within(1e-6f));
        assertThat(token[4]).isCloseTo((float) Math.cos(1), within(1e-6f));
        // rows: ω = 1, 10000^(-1/3), 10000^(-2/3)
        assertThat(token[8]).isCloseTo((float) Math.sin(2), within(1e-6f));
        assertThat(token[9])
                .isCloseTo((float) Math.sin(2 * Math.pow(10000, -1.0 / 3)), within(1e-6f));
        assertThat(token[11]).isCloseTo((float) Math.cos(2), within(1e-6f));
        assertThat(Arrays.copyOfRange(token, 14, 20)).containsExactly(0f, 0f, 0f, 1f, 1f, 1f);
    }

    @Test
    void everyTokenGetsADistinctRow() {
        float[] table = PositionEmbeddings.forGrid(32, 4, 5, 6);
        Set<List<Float>> rows = new HashSet<>();
        for (int n = 0; n < 4 * 5 * 6; n++) {
            Float[] row = new Float[32];
            for (int d = 0; d < 32; d++) {
                row[d] = table[n * 32 + d];
            }
            rows.add(List.of(row));
        }

        assertThat(rows).hasSize(120);
    }

    @Test
    void forGridUsesTwoDimensionsForOneFrame() {
        assertThat(PositionEmbeddings.forGrid(8, 1, 3, 4))
                .containsExactly(PositionEmbeddings.sinCos2d(8, 3, 4));
    }

    @Test
    void invalidDimensionRejected() {
        assertThatThrownBy(() -> PositionEmbeddings.sinCos3d(4, 2, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dim = 4 is invalid for 3-D sine-cosine positions")
                .hasMessageContaining("at least 6");
        assertThatThrownBy(() -> PositionEmbeddings.sinCos2d(5, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dim = 5 is invalid for 2-D");
    }

    @Test
    void invalidGridRejected() {
        assertThatThrownBy(() -> PositionEmbeddings.sinCos2d(8, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every side must be at least 1");
    }
}
