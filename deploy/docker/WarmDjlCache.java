import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.Utils;

/**
 * Loads DJL's PyTorch engine once and runs one tensor operation, so that DJL unpacks the native
 * libraries of the job jar into {@code DJL_CACHE_DIR} while the image is built. Task managers then
 * start with {@code DJL_OFFLINE=true} and load the natives from that folder.
 *
 * <p>Run as a single-file program with the job jar on the class path:
 *
 * <pre>
 * java -DDJL_CACHE_DIR=/opt/djl-cache -Dai.djl.offline=true \
 *     -cp pipeline/target/saltstream.jar deploy/docker/WarmDjlCache.java
 * </pre>
 *
 * It exits with status 1 and DJL's error when the engine cannot be loaded offline.
 */
public final class WarmDjlCache {

    private WarmDjlCache() {}

    public static void main(String[] args) {
        Engine engine = Engine.getEngine("PyTorch");
        float sum;
        try (NDManager manager = engine.newBaseManager()) {
            NDArray ones = manager.ones(new Shape(2, 3));
            sum = ones.sum().getFloat();
        }
        if (sum != 6f) {
            throw new IllegalStateException("PyTorch returned " + sum + " for the sum of six ones");
        }
        System.out.println(
                "PyTorch "
                        + engine.getVersion()
                        + " loaded offline from "
                        + Utils.getEngineCacheDir("pytorch"));
    }
}
