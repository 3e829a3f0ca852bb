package io.saltstream.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.models.mask.MaskConfig;
import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.operators.device.DeviceMode;
import io.saltstream.operators.train.SaltTrainerSettings;
import io.saltstream.operators.train.TrainingPolicy;
import io.saltstream.pipeline.config.ComputeDevice;
import io.saltstream.pipeline.config.SaltstreamConfigLoader;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class JobSettingsTest {

    static Configuration config(Map<String, String> settings) {
        SaltstreamConfigLoader.Builder loader = SaltstreamConfigLoader.builder();
        settings.forEach((key, value) -> loader.addOverride(key, value, "test"));
        return loader.build().load();
    }

    @Test
    void trainerConfigTakesStagesAndSchedule() {
        SaltTrainerConfig trainer =
                JobSettings.trainerConfig(
                        config(
                                Map.of(
                                        "optimization.batch-size", "16",
                                        "optimization.teacher-steps", "30",
                                        "optimization.total-steps", "100",
                                        "optimization.warmup-steps", "10",
                                        "optimization.lr", "0.002",
                                        "train.seed", "5")));

        assertThat(trainer.getBatchSize()).isEqualTo(16);
        assertThat(trainer.getTeacherSteps()).isEqualTo(30);
        assertThat(trainer.getTotalSteps()).isEqualTo(100);
        assertThat(trainer.getWarmupSteps()).isEqualTo(10);
        assertThat(trainer.getPeakLearningRate()).isEqualTo(0.002);
        assertThat(trainer.getInitSeed()).isEqualTo(5);
        assertThat(trainer.getMaskSeed()).isEqualTo(5);
    }

    @Test
    void openEndedTrainingGetsScheduleLength() {
        SaltTrainerConfig trainer =
                JobSettings.trainerConfig(
                        config(
                                Map.of(
                                        "optimization.teacher-steps", "200",
                                        "optimization.total-steps", "0")));

        assertThat(trainer.getTotalSteps()).isEqualTo(200 + JobSettings.OPEN_ENDED_STUDENT_STEPS);
    }

    @Test
    void warmupLongerThanStageIsShortened() {
        SaltTrainerConfig trainer =
                JobSettings.trainerConfig(
                        config(
                                Map.of(
                                        "optimization.teacher-steps", "8",
                                        "optimization.total-steps", "20",
                                        "optimization.warmup-steps", "100")));

        assertThat(trainer.getWarmupSteps()).isEqualTo(8);
    }

    @Test
    void teacherCheckpointSkipsStageOne() {
        Configuration config =
                config(
                        Map.of(
                                "train.teacher-checkpoint", "/models/teacher.ckpt",
                                "optimization.total-steps", "50"));

        assertThat(JobSettings.trainerConfig(config).getTeacherSteps()).isZero();
        assertThat(JobSettings.trainerSettings(config).getTeacherCheckpoint())
                .isEqualTo("/models/teacher.ckpt");
    }

    @Test
    void maskDefaultsFollowPreset() {
        Configuration image = config(Map.of());
        Configuration video = config(Map.of("model.preset", "video-64", "data.clip-length", "16"));

        assertThat(JobSettings.maskConfigs(image, JobSettings.modelConfig(image)))
                .isEqualTo(MaskConfig.imageDefaults());
        assertThat(JobSettings.maskConfigs(video, JobSettings.modelConfig(video)))
                .isEqualTo(MaskConfig.videoDefaults());
    }

    @Test
    void maskOptionsReplaceDefaults() {
        Configuration config =
                config(Map.of("mask.num-blocks", "2", "mask.spatial-scale", "0.3,0.4"));

        List<MaskConfig> masks = JobSettings.maskConfigs(config, JobSettings.modelConfig(config));

        assertThat(masks).hasSize(1);
        assertThat(masks.get(0).getNumBlocks()).isEqualTo(2);
        assertThat(masks.get(0).getMinSpatialScale()).isEqualTo(0.3);
        assertThat(masks.get(0).getMaxSpatialScale()).isEqualTo(0.4);
    }

    @Test
    void predictorOverridesApply() {
        SaltModelConfig model =
                JobSettings.modelConfig(
                        config(Map.of("model.pred-depth", "3", "model.pred-embed-dim", "32")));

        assertThat(model.getPredictor().getDepth()).isEqualTo(3);
        assertThat(model.getPredictor().getEmbedDim()).isEqualTo(32);
        assertThat(model.getEncoder().getEmbedDim()).isEqualTo(128);
    }

    @Test
    void trainerSettingsTakeOperatorOptions() {
        SaltTrainerSettings settings =
                JobSettings.trainerSettings(
                        config(
                                Map.of(
                                        "job.name", "job-a",
                                        "train.policy", "latest",
                                        "train.device", "cpu",
                                        "train.snapshot-interval", "7",
                                        "optimization.teacher-steps", "10",
                                        "optimization.total-steps", "40")));

        assertThat(settings.getJobName()).isEqualTo("job-a");
        assertThat(settings.getPolicy()).isEqualTo(TrainingPolicy.LATEST);
        assertThat(settings.getDevice()).isEqualTo(DeviceMode.CPU);
        assertThat(settings.getSnapshotInterval()).isEqualTo(7);
        assertThat(settings.getMaxSteps()).isEqualTo(40);
        assertThat(settings.getSnapshotStorage().getDirectory())
                .endsWith("/" + JobSettings.SNAPSHOT_FOLDER);
    }

    @Test
    void deviceModesMapOneToOne() {
        assertThat(JobSettings.deviceMode(ComputeDevice.AUTO)).isEqualTo(DeviceMode.AUTO);
        assertThat(JobSettings.deviceMode(ComputeDevice.CPU)).isEqualTo(DeviceMode.CPU);
        assertThat(JobSettings.deviceMode(ComputeDevice.GPU)).isEqualTo(DeviceMode.GPU);
    }

    @Test
    void clipLengthMustMatchVideoPreset() {
        Configuration config = config(Map.of("model.preset", "video-64"));

        assertThatThrownBy(() -> JobSettings.preprocess(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'data.clip-length' (1) must equal the 16 frames")
                .hasMessageContaining("video-64");
    }

    @Test
    void preprocessTakesPresetInput() {
        assertThat(JobSettings.preprocess(config(Map.of())).getChannels()).isEqualTo(1);
        assertThat(JobSettings.preprocess(config(Map.of())).getHeight()).isEqualTo(28);
        Configuration video = config(Map.of("model.preset", "video-64", "data.clip-length", "16"));
        assertThat(JobSettings.preprocess(video).getChannels()).isEqualTo(3);
        assertThat(JobSettings.preprocess(video).getWidth()).isEqualTo(64);
    }

    @Test
    void encoderSettingsPreferGivenSnapshot() {
        Configuration config =
                config(Map.of("encode.initial-snapshot", "/a.ckpt", "encode.batch-size", "5"));

        assertThat(JobSettings.encoderSettings(config, null).getInitialSnapshotPath())
                .isEqualTo("/a.ckpt");
        assertThat(JobSettings.encoderSettings(config, "/b.ckpt").getInitialSnapshotPath())
                .isEqualTo("/b.ckpt");
        assertThat(JobSettings.encoderSettings(config, null).getBatchSize()).isEqualTo(5);
    }
}
