package io.saltstream.pipeline.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.pipeline.config.OptimizationOptions;
import io.saltstream.pipeline.config.TrainOptions;
import io.saltstream.schemas.TrainingMetrics;
import io.saltstream.schemas.TrainingPhase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class DemoRunnerTest {

    private static TrainingMetrics metrics(TrainingPhase phase, long step, double loss) {
        return TrainingMetrics.newBuilder()
                .setJob("demo")
                .setPhase(phase)
                .setStep(step)
                .setSamplesSeen(step * 8)
                .setEventTime(Instant.EPOCH)
                .setLoss(loss)
                .setLearningRate(1e-3)
                .setGradientNorm(1)
                .setSamplesPerSecond(100 + step)
                .setModelVersion("v" + step)
                .build();
    }

    @Test
    void stageSummariesSplitAtPhaseChange() {
        List<DemoReport.StageSummary> stages =
                DemoRunner.stageSummaries(
                        List.of(
                                metrics(TrainingPhase.TEACHER, 2, 0.9),
                                metrics(TrainingPhase.TEACHER, 4, 0.8),
                                metrics(TrainingPhase.STUDENT, 6, 0.7),
                                metrics(TrainingPhase.STUDENT, 10, 0.4)));

        assertThat(stages)
                .containsExactly(
                        new DemoReport.StageSummary("TEACHER", 4, 4, 0.9, 0.8, 103),
                        new DemoReport.StageSummary("STUDENT", 6, 10, 0.7, 0.4, 108));
    }

    @Test
    void demoConfigSizesStepsToClips() {
        DemoRunner runner = DemoRunner.builder().setConfig(new Configuration()).build();

        Configuration config =
                runner.demoConfig("127.0.0.1:9092", Path.of("/tmp/demo"), "image-28", 6400);

        // 6400 clips less every 10th held out, in batches of 64.
        assertThat(config.get(OptimizationOptions.TOTAL_STEPS)).isEqualTo(90);
        assertThat(config.get(OptimizationOptions.TEACHER_STEPS)).isEqualTo(27);
        assertThat(config.get(TrainOptions.POLICY)).isEqualTo(TrainOptions.Policy.ALL);
    }

    @Test
    void demoConfigKeepsUserSettings() {
        Configuration user = new Configuration();
        user.setString("optimization.teacher-steps", "5");
        user.setString("optimization.batch-size", "32");
        DemoRunner runner = DemoRunner.builder().setConfig(user).optMaxSteps(40L).build();

        Configuration config =
                runner.demoConfig("127.0.0.1:9092", Path.of("/tmp/demo"), "image-28", 6400);

        assertThat(config.get(OptimizationOptions.TEACHER_STEPS)).isEqualTo(5);
        assertThat(config.get(OptimizationOptions.BATCH_SIZE)).isEqualTo(32);
        assertThat(config.get(OptimizationOptions.TOTAL_STEPS)).isEqualTo(40);
    }

    @Test
    void builderRejectsTooFewSteps() {
        assertThatThrownBy(
                        () ->
                                DemoRunner.builder()
                                        .setConfig(new Configuration())
                                        .optMaxSteps(1L)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--max-steps is 1 but must be at least 2, one per stage");
    }

    @Test
    void builderRejectsEvaluationSize() {
        assertThatThrownBy(
                        () ->
                                DemoRunner.builder()
                                        .setConfig(new Configuration())
                                        .optEvaluationImages(10)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--eval-images is 10 but must be from 20");
    }
}
