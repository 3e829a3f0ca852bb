package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.models.mask.MaskConfig;
import io.saltstream.models.vit.VisionTransformerPresets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SaltTrainerConfigTest {

    private static SaltTrainerConfig.Builder minimal() {
        return SaltTrainerConfig.builder()
                .setModelConfig(VisionTransformerPresets.image28())
                .setBatchSize(64)
                .setTeacherSteps(100)
                .setTotalSteps(400);
    }

    @Test
    void defaultsApplied() {
        SaltTrainerConfig config = minimal().build();
        assertThat(config.getMaskConfigs()).isEqualTo(MaskConfig.imageDefaults());
        assertThat(config.getPeakLearningRate()).isEqualTo(1e-3);
        assertThat(config.getStartWeightDecay()).isEqualTo(0.04);
        assertThat(config.getFinalWeightDecay()).isEqualTo(0.4);
        assertThat(config.getClipNorm()).isEqualTo(1.0);
        assertThat(config.getMaxConsecutiveSkips()).isEqualTo(5);
        assertThat(config.getGoodStateInterval()).isEqualTo(100);
        assertThat(config.getLearningRateBackoff()).isEqualTo(0.5);
    }

    @Test
    void videoModelGetsVideoMasks() {
        SaltTrainerConfig config =
                minimal().setModelConfig(VisionTransformerPresets.video64()).build();
        assertThat(config.getMaskConfigs()).isEqualTo(MaskConfig.videoDefaults());
    }

    @Test
    void stagesHaveOwnScheduleLengths() {
        SaltTrainerConfig config = minimal().optWarmupSteps(10).build();
        assertThat(config.stageSteps(SaltPhase.TEACHER)).isEqualTo(100);
        assertThat(config.stageSteps(SaltPhase.STUDENT)).isEqualTo(300);
        assertThat(config.learningRateSchedule(SaltPhase.STUDENT).getTotalSteps()).isEqualTo(300);
        assertThat(config.weightDecaySchedule(SaltPhase.TEACHER).getTotalSteps()).isEqualTo(100);
        assertThat(config.learningRateSchedule(SaltPhase.TEACHER).valueAt(10)).isEqualTo(1e-3);
    }

    @Test
    void jsonRoundTrip() {
        SaltTrainerConfig config =
                minimal()
                        .optMaskConfigs(
                                List.of(
                                        MaskConfig.builder()
                                                .setNumBlocks(3)
                                                .setSpatialScale(0.1, 0.3)
                                                .optAspectRatio(0.5, 2.0)
                                                .build()))
                        .optStartLearningRate(1e-6)
                        .optWarmupSteps(20)
                        .optBetas(0.8, 0.95)
                        .optClipNorm(0)
                        .optMaskSeed(-7)
                        .optInitSeed(Long.MAX_VALUE)
                        .optLearningRateBackoff(0.25)
                        .build();
        SaltTrainerConfig copy = SaltTrainerConfig.fromJson(config.toJson());
        assertThat(copy).isEqualTo(config);
        assertThat(copy.getMaskConfigs()).isEqualTo(config.getMaskConfigs());
        assertThat(copy.getInitSeed()).isEqualTo(Long.MAX_VALUE);
        assertThat(copy.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void unknownJsonKeyRejected() {
        String json = minimal().build().toJson().replace("\"clipNorm\"", "\"clipnorm\"");
        assertThatThrownBy(() -> SaltTrainerConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid SaltTrainerConfig JSON: unknown key 'clipnorm'");
    }

    @Test
    void fractionalStepCountRejected() {
        String json =
                minimal().build().toJson().replace("\"totalSteps\":400", "\"totalSteps\":4.5");
        assertThatThrownBy(() -> SaltTrainerConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid SaltTrainerConfig JSON: totalSteps must be an integer, got 4.5");
    }

    @Test
    void missingValuesListed() {
        assertThatThrownBy(() -> SaltTrainerConfig.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid SaltTrainerConfig: modelConfig is missing: call setModelConfig;"
                                + " batchSize is missing: call setBatchSize; teacherSteps is"
                                + " missing: call setTeacherSteps; totalSteps is missing: call"
                                + " setTotalSteps");
    }

    @Test
    void totalNotAboveTeacherRejected() {
        assertThatThrownBy(() -> minimal().setTotalSteps(100).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid SaltTrainerConfig: totalSteps = 100 must be greater than"
                                + " teacherSteps = 100, so that Stage 2 has at least one step");
    }

    @Test
    void warmupLongerThanStageRejected() {
        assertThatThrownBy(() -> minimal().optWarmupSteps(101).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid SaltTrainerConfig: warmupSteps = 101 must be at most teacherSteps"
                                + " = 100, because each stage warms up");
    }

    @Test
    void invalidValuesAllListed() {
        assertThatThrownBy(
                        () ->
                                minimal()
                                        .setBatchSize(0)
                                        .optPeakLearningRate(-1)
                                        .optBetas(0.9, 1.0)
                                        .optLearningRateBackoff(0)
                                        .optMaxConsecutiveSkips(0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid SaltTrainerConfig: batchSize = 0 must be at least 1;"
                                + " peakLearningRate = -1.0 must be a finite number >= 0; beta2 ="
                                + " 1.0 must be in [0, 1); maxConsecutiveSkips = 0 must be at least"
                                + " 1; learningRateBackoff = 0.0 must be in (0, 1]");
    }
}
