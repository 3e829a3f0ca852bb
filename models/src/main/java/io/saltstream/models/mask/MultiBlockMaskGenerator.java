package io.saltstream.models.mask;

import io.saltstream.models.vit.VisionTransformerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * V-JEPA multi-block masks over a token grid (T′, H′, W′) of N = T′·H′·W′ tokens, as index lists.
 *
 * <p>For each batch:
 *
 * <ol>
 *   <li>The size t × h × w of each {@link MaskConfig}'s blocks is drawn once for the whole batch
 *       (see {@link MaskConfig} for the rule). A block never covers the whole grid.
 *   <li>For each sample, every block is placed at a uniformly random position; the target is the
 *       union of all blocks of all configs, the context is every other token.
 *   <li>A sample whose context came out empty is redrawn up to {@code maxRedraws} times. If it is
 *       still empty, the blocks are placed one by one and a block that would cover the last context
 *       tokens is left out, so the context and the target are never empty.
 *   <li>Every context list is cut to the shortest context in the batch, K, and every target list to
 *       the shortest target, M, by keeping a random subset; lists are sorted ascending. Tokens cut
 *       from a list are neither context nor target for that step.
 * </ol>
 *
 * <p>The output is a pure function of (grid, mask configs, seed, step): a batch's random numbers
 * come from a generator seeded with a mix of the seed and the step, so after a restore the trainer
 * replays the same masks by passing the same step. Instances are immutable and thread-safe.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * MultiBlockMaskGenerator masks = MultiBlockMaskGenerator.builder()
 *         .setGrid(encoderConfig)                 // or setGrid(T', H', W')
 *         .optMaskConfigs(MaskConfig.imageDefaults())
 *         .optSeed(7)
 *         .build();
 * MaskBatch batch = masks.generate(64, step);
 * NDList indices = batch.toNDArrays(manager);  // contextIndices [B, K], targetIndices [B, M]
 * }</pre>
 *
 * <p>With {@link MaskConfig#videoDefaults()} the union of 8 small and 2 large blocks leaves only a
 * few per cent of the tokens as context. V-JEPA instead uses each config as a separate mask pair,
 * and so does the SALT trainer: {@link #generatePerConfig(int, long)} gives those pairs.
 */
public final class MultiBlockMaskGenerator {

    /** Default number of redraws of a sample whose context came out empty. */
    public static final int DEFAULT_MAX_REDRAWS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(MultiBlockMaskGenerator.class);

    private final int gridFrames;
    private final int gridHeight;
    private final int gridWidth;
    private final List<MaskConfig> maskConfigs;
    private final long seed;
    private final int maxRedraws;

    private MultiBlockMaskGenerator(Builder builder, List<MaskConfig> maskConfigs) {
        this.gridFrames = builder.gridFrames;
        this.gridHeight = builder.gridHeight;
        this.gridWidth = builder.gridWidth;
        this.maskConfigs = maskConfigs;
        this.seed = builder.seed;
        this.maxRedraws = builder.maxRedraws;
    }

    /** Returns a builder; the grid is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Token grid depth T′. */
    public int getGridFrames() {
        return gridFrames;
    }

    /** Token grid height H′. */
    public int getGridHeight() {
        return gridHeight;
    }

    /** Token grid width W′. */
    public int getGridWidth() {
        return gridWidth;
    }

    /** Number of tokens N. */
    public int getNumTokens() {
        return gridFrames * gridHeight * gridWidth;
    }

    /** The block families; the target is the union of their blocks. */
    public List<MaskConfig> getMaskConfigs() {
        return maskConfigs;
    }

    /** Base seed of every batch. */
    public long getSeed() {
        return seed;
    }

    /** Redraws of a sample whose context came out empty, before blocks are left out. */
    public int getMaxRedraws() {
        return maxRedraws;
    }

    /**
     * Generates the masks of one batch: target = union of the blocks of every config, context = the
     * rest.
     *
     * @param batchSize B, at least 1
     * @param step the training step; equal (seed, step) give equal masks
     * @throws IllegalArgumentException for a batch size below 1
     */
    public MaskBatch generate(int batchSize, long step) {
        checkBatchSize(batchSize);
        return generate(batchSize, step, maskConfigs, mix(seed, step));
    }

    /**
     * Generates one mask pair per config, as V-JEPA does: pair i has the blocks of config i as its
     * target and everything else as its context. Each pair follows the rules of {@link
     * #generate(int, long)} on its own.
     *
     * @param batchSize B, at least 1
     * @param step the training step; equal (seed, step) give equal masks
     * @return one {@link MaskBatch} per config, in the order of {@link #getMaskConfigs()}
     */
    public List<MaskBatch> generatePerConfig(int batchSize, long step) {
        checkBatchSize(batchSize);
        long batchSeed = mix(seed, step);
        List<MaskBatch> batches = new ArrayList<>(maskConfigs.size());
        for (int i = 0; i < maskConfigs.size(); i++) {
            batches.add(
                    generate(batchSize, step, List.of(maskConfigs.get(i)), mix(batchSeed, i + 1)));
        }
        return batches;
    }

    private MaskBatch generate(int batchSize, long step, List<MaskConfig> configs, long batchSeed) {
        SplittableRandom batchRandom = new SplittableRandom(batchSeed);
        int[][] sizes = drawBlockSizes(configs, batchRandom);
        int numTokens = getNumTokens();
        long[][] context = new long[batchSize][];
        long[][] target = new long[batchSize][];
        SplittableRandom[] sampleRandoms = new SplittableRandom[batchSize];
        for (int b = 0; b < batchSize; b++) {
            sampleRandoms[b] = new SplittableRandom(mix(batchSeed, b + 1));
            boolean[] masked = drawTargetMask(configs, sizes, sampleRandoms[b], step, b);
            int targetCount = 0;
            for (boolean m : masked) {
                targetCount += m ? 1 : 0;
            }
            context[b] = new long[numTokens - targetCount];
            target[b] = new long[targetCount];
            int c = 0;
            int t = 0;
            for (int n = 0; n < numTokens; n++) {
                if (masked[n]) {
                    target[b][t++] = n;
                } else {
                    context[b][c++] = n;
                }
            }
        }
        cutToShortest(context, sampleRandoms);
        cutToShortest(target, sampleRandoms);
        return new MaskBatch(step, context, target);
    }

    /** Draws the block size [t, h, w] of each config, once per batch. */
    int[][] drawBlockSizes(List<MaskConfig> configs, SplittableRandom random) {
        int[][] sizes = new int[configs.size()][];
        for (int i = 0; i < configs.size(); i++) {
            sizes[i] = drawBlockSize(configs.get(i), random);
        }
        return sizes;
    }

    private int[] drawBlockSize(MaskConfig config, SplittableRandom random) {
        double spatialScale =
                uniform(random, config.getMinSpatialScale(), config.getMaxSpatialScale());
        double aspectRatio =
                Math.exp(
                        uniform(
                                random,
                                Math.log(config.getMinAspectRatio()),
                                Math.log(config.getMaxAspectRatio())));
        double temporalScale =
                uniform(random, config.getMinTemporalScale(), config.getMaxTemporalScale());
        double area = spatialScale * gridHeight * gridWidth;
        int height = clamp((int) Math.round(Math.sqrt(area * aspectRatio)), gridHeight);
        int width = clamp((int) Math.round(Math.sqrt(area / aspectRatio)), gridWidth);
        int frames = clamp((int) Math.floor(temporalScale * gridFrames), gridFrames);
        if (frames == gridFrames && height == gridHeight && width == gridWidth) {
            // A block over the whole grid leaves no context: shrink its longest side by one.
            if (height > 1 && height >= width) {
                height--;
            } else if (width > 1) {
                width--;
            } else {
                frames--;
            }
        }
        return new int[] {frames, height, width};
    }

    /** Places every block of a sample; returns whether each token is a target. */
    private boolean[] drawTargetMask(
            List<MaskConfig> configs,
            int[][] sizes,
            SplittableRandom random,
            long step,
            int sample) {
        int numTokens = getNumTokens();
        boolean[] masked = new boolean[numTokens];
        for (int attempt = 0; attempt <= maxRedraws; attempt++) {
            Arrays.fill(masked, false);
            int covered = 0;
            for (int i = 0; i < configs.size(); i++) {
                for (int k = 0; k < configs.get(i).getNumBlocks(); k++) {
                    covered += placeBlock(masked, sizes[i], random, false);
                }
            }
            if (covered < numTokens) {
                return masked;
            }
        }
        LOG.debug(
                "step {} sample {}: context empty after {} redraws; leaving out blocks that"
                        + " would cover the last context tokens",
                step,
                sample,
                maxRedraws);
        Arrays.fill(masked, false);
        for (int i = 0; i < configs.size(); i++) {
            for (int k = 0; k < configs.get(i).getNumBlocks(); k++) {
                placeBlock(masked, sizes[i], random, true);
            }
        }
        return masked;
    }

    /**
     * Marks a block of {@code size} at a random position.
     *
     * @param keepContext when true, leave the mask unchanged if the block would mark every token
     * @return the number of newly marked tokens
     */
    private int placeBlock(
            boolean[] masked, int[] size, SplittableRandom random, boolean keepContext) {
        int frames = size[0];
        int height = size[1];
        int width = size[2];
        int t0 = random.nextInt(gridFrames - frames + 1);
        int h0 = random.nextInt(gridHeight - height + 1);
        int w0 = random.nextInt(gridWidth - width + 1);
        if (keepContext) {
            int alreadyMasked = 0;
            int insideAndMasked = 0;
            for (boolean m : masked) {
                alreadyMasked += m ? 1 : 0;
            }
            for (int t = t0; t < t0 + frames; t++) {
                for (int h = h0; h < h0 + height; h++) {
                    for (int w = w0; w < w0 + width; w++) {
                        insideAndMasked += masked[index(t, h, w)] ? 1 : 0;
                    }
                }
            }
            int blockTokens = frames * height * width;
            if (alreadyMasked + blockTokens - insideAndMasked >= masked.length) {
                return 0;
            }
        }
        int added = 0;
        for (int t = t0; t < t0 + frames; t++) {
            for (int h = h0; h < h0 + height; h++) {
                for (int w = w0; w < w0 + width; w++) {
                    int n = index(t, h, w);
                    if (!masked[n]) {
                        masked[n] = true;
                        added++;
                    }
                }
            }
        }
        return added;
    }

    private int index(int t, int h, int w) {
        return (t * gridHeight + h) * gridWidth + w;
    }

    /** Cuts every row to the shortest row's length by keeping a random subset, sorted. */
    private static void cutToShortest(long[][] rows, SplittableRandom[] randoms) {
        int shortest = Integer.MAX_VALUE;
        for (long[] row : rows) {
            shortest = Math.min(shortest, row.length);
        }
        for (int b = 0; b < rows.length; b++) {
            long[] row = rows[b];
            if (row.length == shortest) {
                continue;
            }
            // Partial Fisher-Yates: the first `shortest` entries become a uniform random subset.
            long[] shuffled = row.clone();
            for (int i = 0; i < shortest; i++) {
                int j = i + randoms[b].nextInt(shuffled.length - i);
                long swap = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = swap;
            }
            long[] subset = Arrays.copyOf(shuffled, shortest);
            Arrays.sort(subset);
            rows[b] = subset;
        }
    }

    private static double uniform(SplittableRandom random, double min, double max) {
        return min == max ? min : min + (max - min) * random.nextDouble();
    }

    private static int clamp(int value, int max) {
        return Math.max(1, Math.min(max, value));
    }

    private static void checkBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException(
                    "batchSize = " + batchSize + " is invalid: expected at least 1");
        }
    }

    /** Mixes the seed and a counter into a well-spread 64-bit seed (MurmurHash3's finaliser). */
    static long mix(long seed, long counter) {
        long z = seed * 0x9E3779B97F4A7C15L + counter;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /**
     * Builder for {@link MultiBlockMaskGenerator}. Required: the token grid. Optional: the mask
     * configs ({@link MaskConfig#imageDefaults()} when T′ = 1, {@link MaskConfig#videoDefaults()}
     * otherwise), the seed (0) and the maximum number of redraws ({@value #DEFAULT_MAX_REDRAWS}).
     */
    public static final class Builder {
        private int gridFrames;
        private int gridHeight;
        private int gridWidth;
        private boolean gridSet;
        private List<MaskConfig> maskConfigs;
        private long seed;
        private int maxRedraws = DEFAULT_MAX_REDRAWS;

        private Builder() {}

        /** Sets the token grid T′ × H′ × W′. */
        public Builder setGrid(int gridFrames, int gridHeight, int gridWidth) {
            this.gridFrames = gridFrames;
            this.gridHeight = gridHeight;
            this.gridWidth = gridWidth;
            this.gridSet = true;
            return this;
        }

        /** Sets the token grid of an encoder. */
        public Builder setGrid(VisionTransformerConfig encoderConfig) {
            return setGrid(
                    encoderConfig.getGridFrames(),
                    encoderConfig.getGridHeight(),
                    encoderConfig.getGridWidth());
        }

        /** Sets the block families (default: image or video defaults by the grid's depth). */
        public Builder optMaskConfigs(List<MaskConfig> maskConfigs) {
            this.maskConfigs = maskConfigs;
            return this;
        }

        /** Sets the base seed (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Sets the redraws of a sample with an empty context (default 20); 0 or more. */
        public Builder optMaxRedraws(int maxRedraws) {
            this.maxRedraws = maxRedraws;
            return this;
        }

        /**
         * Validates the values and builds the generator.
         *
         * @throws IllegalArgumentException listing every missing or invalid value with its rule
         */
        public MultiBlockMaskGenerator build() {
            List<String> errors = new ArrayList<>();
            if (!gridSet) {
                errors.add("grid is missing: call setGrid");
            } else if (gridFrames < 1 || gridHeight < 1 || gridWidth < 1) {
                errors.add(
                        "grid = "
                                + gridFrames
                                + "x"
                                + gridHeight
                                + "x"
                                + gridWidth
                                + " must have every side at least 1");
            } else if ((long) gridFrames * gridHeight * gridWidth < 2) {
                errors.add(
                        "grid = 1x1x1 has a single token: a mask needs at least 2 tokens, one"
                                + " context and one target");
            }
            if (maskConfigs != null) {
                if (maskConfigs.isEmpty()) {
                    errors.add("maskConfigs is empty: give at least one MaskConfig");
                } else if (maskConfigs.stream().anyMatch(Objects::isNull)) {
                    errors.add("maskConfigs = " + maskConfigs + " must not contain null");
                }
            }
            if (maxRedraws < 0) {
                errors.add("maxRedraws = " + maxRedraws + " must be at least 0");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid MultiBlockMaskGenerator: " + String.join("; ", errors));
            }
            List<MaskConfig> configs;
            if (maskConfigs != null) {
                configs = List.copyOf(maskConfigs);
            } else if (gridFrames > 1) {
                configs = MaskConfig.videoDefaults();
            } else {
                configs = MaskConfig.imageDefaults();
            }
            return new MultiBlockMaskGenerator(this, configs);
        }
    }
}
