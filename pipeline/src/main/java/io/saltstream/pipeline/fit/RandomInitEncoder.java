package io.saltstream.pipeline.fit;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.saltstream.models.train.EncoderInference;
import io.saltstream.models.vit.VisionTransformer;
import io.saltstream.models.vit.VisionTransformerConfig;

/**
 * An untrained {@link VisionTransformer} with the seeded initialisation, the baseline that shows
 * what training added. With {@code seed = initSeed + 1} it is exactly the Stage-2 student of a
 * {@code SaltTrainer} built with that {@code initSeed}, before its first step.
 *
 * <p>Embeddings are the mean of the encoder's tokens over the whole grid, as for the trained
 * student. No gradients are recorded, so this encoder may be open next to a SaltTrainer.
 */
public final class RandomInitEncoder implements EmbeddingFunction, AutoCloseable {

    private final NDManager manager;
    private final VisionTransformer encoder;

    /** Creates and initialises the encoder on {@code device}. */
    public RandomInitEncoder(VisionTransformerConfig config, long seed, Device device) {
        NDManager created = NDManager.newBaseManager(device);
        try {
            created.setName("random-init-encoder");
            encoder = VisionTransformer.builder().setConfig(config).optSeed(seed).build();
            encoder.initialize(created, DataType.FLOAT32, config.inputShape(1));
        } catch (RuntimeException e) {
            created.close();
            throw e;
        }
        this.manager = created;
    }

    @Override
    public float[][] encode(float[] data, int[] shape) {
        long[] dimensions = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dimensions[i] = shape[i];
        }
        try (NDManager scope = manager.newSubManager()) {
            return EncoderInference.meanPooled(
                    encoder, manager, scope.create(data, new Shape(dimensions)));
        }
    }

    /** Releases the encoder's parameters. */
    @Override
    public void close() {
        manager.close();
    }
}
