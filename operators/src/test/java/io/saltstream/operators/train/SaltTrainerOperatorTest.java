package io.saltstream.operators.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.saltstream.models.checkpoint.EncoderSnapshot;
import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.models.vit.PredictorConfig;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformerPresets;
import io.saltstream.operators.TestFrames;
import io.saltstream.operators.device.DeviceMode;
import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.TrainingMetrics;
import io.saltstream.schemas.TrainingPhase;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaltTrainerOperatorTest {

    private static final int BATCH = 4;
    private static final int SIDE = 28;
    private static final int WIDTH = 32;
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The image-28 geometry (28×28×1, patch 4) with a 1-block encoder of width 32. */
    private static SaltModelConfig tinyModel(int width) {
        SaltModelConfig preset = VisionTransformerPresets.image28();
        PredictorConfig head =
                PredictorConfig.builder().setEmbedDim(16).setDepth(1).setNumHeads(2).build();
        return preset.toBuilder()
                .setEncoder(
                        preset.getEncoder().toBuilder()
                                .setEmbedDim(width)
                                .setDepth(1)
                                .setNumHeads(2)
                                .build())
                .setPredictor(head)
                .setDecoder(head)
                .build();
    }

    private static SaltTrainerConfig trainerConfig(int width, int teacherSteps) {
        return SaltTrainerConfig.builder()
                .setModelConfig(tinyModel(width))
                .setBatchSize(BATCH)
                .setTeacherSteps(teacherSteps)
                .setTotalSteps(100)
                .optPeakLearningRate(1e-3)
                .optFinalLearningRate(1e-3)
                .optWeightDecay(0.05, 0.05)
                .optMaskSeed(7)
                .build();
    }

    /** Settings with quality metrics off, metrics every step and rare snapshots. */
    private static SaltTrainerSettings.Builder settings(int teacherSteps) {
        return SaltTrainerSettings.builder()
                .setTrainerConfig(trainerConfig(WIDTH, teacherSteps))
                .optJobName("test")
                .optDevice(DeviceMode.CPU)
                .optMetricsInterval(1)
                .optSnapshotInterval(100)
                .optQualityInterval(0)
                .optReservoirSize(0);
    }

    /**
     * Creates a 28×28 grey clip: a bright blob whose position depends on the label (sequence mod
     * 3), on a random gradient with noise, so that labelled clips are separable.
     */
    private static ClipTensor clip(long sequence) {
        SplittableRandom random = new SplittableRandom(sequence);
        int label = (int) (sequence % 3);
        double centreX = 7 + 7 * label + 2 * (random.nextDouble() - 0.5);
        double centreY = 14 + 4 * (random.nextDouble() - 0.5);
        double slope = 2 * random.nextDouble() - 1;
        float[] data = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double distance = (x - centreX) * (x - centreX) + (y - centreY) * (y - centreY);
                double value =
                        1.5 * Math.exp(-distance / 18.0)
                                + slope * y / (SIDE - 1.0)
                                + 0.05 * random.nextGaussian();
                data[y * SIDE + x] = (float) value;
            }
        }
        return new ClipTensor(
                "cam",
                sequence,
                sequence,
                1000 + sequence,
                label,
                new int[] {1, 1, SIDE, SIDE},
                data);
    }

    private static OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness(
            SaltTrainerOperator operator) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(operator);
    }

    private static void feed(
            OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness,
            long first,
            int count)
            throws Exception {
        for (long sequence = first; sequence < first + count; sequence++) {
            harness.processElement(clip(sequence), 1000 + sequence);
        }
    }

    private static List<ModelSnapshot> snapshots(
            OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness) {
        return TestFrames.sideOutput(harness, SaltTrainerOperator.SNAPSHOTS);
    }

    private static List<Long> steps(List<TrainingMetrics> metrics) {
        return metrics.stream().map(TrainingMetrics::getStep).collect(Collectors.toList());
    }

    private static void awaitCondition(String description, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + description);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void metricsSnapshotsAndQualityAtIntervals() throws Exception {
        SaltTrainerOperator operator =
                new SaltTrainerOperator(
                        settings(3)
                                .optMetricsInterval(2)
                                .optSnapshotInterval(3)
                                .optQualityInterval(4)
                                .optReservoirSize(40)
                                .optHoldoutEvery(2)
                                .optLidarClasses(8)
                                .optLidarViews(2)
                                .optKnnK(5)
                                .build());
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(operator)) {
            harness.open();
            // Every second clip is held out: 48 clips train 6 steps of 4 and hold out 24.
            feed(harness, 0, 48);

            List<TrainingMetrics> metrics = harness.extractOutputValues();
            List<ModelSnapshot> snapshots = snapshots(harness);

            // Metrics every 2 steps, plus step 3 where Stage 1 ends and quality is evaluated.
            assertThat(steps(metrics)).containsExactly(2L, 3L, 4L, 6L);
            assertThat(metrics)
                    .extracting(TrainingMetrics::getPhase)
                    .containsExactly(
                            TrainingPhase.TEACHER,
                            TrainingPhase.TEACHER,
                            TrainingPhase.STUDENT,
                            TrainingPhase.STUDENT);
            for (TrainingMetrics record : metrics) {
                assertThat(record.getJob()).isEqualTo("test");
                assertThat(record.getLoss()).isFinite().isPositive();
                assertThat(record.getLearningRate()).isFinite().isPositive();
                assertThat(record.getGradientNorm()).isFinite().isPositive();
                assertThat(record.getSamplesPerSecond()).isFinite().isPositive();
                assertThat(record.getSamplesSeen()).isEqualTo(record.getStep() * BATCH);
            }
            assertThat(metrics.get(0).getModelVersion()).isEmpty();
            assertThat(metrics.get(1).getModelVersion()).isEqualTo("test/teacher/3");
            assertThat(metrics.get(3).getModelVersion()).isEqualTo("test/student/6");

            // Quality at step 3 (end of Stage 1, on the teacher) and step 4 (the interval).
            for (TrainingMetrics record : List.of(metrics.get(1), metrics.get(2))) {
                assertThat(record.getRankMe()).isBetween(1.0, (double) WIDTH);
                assertThat(record.getLidar()).isBetween(1.0, (double) WIDTH);
                assertThat(record.getKnnAccuracy()).isBetween(0.0, 1.0);
                assertThat(record.getLinearProbeAccuracy()).isBetween(0.0, 1.0);
            }
            for (TrainingMetrics record : List.of(metrics.get(0), metrics.get(3))) {
                assertThat(record.getRankMe()).isNull();
                assertThat(record.getLidar()).isNull();
                assertThat(record.getKnnAccuracy()).isNull();
            }

            assertThat(snapshots)
                    .extracting(ModelSnapshot::getVersion)
                    .containsExactly("test/teacher/3", "test/student/6");
            assertThat(snapshots)
                    .extracting(ModelSnapshot::getPhase)
                    .containsExactly(TrainingPhase.TEACHER, TrainingPhase.STUDENT);
            assertThat(snapshots.get(0).getArchitecture().getPreset()).isEqualTo("image-28");
            try (EncoderSnapshot teacher =
                    EncoderSnapshot.load(
                            ModelSnapshots.readParameters(snapshots.get(0)), Device.cpu())) {
                assertThat(teacher.getStep()).isEqualTo(3);
                assertThat(teacher.getModelConfig()).isEqualTo(tinyModel(WIDTH));
            }

            TrainerGauges gauges = operator.gauges();
            assertThat(gauges.getStep()).isEqualTo(6);
            assertThat(gauges.getPhase()).isEqualTo(1);
            assertThat(gauges.getModelVersion()).isEqualTo(6);
            assertThat(gauges.getRankMe()).isEqualTo(metrics.get(2).getRankMe());
            assertThat(gauges.clipsTrained.getCount()).isEqualTo(24);
            assertThat(gauges.clipsHeldOut.getCount()).isEqualTo(24);
            assertThat(gauges.skippedSteps.getCount()).isZero();
        }
    }

    @Test
    void restoreContinuesFromSavedStepAndPartialBatch() throws Exception {
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(settings(2).build()))) {
            harness.open();
            feed(harness, 0, 3 * BATCH + 2);
            assertThat(steps(harness.extractOutputValues())).containsExactly(1L, 2L, 3L);
            state = harness.snapshot(1, 100);
        }

        double restoredLoss;
        SaltTrainerOperator restored = new SaltTrainerOperator(settings(2).build());
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(restored)) {
            harness.initializeState(state);
            harness.open();
            assertThat(restored.trainerStep()).isEqualTo(3);
            assertThat(restored.gauges().getPhase()).isEqualTo(1);

            // The 2 saved clips and 2 new ones make the 4th batch.
            feed(harness, 3 * BATCH + 2, 2);

            List<TrainingMetrics> metrics = harness.extractOutputValues();
            assertThat(steps(metrics)).containsExactly(4L);
            assertThat(metrics.get(0).getSamplesSeen()).isEqualTo(4 * BATCH);
            assertThat(restored.trainerStep()).isEqualTo(4);
            restoredLoss = metrics.get(0).getLoss();
        }

        // The same clips without the interruption give the same step 4.
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(settings(2).build()))) {
            harness.open();
            feed(harness, 0, 4 * BATCH);
            List<TrainingMetrics> metrics = harness.extractOutputValues();
            assertThat(steps(metrics)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(restoredLoss).isCloseTo(metrics.get(3).getLoss(), within(1e-5));
        }
    }

    @Test
    void restoreKeepsReservoirAndSnapshotVersion() throws Exception {
        SaltTrainerSettings withQuality =
                settings(2)
                        .optSnapshotInterval(1)
                        .optQualityInterval(1)
                        .optReservoirSize(6)
                        .optHoldoutEvery(3)
                        .optLidarClasses(4)
                        .optLidarViews(2)
                        .build();
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(withQuality))) {
            harness.open();
            // 12 clips: 4 held out, 8 trained in 2 steps.
            feed(harness, 0, 12);
            state = harness.snapshot(1, 100);
        }

        SaltTrainerOperator restored = new SaltTrainerOperator(withQuality);
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(restored)) {
            harness.initializeState(state);
            harness.open();
            assertThat(restored.gauges().getModelVersion()).isEqualTo(2);
            // Clips 12..17: 14 and 17 are held out (every 3rd received), 4 are trained.
            feed(harness, 12, 6);

            List<TrainingMetrics> metrics = harness.extractOutputValues();
            assertThat(steps(metrics)).containsExactly(3L);
            assertThat(metrics.get(0).getModelVersion()).isEqualTo("test/student/3");
            assertThat(metrics.get(0).getRankMe()).isBetween(1.0, 6.0);
            assertThat(restored.gauges().clipsHeldOut.getCount()).isEqualTo(2);
        }
    }

    @Test
    void latestPolicyDropsOldestWhenBufferFull() throws Exception {
        SaltTrainerOperator operator =
                new SaltTrainerOperator(
                        settings(2).optPolicy(TrainingPolicy.LATEST).optBufferSize(BATCH).build());
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(operator)) {
            harness.open();
            // While the test holds the trainer lock, the training thread cannot take a batch, so
            // the buffer keeps the newest 4 of 20 clips and drops 16.
            synchronized (operator.trainerLock()) {
                feed(harness, 0, 20);
            }
            assertThat(operator.gauges().droppedClips.getCount()).isEqualTo(16);

            harness.endInput();

            assertThat(operator.trainerStep()).isEqualTo(1);
            assertThat(operator.gauges().clipsTrained.getCount()).isEqualTo(BATCH);
            assertThat(steps(harness.extractOutputValues())).containsExactly(1L);
            assertThat(snapshots(harness))
                    .extracting(ModelSnapshot::getVersion)
                    .containsExactly("test/teacher/1");
        }
    }

    @Test
    void latestPolicyTrainsOffTaskThreadAndRestores() throws Exception {
        SaltTrainerSettings latest =
                settings(2).optPolicy(TrainingPolicy.LATEST).optBufferSize(3 * BATCH).build();
        SaltTrainerOperator operator = new SaltTrainerOperator(latest);
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(operator)) {
            harness.open();
            feed(harness, 0, 2 * BATCH);
            awaitCondition("two steps of the training thread", () -> operator.trainerStep() == 2);

            // Results reach the output on the task thread when processing time advances.
            harness.setProcessingTime(SaltTrainerOperator.OUTPUT_PERIOD_MILLIS);
            assertThat(steps(harness.extractOutputValues())).containsExactly(1L, 2L);

            // Clips buffered while a checkpoint is taken are saved with it.
            synchronized (operator.trainerLock()) {
                feed(harness, 2 * BATCH, BATCH + 1);
                state = harness.snapshot(1, 100);
            }
        }

        SaltTrainerOperator restored = new SaltTrainerOperator(latest);
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(restored)) {
            harness.initializeState(state);
            harness.open();
            harness.endInput();

            // The 5 saved clips hold one batch; the fifth is short of a second batch.
            assertThat(restored.trainerStep()).isEqualTo(3);
            assertThat(restored.gauges().clipsIgnored.getCount()).isEqualTo(1);
            assertThat(steps(harness.extractOutputValues())).containsExactly(3L);
        }
    }

    @Test
    void maxStepsStopsTraining() throws Exception {
        SaltTrainerOperator operator =
                new SaltTrainerOperator(settings(5).optMetricsInterval(10).optMaxSteps(2).build());
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(operator)) {
            harness.open();
            feed(harness, 0, 5 * BATCH + 1);
            harness.endInput();

            assertThat(operator.trainerStep()).isEqualTo(2);
            assertThat(operator.gauges().clipsTrained.getCount()).isEqualTo(2 * BATCH);
            assertThat(operator.gauges().clipsIgnored.getCount()).isEqualTo(3 * BATCH + 1);
            assertThat(steps(harness.extractOutputValues())).containsExactly(2L);
            assertThat(snapshots(harness))
                    .extracting(ModelSnapshot::getVersion)
                    .containsExactly("test/teacher/2");
        }
    }

    @Test
    void secondTrainerInJvmFails() throws Exception {
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> first =
                        harness(new SaltTrainerOperator(settings(2).build()));
                OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> second =
                        harness(new SaltTrainerOperator(settings(2).build()))) {
            first.open();

            assertThatThrownBy(second::open)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot start the SALT trainer")
                    .hasMessageContaining("another SaltTrainer is open in this JVM")
                    .hasMessageContaining("one slot per task manager");
        }
    }

    @Test
    void parallelismAboveOneFails() throws Exception {
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new SaltTrainerOperator(settings(2).build()), 4, 2, 0)) {
            assertThatThrownBy(harness::open)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("runs with parallelism 2 but trains one model")
                    .hasMessageContaining("set the trainer's parallelism to 1");
        }
    }

    @Test
    void clipOfOtherShapeFails() throws Exception {
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(settings(2).build()))) {
            harness.open();
            ClipTensor rgb =
                    new ClipTensor(
                            "cam", 0, 0, 0, null, new int[] {3, 1, SIDE, SIDE}, new float[3 * 784]);

            assertThatThrownBy(() -> harness.processElement(rgb, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("clip cam:0-0 has shape [3, 1, 28, 28]")
                    .hasMessageContaining("trains on {C, T, H, W} = [1, 1, 28, 28]");
        }
    }

    @Test
    void restoreIntoOtherModelFails() throws Exception {
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(settings(2).build()))) {
            harness.open();
            feed(harness, 0, BATCH);
            state = harness.snapshot(1, 100);
        }
        SaltTrainerSettings wider = settings(2).setTrainerConfig(trainerConfig(48, 2)).build();
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(wider))) {
            harness.initializeState(state);

            assertThatThrownBy(harness::open)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot restore the trainer from the Flink checkpoint")
                    .hasMessageContaining("written for another model")
                    .hasMessageContaining("embedDim");
        }
    }

    @Test
    void nonFiniteClipsSkipStep() throws Exception {
        SaltTrainerOperator operator = new SaltTrainerOperator(settings(5).build());
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(operator)) {
            harness.open();
            for (long sequence = 0; sequence < BATCH; sequence++) {
                ClipTensor broken = clip(sequence);
                Arrays.fill(broken.data, Float.NaN);
                harness.processElement(broken, sequence);
            }
            feed(harness, BATCH, BATCH);

            List<TrainingMetrics> metrics = harness.extractOutputValues();
            assertThat(steps(metrics)).containsExactly(1L, 2L);
            assertThat(metrics.get(0).getLoss()).isNaN();
            assertThat(metrics.get(1).getLoss()).isFinite();
            assertThat(operator.gauges().skippedSteps.getCount()).isEqualTo(1);
        }
    }

    @Test
    void teacherCheckpointStartsInStageTwo(@TempDir Path directory) throws Exception {
        Path teacherFile = directory.resolve("teacher.ckpt");
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(settings(1).build()))) {
            harness.open();
            feed(harness, 0, BATCH);
            ModelSnapshot teacher = snapshots(harness).get(0);
            assertThat(teacher.getPhase()).isEqualTo(TrainingPhase.TEACHER);
            Files.write(teacherFile, ModelSnapshots.readParameters(teacher));
        }

        SaltTrainerOperator student =
                new SaltTrainerOperator(
                        settings(0).optTeacherCheckpoint(teacherFile.toUri().toString()).build());
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(student)) {
            harness.open();
            assertThat(student.gauges().getPhase()).isEqualTo(1);
            feed(harness, BATCH, BATCH);

            List<TrainingMetrics> metrics = harness.extractOutputValues();
            assertThat(steps(metrics)).containsExactly(1L);
            assertThat(metrics.get(0).getPhase()).isEqualTo(TrainingPhase.STUDENT);
        }

        Path notTeacher = directory.resolve("not-a-teacher.ckpt");
        Files.write(notTeacher, new byte[] {1, 2, 3});
        SaltTrainerSettings invalid =
                settings(0).optTeacherCheckpoint(notTeacher.toUri().toString()).build();
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(invalid))) {
            assertThatThrownBy(harness::open)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not-a-teacher.ckpt is not a teacher for this model");
        }

        SaltTrainerSettings missing =
                settings(0)
                        .optTeacherCheckpoint(directory.resolve("absent.ckpt").toString())
                        .build();
        try (OneInputStreamOperatorTestHarness<ClipTensor, TrainingMetrics> harness =
                harness(new SaltTrainerOperator(missing))) {
            assertThatThrownBy(harness::open)
                    .isInstanceOf(FileNotFoundException.class)
                    .hasMessageContaining("absent.ckpt not found")
                    .hasMessageContaining("encoder checkpoint of a trained teacher");
        }
    }
}
