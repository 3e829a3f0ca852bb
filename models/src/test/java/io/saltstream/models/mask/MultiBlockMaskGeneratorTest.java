package io.saltstream.models.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.models.vit.VisionTransformerPresets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MultiBlockMaskGeneratorTest {

    private static MultiBlockMaskGenerator image(long seed) {
        return MultiBlockMaskGenerator.builder().setGrid(1, 14, 14).optSeed(seed).build();
    }

    private static MultiBlockMaskGenerator video(long seed) {
        return MultiBlockMaskGenerator.builder().setGrid(8, 8, 8).optSeed(seed).build();
    }

    private static MultiBlockMaskGenerator single(
            int frames, int side, double scale, double temporalScale) {
        MaskConfig config =
                MaskConfig.builder()
                        .setNumBlocks(1)
                        .setSpatialScale(scale, scale)
                        .optTemporalScale(temporalScale, temporalScale)
                        .build();
        return MultiBlockMaskGenerator.builder()
                .setGrid(frames, side, side)
                .optMaskConfigs(List.of(config))
                .optSeed(3)
                .build();
    }

    /** Checks range, order, disjointness and non-emptiness of every row. */
    private static void assertValid(MaskBatch batch, int numTokens) {
        long[][] context = batch.getContextIndices();
        long[][] target = batch.getTargetIndices();
        assertThat(batch.getContextSize()).as("K").isPositive();
        assertThat(batch.getTargetSize()).as("M").isPositive();
        for (int b = 0; b < batch.getBatchSize(); b++) {
            assertThat(context[b]).as("context row %d length", b).hasSize(batch.getContextSize());
            assertThat(target[b]).as("target row %d length", b).hasSize(batch.getTargetSize());
            assertSortedInRange(context[b], numTokens);
            assertSortedInRange(target[b], numTokens);
            Set<Long> contextSet = toSet(context[b]);
            for (long n : target[b]) {
                assertThat(contextSet)
                        .as("sample %d: token %d in both lists", b, n)
                        .doesNotContain(n);
            }
        }
    }

    private static void assertSortedInRange(long[] row, int numTokens) {
        for (int i = 0; i < row.length; i++) {
            assertThat(row[i]).isBetween(0L, numTokens - 1L);
            if (i > 0) {
                assertThat(row[i]).as("ascending at %d", i).isGreaterThan(row[i - 1]);
            }
        }
    }

    private static Set<Long> toSet(long[] row) {
        Set<Long> set = new HashSet<>();
        for (long n : row) {
            set.add(n);
        }
        return set;
    }

    @Test
    void imageMasksAreValid() {
        MultiBlockMaskGenerator generator = image(1);

        for (long step = 0; step < 50; step++) {
            assertValid(generator.generate(16, step), 196);
        }
    }

    @Test
    void videoMasksAreValid() {
        MultiBlockMaskGenerator generator = video(1);

        for (long step = 0; step < 50; step++) {
            assertValid(generator.generate(8, step), 512);
        }
    }

    @Test
    void contextAndTargetCoverGridBeforeCutting() {
        // With one sample nothing is cut, so the two lists must partition the grid.
        for (MultiBlockMaskGenerator generator : List.of(image(2), video(2))) {
            int numTokens = generator.getNumTokens();
            for (long step = 0; step < 30; step++) {
                MaskBatch batch = generator.generate(1, step);
                Set<Long> all = toSet(batch.getContextIndices()[0]);
                all.addAll(toSet(batch.getTargetIndices()[0]));

                assertThat(batch.getContextSize() + batch.getTargetSize()).isEqualTo(numTokens);
                assertThat(all).hasSize(numTokens);
            }
        }
    }

    @Test
    void maskedFractionWithinConfiguredRange() {
        // Image defaults: 4 blocks of 15-20 % each. The union covers at least one block and at
        // most four (rounding of the block sides adds a little slack).
        MultiBlockMaskGenerator generator = image(4);
        double total = 0;
        int draws = 300;
        for (long step = 0; step < draws; step++) {
            double fraction = generator.generate(1, step).getTargetSize() / 196.0;
            assertThat(fraction).as("step %d", step).isBetween(0.12, 0.8 * 1.2);
            total += fraction;
        }
        double mean = total / draws;
        assertThat(mean).isBetween(0.2, 0.8);
    }

    @Test
    void singleBlockCoversItsScale() {
        MultiBlockMaskGenerator generator = single(1, 20, 0.3, 1.0);

        for (long step = 0; step < 100; step++) {
            double fraction = generator.generate(1, step).getTargetSize() / 400.0;
            assertThat(fraction).as("step %d", step).isBetween(0.24, 0.36);
        }
    }

    @Test
    void sameSeedAndStepReplay() {
        MaskBatch first = video(7).generate(6, 41);
        MaskBatch replay = video(7).generate(6, 41);

        assertThat(replay).isEqualTo(first);
        assertThat(video(7).generate(6, 42)).isNotEqualTo(first);
        assertThat(video(8).generate(6, 41)).isNotEqualTo(first);
    }

    @Test
    void positionsDifferBetweenSamples() {
        MaskBatch batch = single(1, 14, 0.2, 1.0).generate(8, 5);
        Set<List<Long>> distinct = new HashSet<>();
        for (long[] row : batch.getTargetIndices()) {
            distinct.add(Arrays.stream(row).boxed().toList());
        }

        assertThat(distinct).hasSizeGreaterThan(1);
    }

    @Test
    void blockSizeSharedWithinBatch() {
        MaskConfig config = MaskConfig.builder().setNumBlocks(1).setSpatialScale(0.1, 0.5).build();
        MultiBlockMaskGenerator generator =
                MultiBlockMaskGenerator.builder()
                        .setGrid(1, 16, 16)
                        .optMaskConfigs(List.of(config))
                        .build();
        Set<Integer> sizes = new HashSet<>();
        for (long step = 0; step < 20; step++) {
            MaskBatch batch = generator.generate(6, step);
            // One block of the same size per sample: every sample has the same number of
            // targets before cutting, so the context lists were not cut either.
            assertThat(batch.getContextSize() + batch.getTargetSize()).isEqualTo(256);
            sizes.add(batch.getTargetSize());
        }

        assertThat(sizes).hasSizeGreaterThan(1);
    }

    @Test
    void tubesSpanAllFramesAtTemporalScaleOne() {
        int frames = 4;
        int side = 6;
        MultiBlockMaskGenerator generator =
                MultiBlockMaskGenerator.builder().setGrid(frames, side, side).optSeed(9).build();
        for (long step = 0; step < 30; step++) {
            Set<Long> target = toSet(generator.generate(1, step).getTargetIndices()[0]);
            for (long n : target) {
                long spatial = n % (side * side);
                for (int t = 0; t < frames; t++) {
                    assertThat(target)
                            .as(
                                    "step %d: token %d masked but frame %d of its tube is not",
                                    step, n, t)
                            .contains(t * side * side + spatial);
                }
            }
        }
    }

    @Test
    void temporalScaleHalfSpansHalfTheFrames() {
        MultiBlockMaskGenerator generator = single(4, 6, 0.25, 0.5);

        for (long step = 0; step < 30; step++) {
            Set<Long> frames = new HashSet<>();
            for (long n : generator.generate(1, step).getTargetIndices()[0]) {
                frames.add(n / 36);
            }
            assertThat(frames).as("step %d", step).hasSize(2);
            assertThat(
                            frames.stream().mapToLong(Long::longValue).max().getAsLong()
                                    - frames.stream().mapToLong(Long::longValue).min().getAsLong())
                    .isEqualTo(1);
        }
    }

    @Test
    void emptyContextNeverReturned() {
        // Three blocks of half the grid each often cover a 2×2 grid. With no redraws allowed,
        // the generator must leave out blocks instead of returning an empty context.
        MaskConfig config = MaskConfig.builder().setNumBlocks(3).setSpatialScale(1.0, 1.0).build();
        MultiBlockMaskGenerator generator =
                MultiBlockMaskGenerator.builder()
                        .setGrid(1, 2, 2)
                        .optMaskConfigs(List.of(config))
                        .optMaxRedraws(0)
                        .build();

        for (long step = 0; step < 200; step++) {
            assertValid(generator.generate(4, step), 4);
        }
    }

    @Test
    void wholeGridBlockIsShrunk() {
        MultiBlockMaskGenerator generator = single(2, 3, 1.0, 1.0);

        MaskBatch batch = generator.generate(1, 0);

        assertThat(batch.getTargetSize()).isEqualTo(2 * 3 * 2);
        assertThat(batch.getContextSize()).isEqualTo(2 * 3);
    }

    @Test
    void perConfigPairsFollowEachConfig() {
        MultiBlockMaskGenerator generator = video(11);

        List<MaskBatch> pairs = generator.generatePerConfig(4, 3);

        assertThat(pairs).hasSize(2);
        for (MaskBatch pair : pairs) {
            assertValid(pair, 512);
        }
        assertThat(generator.generatePerConfig(4, 3)).isEqualTo(pairs);
        // The large blocks (2 at 70 %) mask more than the small ones (8 at 15 %) on average.
        double small = 0;
        double large = 0;
        for (long step = 0; step < 20; step++) {
            List<MaskBatch> drawn = generator.generatePerConfig(1, step);
            small += drawn.get(0).getTargetSize();
            large += drawn.get(1).getTargetSize();
        }
        assertThat(large).isGreaterThan(small);
    }

    @Test
    void defaultsChosenByGridDepth() {
        assertThat(image(0).getMaskConfigs()).isEqualTo(MaskConfig.imageDefaults());
        assertThat(video(0).getMaskConfigs()).isEqualTo(MaskConfig.videoDefaults());
    }

    @Test
    void gridFromEncoderConfig() {
        MultiBlockMaskGenerator generator =
                MultiBlockMaskGenerator.builder()
                        .setGrid(VisionTransformerPresets.video64().getEncoder())
                        .build();

        assertThat(generator.getNumTokens()).isEqualTo(512);
        assertThat(generator.getGridFrames()).isEqualTo(8);
    }

    @Test
    void builderRejectsMissingGrid() {
        assertThatThrownBy(() -> MultiBlockMaskGenerator.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grid is missing: call setGrid");
    }

    @Test
    void builderRejectsSingleTokenGrid() {
        assertThatThrownBy(() -> MultiBlockMaskGenerator.builder().setGrid(1, 1, 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grid = 1x1x1 has a single token");
        assertThatThrownBy(() -> MultiBlockMaskGenerator.builder().setGrid(1, 0, 4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grid = 1x0x4 must have every side at least 1");
    }

    @Test
    void builderRejectsBadConfigsAndRedraws() {
        List<MaskConfig> withNull = new ArrayList<>(MaskConfig.imageDefaults());
        withNull.add(null);

        assertThatThrownBy(
                        () ->
                                MultiBlockMaskGenerator.builder()
                                        .setGrid(1, 4, 4)
                                        .optMaskConfigs(List.of())
                                        .optMaxRedraws(-1)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maskConfigs is empty")
                .hasMessageContaining("maxRedraws = -1 must be at least 0");
        assertThatThrownBy(
                        () ->
                                MultiBlockMaskGenerator.builder()
                                        .setGrid(1, 4, 4)
                                        .optMaskConfigs(withNull)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not contain null");
    }

    @Test
    void generateRejectsEmptyBatch() {
        assertThatThrownBy(() -> image(0).generate(0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize = 0 is invalid: expected at least 1");
    }
}
