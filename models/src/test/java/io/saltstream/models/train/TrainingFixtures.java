package io.saltstream.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.saltstream.models.vit.PredictorConfig;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformerPresets;
import java.util.SplittableRandom;

/** Small models and inputs shared by the trainer tests. */
final class TrainingFixtures {

    private TrainingFixtures() {}

    /**
     * Returns the image-28 geometry (28×28×1, patch 4, 49 tokens) with a 2-block encoder of width
     * 64.
     */
    static SaltModelConfig smallImageModel() {
        SaltModelConfig preset = VisionTransformerPresets.image28();
        PredictorConfig head =
                PredictorConfig.builder().setEmbedDim(32).setDepth(1).setNumHeads(2).build();
        return preset.toBuilder()
                .setEncoder(
                        preset.getEncoder().toBuilder()
                                .setEmbedDim(64)
                                .setDepth(2)
                                .setNumHeads(4)
                                .build())
                .setPredictor(head)
                .setDecoder(head)
                .build();
    }

    /** A trainer config for {@link #smallImageModel()} with no warm-up and a constant decay. */
    static SaltTrainerConfig.Builder smallConfig(int teacherSteps, int totalSteps) {
        return SaltTrainerConfig.builder()
                .setModelConfig(smallImageModel())
                .setBatchSize(16)
                .setTeacherSteps(teacherSteps)
                .setTotalSteps(totalSteps)
                .optPeakLearningRate(2e-3)
                .optFinalLearningRate(2e-3)
                .optWeightDecay(0.05, 0.05)
                .optMaskSeed(11);
    }

    /**
     * Creates a batch of images [B, 1, 28, 28] with the same layout and different details: a bright
     * blob near the centre (random offset, width and brightness) on a vertical gradient of random
     * slope. The shared layout makes masked patches predictable from their position and their
     * neighbours, so a few steps suffice to lower the loss.
     */
    static float[] images(int batchSize, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[batchSize * 28 * 28];
        for (int b = 0; b < batchSize; b++) {
            double centreX = 13.5 + 4 * (random.nextDouble() - 0.5);
            double centreY = 13.5 + 4 * (random.nextDouble() - 0.5);
            double width = 4 + 3 * random.nextDouble();
            double brightness = 1 + random.nextDouble();
            double slope = 2 * random.nextDouble() - 1;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    double distance = (x - centreX) * (x - centreX) + (y - centreY) * (y - centreY);
                    double value =
                            brightness * Math.exp(-distance / (2 * width * width))
                                    + slope * y / 27.0
                                    + 0.05 * random.nextGaussian();
                    data[(b * 28 + y) * 28 + x] = (float) value;
                }
            }
        }
        return data;
    }

    static NDArray imageBatch(NDManager manager, int batchSize, long seed) {
        return manager.create(images(batchSize, seed), new Shape(batchSize, 1, 28, 28));
    }

    /** Computes the mean of {@code values[from, to)}. */
    static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }
}
