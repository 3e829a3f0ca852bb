package io.saltstream.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.util.SplittableRandom;

/**
 * Reproducible parameter initialisation that does not depend on the engine's global random state.
 *
 * <p>Every parameter gets its own generator, seeded from the block's seed and the parameter's
 * hierarchical name, so the values depend only on (seed, name, shape): not on the order in which
 * parameters are initialised, nor on other models in the same JVM. Rules, as in V-JEPA and MAE:
 * weights of Linear and convolution layers and other tensors (mask tokens) are drawn from a normal
 * distribution with standard deviation {@value #WEIGHT_STD}, truncated at ±2 standard deviations;
 * biases and LayerNorm shifts start at 0; LayerNorm scales start at 1.
 */
final class SeededInitialization {

    /** Standard deviation of the truncated-normal weights. */
    static final float WEIGHT_STD = 0.02f;

    private SeededInitialization() {}

    /**
     * Sets the initializer of every parameter of {@code block} and its children. Call it after the
     * block has created all its children and before {@link Block#initialize}.
     */
    static void apply(Block block, long seed) {
        for (Pair<String, Parameter> entry : block.getParameters()) {
            Parameter parameter = entry.getValue();
            parameter.setInitializer(initializerFor(parameter.getType(), seed, entry.getKey()));
        }
    }

    private static Initializer initializerFor(Parameter.Type type, long seed, String name) {
        switch (type) {
            case BIAS:
            case BETA:
                return Initializer.ZEROS;
            case GAMMA:
                return Initializer.ONES;
            default:
                return new TruncatedNormal(mix(seed, name.hashCode()), WEIGHT_STD);
        }
    }

    /** Mixes two values into a well-spread 64-bit seed (the finaliser of MurmurHash3). */
    static long mix(long seed, long salt) {
        long z = seed * 0x9E3779B97F4A7C15L + salt;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /** Normal(0, std²) truncated at ±2 std by redrawing, from a fixed seed. */
    static final class TruncatedNormal implements Initializer {
        private final long seed;
        private final float std;

        TruncatedNormal(long seed, float std) {
            this.seed = seed;
            this.std = std;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                double z;
                do {
                    z = random.nextGaussian();
                } while (Math.abs(z) > 2.0);
                values[i] = (float) (z * std);
            }
            NDArray array = manager.create(values, shape);
            return dataType == DataType.FLOAT32 ? array : array.toType(dataType, false);
        }
    }
}
