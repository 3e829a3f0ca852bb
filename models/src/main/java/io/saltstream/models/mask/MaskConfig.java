package io.saltstream.models.mask;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One family of target blocks for {@link MultiBlockMaskGenerator}: how many blocks, and the range
 * their size is drawn from.
 *
 * <p>A block is a box of t × h × w tokens in the grid (T′, H′, W′). For each batch the generator
 * draws, per config, a spatial scale s from {@code spatialScale}, an aspect ratio a (log-uniform)
 * from {@code aspectRatio} and a temporal scale τ from {@code temporalScale}; then h ≈
 * √(s·H′·W′·a), w ≈ √(s·H′·W′ / a), t = max(1, ⌊τ·T′⌋). A temporal scale of 1 gives tubes through
 * every frame.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * MaskConfig config = MaskConfig.builder().setNumBlocks(4).setSpatialScale(0.15, 0.2).build();
 * }</pre>
 */
public final class MaskConfig {

    /** Default aspect ratio range h / w of a block, as in V-JEPA. */
    public static final double DEFAULT_MIN_ASPECT_RATIO = 0.75;

    /** Upper end of the default aspect ratio range. */
    public static final double DEFAULT_MAX_ASPECT_RATIO = 1.5;

    private final int numBlocks;
    private final double minSpatialScale;
    private final double maxSpatialScale;
    private final double minAspectRatio;
    private final double maxAspectRatio;
    private final double minTemporalScale;
    private final double maxTemporalScale;

    private MaskConfig(Builder builder) {
        this.numBlocks = builder.numBlocks;
        this.minSpatialScale = builder.minSpatialScale;
        this.maxSpatialScale = builder.maxSpatialScale;
        this.minAspectRatio = builder.minAspectRatio;
        this.maxAspectRatio = builder.maxAspectRatio;
        this.minTemporalScale = builder.minTemporalScale;
        this.maxTemporalScale = builder.maxTemporalScale;
    }

    /** Returns a builder; the number of blocks and the spatial scale are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns V-JEPA's video masks: 8 blocks at spatial scale 0.15 and 2 blocks at 0.7, aspect
     * ratio [0.75, 1.5], temporal scale 1 (tubes through all frames).
     */
    public static List<MaskConfig> videoDefaults() {
        return List.of(
                builder().setNumBlocks(8).setSpatialScale(0.15, 0.15).build(),
                builder().setNumBlocks(2).setSpatialScale(0.7, 0.7).build());
    }

    /**
     * Returns the image masks (T′ = 1): 4 blocks at spatial scale [0.15, 0.2], aspect [0.75, 1.5].
     */
    public static List<MaskConfig> imageDefaults() {
        return List.of(builder().setNumBlocks(4).setSpatialScale(0.15, 0.2).build());
    }

    /** Number of blocks of this family per sample. */
    public int getNumBlocks() {
        return numBlocks;
    }

    /** Smallest fraction of the H′×W′ frame one block covers. */
    public double getMinSpatialScale() {
        return minSpatialScale;
    }

    /** Largest fraction of the H′×W′ frame one block covers. */
    public double getMaxSpatialScale() {
        return maxSpatialScale;
    }

    /** Smallest block aspect ratio h / w. */
    public double getMinAspectRatio() {
        return minAspectRatio;
    }

    /** Largest block aspect ratio h / w. */
    public double getMaxAspectRatio() {
        return maxAspectRatio;
    }

    /** Smallest fraction of the T′ frames one block spans. */
    public double getMinTemporalScale() {
        return minTemporalScale;
    }

