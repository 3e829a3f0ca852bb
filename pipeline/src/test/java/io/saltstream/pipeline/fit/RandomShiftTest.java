package io.saltstream.pipeline.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomShiftTest {

    /** Returns a [C, H, W] sample whose values encode their position: 100·c + 10·y + x. */
    private static float[] positions(int channels, int height, int width) {
        float[] values = new float[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    values[(c * height + y) * width + x] = 100 * c + 10 * y + x;
                }
            }
        }
        return values;
    }

    @Test
    void zeroShiftCopiesSample() {
        float[] source = positions(2, 3, 4);
        float[] target = new float[source.length + 5];

        new RandomShift(0).apply(source, new int[] {2, 3, 4}, new SplittableRandom(1), target, 5);

        for (int i = 0; i < source.length; i++) {
            assertThat(target[5 + i]).isEqualTo(source[i]);
        }
    }

    @Test
    void shiftMovesEveryPlaneByOneOffset() {
        int height = 6;
        int width = 7;
        float[] source = positions(3, height, width);
        SplittableRandom random = new SplittableRandom(9);

        for (int trial = 0; trial < 20; trial++) {
            float[] target = new float[source.length];
            new RandomShift(2).apply(source, new int[] {3, height, width}, random, target, 0);

            // The centre pixel (3, 3) of plane 0 reveals the offset: it came from (3 - dy, 3 - dx).
            float centre = target[3 * width + 3];
            int dy = 3 - (int) centre / 10;
            int dx = 3 - (int) centre % 10;
            assertThat(Math.abs(dy)).isLessThanOrEqualTo(2);
            assertThat(Math.abs(dx)).isLessThanOrEqualTo(2);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int sourceY = Math.min(height - 1, Math.max(0, y - dy));
                        int sourceX = Math.min(width - 1, Math.max(0, x - dx));
                        assertThat(target[(c * height + y) * width + x])
                                .isEqualTo(100 * c + 10 * sourceY + sourceX);
                    }
                }
            }
        }
    }

    @Test
    void defaultShiftIsSixteenthOfHeight() {
        assertThat(RandomShift.forHeight(28).maxShift()).isEqualTo(2);
        assertThat(RandomShift.forHeight(64).maxShift()).isEqualTo(4);
        assertThat(RandomShift.forHeight(8).maxShift()).isEqualTo(1);
    }

    @Test
    void negativeShiftRejected() {
        assertThatThrownBy(() -> new RandomShift(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxShift must be at least 0, got -1");
    }
}
