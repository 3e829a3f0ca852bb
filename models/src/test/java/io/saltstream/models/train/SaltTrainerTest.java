package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.saltstream.models.checkpoint.Checkpoint;
import io.saltstream.models.checkpoint.CheckpointEntry;
import io.saltstream.models.vit.SaltModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SaltTrainerTest {

    private NDManager manager;
    private NDArray batch;

    @BeforeEach
    void createBatch() {
        manager = NDManager.newBaseManager();
        batch = TrainingFixtures.imageBatch(manager, 16, 3);
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private static SaltTrainer trainer(SaltTrainerConfig config) {
        return SaltTrainer.builder().setConfig(config).build();
    }

    private static double[] losses(SaltTrainer trainer, NDArray batch, int steps) {
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            StepResult result = trainer.step(batch);
            assertThat(result.skipped()).as("step %d skipped", result.step()).isFalse();
            losses[i] = result.loss();
        }
        return losses;
    }

    private static List<CheckpointEntry> group(Checkpoint checkpoint, String name) {
        return checkpoint.getEntries(name);
    }

    @Test
    void teacherLossFallsOnFixedBatch() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(30, 60).build())) {
            double[] losses = losses(trainer, batch, 30);
            double first = TrainingFixtures.mean(losses, 0, 5);
            double last = TrainingFixtures.mean(losses, 25, 30);
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.STUDENT);
            assertThat(last).as("mean of the last 5 Stage-1 losses").isLessThan(0.8 * first);
        }
    }

    @Test
    void studentLossFallsOnFixedBatch() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(5, 40).build())) {
            losses(trainer, batch, 5);
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.STUDENT);
            double[] losses = losses(trainer, batch, 30);
            double first = TrainingFixtures.mean(losses, 0, 5);
            double last = TrainingFixtures.mean(losses, 25, 30);
            assertThat(last).as("mean of the last 5 Stage-2 losses").isLessThan(0.8 * first);
        }
    }

    @Test
    void stepResultReportsSchedule() {
        SaltTrainerConfig config =
                TrainingFixtures.smallConfig(4, 8)
                        .optStartLearningRate(0.0)
                        .optPeakLearningRate(1e-3)
                        .optFinalLearningRate(1e-4)
                        .optWarmupSteps(2)
                        .optWeightDecay(0.04, 0.4)
                        .build();
        try (SaltTrainer trainer = trainer(config)) {
            StepResult first = trainer.step(batch);
            StepResult second = trainer.step(batch);
            StepResult third = trainer.step(batch);
            assertThat(first.step()).isEqualTo(1);
            assertThat(first.phase()).isEqualTo(SaltPhase.TEACHER);
            assertThat(first.learningRate()).isEqualTo(0.0);
            assertThat(second.learningRate()).isCloseTo(5e-4, within(1e-12));
            assertThat(third.learningRate()).isEqualTo(1e-3);
            assertThat(first.weightDecay()).isEqualTo(0.04);
            assertThat(first.samples()).isEqualTo(16);
            assertThat(first.gradientNorm()).isPositive().isFinite();
            assertThat(first.seconds()).isPositive();
            assertThat(trainer.getSamplesSeen()).isEqualTo(48);
        }
    }

    @Test
    void switchStartsStudentWithFreshOptimizer() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(3, 10).build())) {
            losses(trainer, batch, 2);
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.TEACHER);
            assertThat(trainer.getOptimizerStep()).isEqualTo(2);
            StepResult last = trainer.step(batch);
            assertThat(last.phase()).isEqualTo(SaltPhase.TEACHER);
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.STUDENT);
            assertThat(trainer.getPhaseStep()).isZero();
            assertThat(trainer.getOptimizerStep()).isZero();
            assertThat(trainer.getStep()).isEqualTo(3);
            assertThat(trainer.trainableParameters().keySet())
                    .allMatch(name -> name.startsWith("student.") || name.startsWith("predictor."));
        }
    }

    @Test
    void teacherIsCopyOfStageOneEncoder() {
        // Constant schedules make a trainer with teacherSteps 3 match one with teacherSteps 2
        // for its first two steps.
        List<CheckpointEntry> stageOneEncoder;
        try (SaltTrainer reference = trainer(TrainingFixtures.smallConfig(3, 10).build())) {
            losses(reference, batch, 2);
            stageOneEncoder = group(reference.toCheckpoint(), "teacher");
        }
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            losses(trainer, batch, 2);
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.STUDENT);
            assertThat(group(trainer.toCheckpoint(), "teacher"))
                    .containsExactlyElementsOf(stageOneEncoder);
        }
    }

    @Test
    void frozenTeacherUnchangedByStudentSteps() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 20).build())) {
            losses(trainer, batch, 2);
            Checkpoint before = trainer.toCheckpoint();
            losses(trainer, batch, 5);
            Checkpoint after = trainer.toCheckpoint();
            assertThat(group(after, "teacher"))
                    .isNotEmpty()
                    .containsExactlyElementsOf(group(before, "teacher"));
            assertThat(group(after, "student")).isNotEqualTo(group(before, "student"));
        }
    }

    @Test
    void gradientsNeverReachTeacher() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(1, 10).build())) {
            losses(trainer, batch, 3);
            Map<String, NDArray> teacher = trainer.teacherParameters();
            assertThat(teacher).isNotEmpty();
            for (Map.Entry<String, NDArray> entry : teacher.entrySet()) {
                assertThat(entry.getValue().hasGradient())
                        .as("teacher parameter %s requires a gradient", entry.getKey())
                        .isFalse();
            }
            for (NDArray trainable : trainer.trainableParameters().values()) {
                assertThat(teacher.values()).doesNotContain(trainable);
            }
        }
    }

    @Test
    void decayRuleAppliedToRealNames() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(1, 10).build())) {
            trainer.step(batch);
            Map<String, NDArray> parameters = trainer.trainableParameters();
            List<String> maskTokens =
                    parameters.keySet().stream()
                            .filter(name -> name.toLowerCase(Locale.ROOT).contains("masktoken"))
                            .toList();
            assertThat(maskTokens).hasSize(1);
            assertThat(
                            AdamW.decaysByDefault(
                                    maskTokens.get(0),
                                    parameters.get(maskTokens.get(0)).getShape()))
                    .isFalse();
            long decayed =
                    parameters.entrySet().stream()
                            .filter(
                                    entry ->
                                            AdamW.decaysByDefault(
                                                    entry.getKey(), entry.getValue().getShape()))
                            .count();
            long matrices =
                    parameters.values().stream()
                            .filter(array -> array.getShape().dimension() >= 2)
                            .count();
            // Every matrix and convolution kernel except the mask token decays.
            assertThat(decayed).isEqualTo(matrices - 1);
        }
    }

    @Test
    void nanInputSkippedAndCounted() {
        SaltTrainerConfig config = TrainingFixtures.smallConfig(20, 40).build();
        // One NaN pixel is not enough: its token may be neither context nor target.
        float[] nan = new float[16 * 28 * 28];
        Arrays.fill(nan, Float.NaN);
        try (SaltTrainer trainer = trainer(config)) {
            trainer.step(batch);
            List<CheckpointEntry> before = group(trainer.toCheckpoint(), "teacher");
            StepResult skipped = trainer.step(nan, new int[] {16, 1, 28, 28});
            assertThat(skipped.skipped()).isTrue();
            assertThat(skipped.loss()).isNaN();
            assertThat(trainer.getSkippedSteps()).isEqualTo(1);
            assertThat(trainer.getConsecutiveSkips()).isEqualTo(1);
            assertThat(trainer.getStep()).isEqualTo(2);
            assertThat(trainer.getOptimizerStep()).isEqualTo(1);
            assertThat(group(trainer.toCheckpoint(), "teacher")).containsExactlyElementsOf(before);
            StepResult next = trainer.step(batch);
            assertThat(next.skipped()).isFalse();
            assertThat(next.loss()).isFinite();
            assertThat(trainer.getConsecutiveSkips()).isZero();
            assertThat(trainer.getSkippedSteps()).isEqualTo(1);
        }
    }

    @Test
    void repeatedNanRestoresGoodStateAndLowersRate() {
        SaltTrainerConfig config =
                TrainingFixtures.smallConfig(20, 40)
                        .optMaxConsecutiveSkips(3)
                        .optGoodStateInterval(3)
                        .optLearningRateBackoff(0.5)
                        .build();
        float[] nan = TrainingFixtures.images(16, 3);
        Arrays.fill(nan, Float.NaN);
        int[] shape = {16, 1, 28, 28};
        try (SaltTrainer trainer = trainer(config)) {
            losses(trainer, batch, 3);
            Checkpoint good = trainer.toCheckpoint();
            trainer.step(batch);
            assertThat(group(trainer.toCheckpoint(), "teacher"))
                    .isNotEqualTo(group(good, "teacher"));

            trainer.step(nan, shape);
            trainer.step(nan, shape);
            assertThat(trainer.getRestoreCount()).isZero();
            StepResult third = trainer.step(nan, shape);

            assertThat(third.skipped()).isTrue();
            assertThat(trainer.getSkippedSteps()).isEqualTo(3);
            assertThat(trainer.getRestoreCount()).isEqualTo(1);
            assertThat(trainer.getConsecutiveSkips()).isZero();
            assertThat(trainer.getLearningRateScale()).isEqualTo(0.5);
            assertThat(trainer.getOptimizerStep()).isEqualTo(3);
            Checkpoint restored = trainer.toCheckpoint();
            assertThat(group(restored, "teacher"))
                    .containsExactlyElementsOf(group(good, "teacher"));
            assertThat(group(restored, "decoder"))
                    .containsExactlyElementsOf(group(good, "decoder"));
            assertThat(group(restored, "optimizer"))
                    .containsExactlyElementsOf(group(good, "optimizer"));
            StepResult after = trainer.step(batch);
            assertThat(after.skipped()).isFalse();
            assertThat(after.learningRate()).isEqualTo(0.5 * 2e-3);
        }
    }

    @Test
    void checkpointRoundTripIsBitwise() {
        byte[] saved;
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            losses(trainer, batch, 4);
            saved = trainer.saveCheckpoint();
        }
        Checkpoint checkpoint = Checkpoint.fromBytes(saved);
        assertThat(checkpoint.getEntries(SaltTrainer.OPTIMIZER_GROUP)).isNotEmpty();
        assertThat(checkpoint.getEntries("teacher")).isNotEmpty();
        assertThat(checkpoint.getEntries("student")).isNotEmpty();
        assertThat(checkpoint.getEntries("predictor")).isNotEmpty();
        try (SaltTrainer restored = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            restored.restore(saved);
            assertThat(restored.getPhase()).isEqualTo(SaltPhase.STUDENT);
            assertThat(restored.getStep()).isEqualTo(4);
            assertThat(restored.getPhaseStep()).isEqualTo(2);
            assertThat(restored.getOptimizerStep()).isEqualTo(2);
            assertThat(restored.getSamplesSeen()).isEqualTo(64);
            assertThat(restored.saveCheckpoint()).isEqualTo(saved);
        }
    }

    @Test
    void restoredTrainerRepeatsNextStep() {
        SaltTrainerConfig config = TrainingFixtures.smallConfig(3, 10).build();
        byte[] saved;
        StepResult expected;
        byte[] expectedAfter;
        try (SaltTrainer original = trainer(config)) {
            losses(original, batch, 4);
            saved = original.saveCheckpoint();
            expected = original.step(batch);
            expectedAfter = original.saveCheckpoint();
        }
        try (SaltTrainer restored = trainer(config)) {
            restored.restore(saved);
            StepResult actual = restored.step(batch);
            assertThat(actual.loss()).isEqualTo(expected.loss());
            assertThat(actual.gradientNorm()).isEqualTo(expected.gradientNorm());
            assertThat(actual.step()).isEqualTo(expected.step());
            assertThat(restored.saveCheckpoint()).isEqualTo(expectedAfter);
        }
    }

    @Test
    void restoreIntoStageOneTrainerSwitchesPhase() {
        byte[] saved;
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(1, 10).build())) {
            losses(trainer, batch, 2);
            saved = trainer.saveCheckpoint();
        }
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(1, 10).build())) {
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.TEACHER);
            trainer.restore(saved);
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.STUDENT);
            assertThat(trainer.teacherParameters()).isNotEmpty();
        }
    }

    @Test
    void restoreRejectsOtherModel() {
        SaltModelConfig small = TrainingFixtures.smallImageModel();
        SaltModelConfig narrow =
                small.toBuilder()
                        .setEncoder(small.getEncoder().toBuilder().setEmbedDim(32).build())
                        .build();
        byte[] saved;
        try (SaltTrainer trainer =
                trainer(TrainingFixtures.smallConfig(2, 10).setModelConfig(narrow).build())) {
            saved = trainer.saveCheckpoint();
        }
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            trainer.step(batch);
            assertThatThrownBy(() -> trainer.restore(saved))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "the checkpoint was written for another model: encoder.embedDim is 32"
                                    + " in the checkpoint but 64 in the trainer; restore it with a"
                                    + " trainer built for the checkpoint's model config");
            assertThat(trainer.getStep()).isEqualTo(1);
            assertThat(trainer.step(batch).skipped()).isFalse();
        }
    }

    @Test
    void restoreNamesFirstShapeMismatch() {
        Checkpoint saved;
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            saved = trainer.toCheckpoint();
        }
        List<CheckpointEntry> entries = new ArrayList<>();
        String changed = null;
        for (CheckpointEntry entry : saved.getEntries()) {
            if (changed == null && entry.getShape().dimension() == 2) {
                changed = entry.key();
                long[] shape = entry.getShape().getShape();
                long[] swapped = {shape[1], shape[0]};
                entries.add(
                        new CheckpointEntry(
                                entry.getGroup(),
                                entry.getName(),
                                entry.getDataType(),
                                swapped,
                                entry.getData()));
            } else {
                entries.add(entry);
            }
        }
        Checkpoint corrupted = new Checkpoint(saved.getConfigJson(), entries);
        CheckpointEntry original =
                saved.getEntries().stream()
                        .filter(entry -> entry.getShape().dimension() == 2)
                        .findFirst()
                        .orElseThrow();
        Shape expected = original.getShape();
        String expectedMessage =
                "parameter "
                        + changed
                        + " has shape "
                        + new Shape(expected.get(1), expected.get(0))
                        + " in the checkpoint but "
                        + expected
                        + " in the model";
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            assertThatThrownBy(() -> trainer.restore(corrupted))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(expectedMessage);
        }
    }

    @Test
    void restoreNamesMissingOptimizerSlot() {
        Checkpoint saved;
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            saved = trainer.toCheckpoint();
        }
        List<CheckpointEntry> entries = new ArrayList<>(saved.getEntries());
        CheckpointEntry dropped =
                entries.stream()
                        .filter(entry -> entry.getGroup().equals(SaltTrainer.OPTIMIZER_GROUP))
                        .findFirst()
                        .orElseThrow();
        entries.remove(dropped);
        Checkpoint incomplete = new Checkpoint(saved.getConfigJson(), entries);
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            assertThatThrownBy(() -> trainer.restore(incomplete))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "optimizer slot "
                                    + dropped.key()
                                    + " of the optimizer is missing from the checkpoint");
        }
    }

    @Test
    void restoreRejectsEncoderSnapshot() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            byte[] snapshot = trainer.saveEncoderSnapshot();
            assertThatThrownBy(() -> trainer.restore(snapshot))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(
                            "expected a training checkpoint (kind 'salt-trainer'), got kind"
                                    + " 'salt-encoder'");
        }
    }

    @Test
    void givenTeacherStartsInStageTwo() {
        byte[] teacher;
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(5, 10).build())) {
            losses(trainer, batch, 2);
            teacher = trainer.saveEncoderSnapshot();
        }
        Checkpoint snapshot = Checkpoint.fromBytes(teacher);
        SaltTrainerConfig config = TrainingFixtures.smallConfig(0, 10).build();
        try (SaltTrainer trainer =
                SaltTrainer.builder().setConfig(config).optTeacher(teacher).build()) {
            assertThat(trainer.getPhase()).isEqualTo(SaltPhase.STUDENT);
            List<CheckpointEntry> loaded = group(trainer.toCheckpoint(), "teacher");
            assertThat(loaded).hasSameSizeAs(snapshot.getEntries("encoder"));
            for (int i = 0; i < loaded.size(); i++) {
                assertThat(loaded.get(i).getData())
                        .isEqualTo(snapshot.getEntries("encoder").get(i).getData());
            }
            assertThat(trainer.step(batch).phase()).isEqualTo(SaltPhase.STUDENT);
        }
    }

    @Test
    void teacherWithStageOneStepsRejected() {
        SaltTrainerConfig config = TrainingFixtures.smallConfig(5, 10).build();
        assertThatThrownBy(
                        () ->
                                SaltTrainer.builder()
                                        .setConfig(config)
                                        .optTeacher(new Checkpoint("{}", List.of()))
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("a teacher was given but teacherSteps = 5");
    }

    @Test
    void noTeacherAndNoStageOneRejected() {
        SaltTrainerConfig config = TrainingFixtures.smallConfig(0, 10).build();
        assertThatThrownBy(() -> trainer(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("teacherSteps = 0 skips Stage 1, so a teacher is required");
    }

    @Test
    void secondTrainerInJvmRejected() {
        SaltTrainerConfig config = TrainingFixtures.smallConfig(2, 10).build();
        try (SaltTrainer first = trainer(config)) {
            assertThatThrownBy(() -> trainer(config))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("another SaltTrainer is open in this JVM")
                    .hasMessageContaining("PyTorch allows one GradientCollector per process");
            assertThat(first.step(batch).skipped()).isFalse();
        }
        try (SaltTrainer second = trainer(config)) {
            assertThat(second.getStep()).isZero();
        }
    }

    @Test
    void closedTrainerRejectsSteps() {
        SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build());
        trainer.close();
        trainer.close();
        assertThatThrownBy(() -> trainer.step(batch))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this SaltTrainer is closed");
    }

    @Test
    void wrongShapeRejected() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            NDArray wrong = manager.zeros(new Shape(4, 3, 28, 28));
            assertThatThrownBy(() -> trainer.step(wrong))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "batch has shape (4, 3, 28, 28) but the image-28 model expects (1,"
                                    + " 28, 28) after a batch axis of at least 1 ([B, C, H, W])");
            assertThat(trainer.getStep()).isZero();
        }
    }

    @Test
    void wrongDataTypeRejected() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            NDArray doubles = batch.toType(DataType.FLOAT64, false);
            assertThatThrownBy(() -> trainer.step(doubles))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "batch has data type float64, expected float32; convert it with"
                                    + " toType(DataType.FLOAT32, false)");
        }
    }

    @Test
    void flatDataLengthChecked() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            assertThatThrownBy(() -> trainer.step(new float[10], new int[] {1, 1, 28, 28}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("shape [1, 1, 28, 28] needs 784 values but data has 10");
        }
    }

    @Test
    void encodeMeanPoolsEncoderTokens() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            float[][] vectors = trainer.encode(batch);
            float[][][] tokens = trainer.encodeTokens(batch);
            assertThat(vectors).hasDimensions(16, 64);
            assertThat(tokens.length).isEqualTo(16);
            assertThat(tokens[0]).hasDimensions(49, 64);
            for (int d = 0; d < 64; d++) {
                double sum = 0;
                for (float[] token : tokens[3]) {
                    sum += token[d];
                }
                assertThat((double) vectors[3][d]).isCloseTo(sum / 49, within(1e-5));
            }
            float[][] stageOne = trainer.encode(batch);
            losses(trainer, batch, 2);
            assertThat(trainer.encode(batch)[0]).isNotEqualTo(stageOne[0]);
            assertThat(batch.isReleased()).isFalse();
            assertThat(batch.getManager()).isSameAs(manager);
        }
    }

    @Test
    void inputArrayStaysWithCaller() {
        try (SaltTrainer trainer = trainer(TrainingFixtures.smallConfig(2, 10).build())) {
            float[] before = batch.toFloatArray();
            trainer.step(batch);
            assertThat(batch.getManager()).isSameAs(manager);
            assertThat(batch.toFloatArray()).containsExactly(before);
        }
    }
}
