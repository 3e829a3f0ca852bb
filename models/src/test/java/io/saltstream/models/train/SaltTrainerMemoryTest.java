package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.saltstream.models.vit.PredictorConfig;
import io.saltstream.models.vit.SaltModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that training does not accumulate native arrays. DJL tracks every NDArray in the NDManager
 * it is attached to, and every manager in its parent, up to the engine's system manager: counting
 * the system manager's arrays ({@code getManagedArrays()}, which descends into sub-managers) counts
 * every array alive in the JVM, including those a step might attach to the test's own manager or to
 * a parameter's manager.
 */
class SaltTrainerMemoryTest {

    private static final Logger LOG = LoggerFactory.getLogger(SaltTrainerMemoryTest.class);

    /** Returns a very small model on the image-28 grid, so 300 steps stay short. */
    private static SaltModelConfig tinyModel() {
        SaltModelConfig small = TrainingFixtures.smallImageModel();
        PredictorConfig head =
                PredictorConfig.builder().setEmbedDim(16).setDepth(1).setNumHeads(2).build();
        return small.toBuilder()
                .setEncoder(
                        small.getEncoder().toBuilder()
                                .setEmbedDim(32)
                                .setDepth(1)
                                .setNumHeads(2)
                                .build())
                .setPredictor(head)
                .setDecoder(head)
                .build();
    }

    @Test
    void arrayCountFlatOver300Steps() throws IOException {
        SaltTrainerConfig config =
                TrainingFixtures.smallConfig(150, 300)
                        .setModelConfig(tinyModel())
                        .setBatchSize(4)
                        .optGoodStateInterval(25)
                        .build();
        float[] nan = new float[4 * 28 * 28];
        java.util.Arrays.fill(nan, Float.NaN);
        try (NDManager manager = NDManager.newBaseManager();
                SaltTrainer trainer = SaltTrainer.builder().setConfig(config).build()) {
            NDManager system = manager.getParentManager();
            NDArray batch = TrainingFixtures.imageBatch(manager, 4, 5);
            int[] trainerCounts = new int[301];
            int[] systemCounts = new int[301];
            for (int i = 1; i <= 300; i++) {
                if (i % 50 == 0) {
                    // Skipped steps and encoding take other code paths; they must not leak either.
                    trainer.step(nan, new int[] {4, 1, 28, 28});
                    trainer.encode(batch);
                } else {
                    trainer.step(batch);
                }
                trainerCounts[i] = trainer.liveArrayCount();
                systemCounts[i] = system.getManagedArrays().size();
                if (i == 10 || i == 149 || i == 160 || i == 300) {
                    LOG.info(
                            "step {}: {} arrays in the trainer, {} in the JVM, resident set {} kB",
                            i,
                            trainerCounts[i],
                            systemCounts[i],
                            residentKilobytes());
                }
            }
            assertThat(trainer.getSkippedSteps()).isEqualTo(6);
            // Stage 1 runs steps 1-150 and Stage 2 steps 151-300; the counts differ between
            // stages because Stage 2 also contains the teacher.
            for (int i = 10; i < 150; i++) {
                assertThat(trainerCounts[i])
                        .as("trainer arrays after step %d", i)
                        .isEqualTo(trainerCounts[10]);
                assertThat(systemCounts[i])
                        .as("JVM arrays after step %d", i)
                        .isEqualTo(systemCounts[10]);
            }
            for (int i = 160; i <= 300; i++) {
                assertThat(trainerCounts[i])
                        .as("trainer arrays after step %d", i)
                        .isEqualTo(trainerCounts[160]);
                assertThat(systemCounts[i])
                        .as("JVM arrays after step %d", i)
                        .isEqualTo(systemCounts[160]);
            }
        }
    }

    /** Reads VmRSS from /proc, for the log only: allocator caching makes it too noisy to assert. */
    private static String residentKilobytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return "unknown";
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return line.substring("VmRSS:".length()).replace("kB", "").trim();
            }
        }
        return "unknown";
    }
}
