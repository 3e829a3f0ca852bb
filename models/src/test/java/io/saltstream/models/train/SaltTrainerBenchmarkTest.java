package io.saltstream.models.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.saltstream.models.vit.VisionTransformerPresets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures training steps per second of the image-28 preset at batch size 64 in both stages and
 * prints one JSON line per stage. Off by default; run it with
 *
 * <pre>
 * mvn -o -pl models test -Dtest=SaltTrainerBenchmarkTest -Dsaltstream.benchmark=true \
 *     -Dai.djl.pytorch.num_threads=1
 * </pre>
 *
 * <p>{@code ai.djl.pytorch.num_threads} sets PyTorch's intra-op threads when the engine starts.
 */
@EnabledIfSystemProperty(named = "saltstream.benchmark", matches = "true")
class SaltTrainerBenchmarkTest {

    private static final int WARMUP_STEPS = 5;
    private static final int MEASURED_STEPS = 30;

    @Test
    void image28StepsPerSecond() {
        int batchSize = 64;
        SaltTrainerConfig config =
                SaltTrainerConfig.builder()
                        .setModelConfig(VisionTransformerPresets.image28())
                        .setBatchSize(batchSize)
                        .setTeacherSteps(WARMUP_STEPS + MEASURED_STEPS)
                        .setTotalSteps(2L * (WARMUP_STEPS + MEASURED_STEPS))
                        .build();
        try (NDManager manager = NDManager.newBaseManager();
                SaltTrainer trainer = SaltTrainer.builder().setConfig(config).build()) {
            NDArray batch =
                    manager.create(
                            TrainingFixtures.images(batchSize, 1), new Shape(batchSize, 1, 28, 28));
            for (SaltPhase phase : SaltPhase.values()) {
                for (int i = 0; i < WARMUP_STEPS; i++) {
                    trainer.step(batch);
                }
                long started = System.nanoTime();
                for (int i = 0; i < MEASURED_STEPS; i++) {
                    trainer.step(batch);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf(
                        "{\"benchmark\":\"salt-train-step\",\"preset\":\"image-28\",\"phase\":\"%s\","
                                + "\"batchSize\":%d,\"threads\":%d,\"engine\":\"%s\","
                                + "\"stepsPerSecond\":%.3f,\"samplesPerSecond\":%.1f}%n",
                        phase,
                        batchSize,
                        JniUtils.getNumThreads(),
                        Engine.getInstance().getVersion(),
                        MEASURED_STEPS / seconds,
                        MEASURED_STEPS * batchSize / seconds);
            }
        }
    }
}