    /** Largest fraction of the T′ frames one block spans. */
    public double getMaxTemporalScale() {
        return maxTemporalScale;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof MaskConfig)) {
            return false;
        }
        MaskConfig that = (MaskConfig) other;
        return numBlocks == that.numBlocks
                && Double.compare(minSpatialScale, that.minSpatialScale) == 0
                && Double.compare(maxSpatialScale, that.maxSpatialScale) == 0
                && Double.compare(minAspectRatio, that.minAspectRatio) == 0
                && Double.compare(maxAspectRatio, that.maxAspectRatio) == 0
                && Double.compare(minTemporalScale, that.minTemporalScale) == 0
                && Double.compare(maxTemporalScale, that.maxTemporalScale) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                numBlocks,
                minSpatialScale,
                maxSpatialScale,
                minAspectRatio,
                maxAspectRatio,
                minTemporalScale,
                maxTemporalScale);
    }

    @Override
    public String toString() {
        return "MaskConfig{numBlocks="
                + numBlocks
                + ", spatialScale=["
                + minSpatialScale
                + ", "
                + maxSpatialScale
                + "], aspectRatio=["
                + minAspectRatio
                + ", "
                + maxAspectRatio
                + "], temporalScale=["
                + minTemporalScale
                + ", "
                + maxTemporalScale
                + "]}";
    }

    /**
     * Builder for {@link MaskConfig}. Required: number of blocks and spatial scale. Optional:
     * aspect ratio ([0.75, 1.5]) and temporal scale ([1, 1]).
     */
    public static final class Builder {
        private int numBlocks;
        private double minSpatialScale = Double.NaN;
        private double maxSpatialScale = Double.NaN;
        private double minAspectRatio = DEFAULT_MIN_ASPECT_RATIO;
        private double maxAspectRatio = DEFAULT_MAX_ASPECT_RATIO;
        private double minTemporalScale = 1.0;
        private double maxTemporalScale = 1.0;
        private boolean numBlocksSet;
        private boolean spatialScaleSet;

        private Builder() {}

        /** Sets the number of blocks per sample; at least 1. */
        public Builder setNumBlocks(int numBlocks) {
            this.numBlocks = numBlocks;
            this.numBlocksSet = true;
            return this;
        }

        /** Sets the range of the spatial scale; both in (0, 1], min ≤ max. */
        public Builder setSpatialScale(double min, double max) {
            this.minSpatialScale = min;
            this.maxSpatialScale = max;
            this.spatialScaleSet = true;
            return this;
        }

        /**
         * Sets the range of the aspect ratio h / w (default [0.75, 1.5]); both &gt; 0, min ≤ max.
         */
        public Builder optAspectRatio(double min, double max) {
            this.minAspectRatio = min;
            this.maxAspectRatio = max;
            return this;
        }

        /** Sets the range of the temporal scale (default [1, 1]); both in (0, 1], min ≤ max. */
        public Builder optTemporalScale(double min, double max) {
            this.minTemporalScale = min;
            this.maxTemporalScale = max;
            return this;
        }

        /**
         * Validates every value and builds the config.
         *
         * @throws IllegalArgumentException listing every missing or invalid value with its rule
         */
        public MaskConfig build() {
            List<String> errors = new ArrayList<>();
            if (!numBlocksSet) {
                errors.add("numBlocks is missing: call setNumBlocks");
            } else if (numBlocks < 1) {
                errors.add("numBlocks = " + numBlocks + " must be at least 1");
            }
            if (!spatialScaleSet) {
                errors.add("spatialScale is missing: call setSpatialScale");
            } else {
                checkScaleRange(errors, "spatialScale", minSpatialScale, maxSpatialScale);
            }
            checkScaleRange(errors, "temporalScale", minTemporalScale, maxTemporalScale);
            if (!(minAspectRatio > 0.0)
                    || !Double.isFinite(minAspectRatio)
                    || !Double.isFinite(maxAspectRatio)) {
                errors.add(
                        "aspectRatio = ["
                                + minAspectRatio
                                + ", "
                                + maxAspectRatio
                                + "] must hold finite values > 0");
            } else if (minAspectRatio > maxAspectRatio) {
                errors.add(
                        "aspectRatio = ["
                                + minAspectRatio
                                + ", "
                                + maxAspectRatio
                                + "] must have min <= max");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid MaskConfig: " + String.join("; ", errors));
            }
            return new MaskConfig(this);
        }

        private static void checkScaleRange(
                List<String> errors, String name, double min, double max) {
            String range = name + " = [" + min + ", " + max + "]";
            if (!inUnitInterval(min) || !inUnitInterval(max)) {
                errors.add(range + " must hold values in (0, 1]");
            } else if (min > max) {
                errors.add(range + " must have min <= max");
            }
        }

        private static boolean inUnitInterval(double value) {
            return value > 0.0 && value <= 1.0;
        }
    }
}
