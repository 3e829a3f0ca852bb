package io.saltstream.operators.encode;

import io.saltstream.models.train.SaltTrainer;
import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.models.vit.PredictorConfig;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformerPresets;
import io.saltstream.operators.preprocess.ClipTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Real encoder-only checkpoints of a tiny model for the encoder tests: the {@code image-28}
 * geometry (1×28×28, patch 4, 49 tokens) with one block of width 32.
 *
 * <p>The checkpoints come from a {@link SaltTrainer} that is closed before {@link #checkpoints()}
 * returns, because PyTorch allows one open trainer per JVM and Surefire runs every test class in
 * one JVM.
 */
final class TrainedEncoders {

    /** Width D of the tiny encoder, the length of every embedding. */
    static final int EMBED_DIM = 32;

    /** Shape {C, T, H, W} of a clip the tiny encoder takes. */
    static final int[] CLIP_SHAPE = {1, 1, 28, 28};

    private static List<byte[]> checkpoints;
    private static SaltModelConfig modelConfig;

    private TrainedEncoders() {}

    /** Returns the tiny model config. */
    static synchronized SaltModelConfig modelConfig() {
        if (modelConfig == null) {
            SaltModelConfig preset = VisionTransformerPresets.image28();
            PredictorConfig head =
                    PredictorConfig.builder().setEmbedDim(16).setDepth(1).setNumHeads(2).build();
            modelConfig =
                    preset.toBuilder()
                            .setEncoder(
                                    preset.getEncoder().toBuilder()
                                            .setEmbedDim(EMBED_DIM)
                                            .setDepth(1)
                                            .setNumHeads(2)
                                            .build())
                            .setPredictor(head)
                            .setDecoder(head)
                            .build();
        }
        return modelConfig;
    }

    /**
     * Returns three encoder-only checkpoints of one training run, written after 0, 1 and 2 steps:
     * element i has step i and parameters that differ from the others.
     */
    static synchronized List<byte[]> checkpoints() {
        if (checkpoints == null) {
            SaltTrainerConfig config =
                    SaltTrainerConfig.builder()
                            .setModelConfig(modelConfig())
                            .setBatchSize(4)
                            .setTeacherSteps(5)
                            .setTotalSteps(10)
                            .optPeakLearningRate(1e-2)
                            .optFinalLearningRate(1e-2)
                            .build();
            List<byte[]> written = new ArrayList<>();
            try (SaltTrainer trainer = SaltTrainer.builder().setConfig(config).build()) {
                written.add(trainer.saveEncoderSnapshot());
                for (int step = 1; step <= 2; step++) {
                    trainer.step(pixels(4, step), new int[] {4, 1, 28, 28});
                    written.add(trainer.saveEncoderSnapshot());
                }
            }
            checkpoints = List.copyOf(written);
        }
        return checkpoints;
    }

    /** Returns {@code count × 28 × 28} normalised pixel values, seeded. */
    static float[] pixels(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[count * 28 * 28];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (2 * random.nextDouble() - 1);
        }
        return data;
    }

    /** Returns an image clip of stream {@code streamId} at {@code sequence}, seeded by it. */
    static ClipTensor clip(String streamId, long sequence) {
        return new ClipTensor(
                streamId,
                sequence,
                sequence,
                1_000 + sequence,
                (int) (sequence % 10),
                CLIP_SHAPE.clone(),
                pixels(1, 31L * sequence + streamId.hashCode()));
    }
}
