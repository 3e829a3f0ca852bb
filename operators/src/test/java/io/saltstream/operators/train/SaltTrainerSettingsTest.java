package io.saltstream.operators.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.models.vit.VisionTransformerPresets;
import io.saltstream.operators.device.DeviceMode;
import io.saltstream.operators.model.SnapshotStorage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class SaltTrainerSettingsTest {

    private static SaltTrainerConfig config(String preset, int teacherSteps) {
        return SaltTrainerConfig.builder()
                .setModelConfig(VisionTransformerPresets.byName(preset))
                .setBatchSize(16)
                .setTeacherSteps(teacherSteps)
                .setTotalSteps(1000)
                .build();
    }

    @Test
    void defaults() {
        SaltTrainerSettings settings =
                SaltTrainerSettings.builder().setTrainerConfig(config("image-28", 100)).build();

        assertThat(settings.getJobName()).isEqualTo("saltstream");
        assertThat(settings.getPolicy()).isEqualTo(TrainingPolicy.ALL);
        assertThat(settings.getBufferSize()).isEqualTo(256);
        assertThat(settings.getMetricsInterval()).isEqualTo(10);
        assertThat(settings.getQualityInterval()).isEqualTo(200);
        assertThat(settings.getSnapshotInterval()).isEqualTo(100);
        assertThat(settings.getMaxSteps()).isZero();
        assertThat(settings.getDevice()).isEqualTo(DeviceMode.AUTO);
        assertThat(settings.getSnapshotStorage()).isEqualTo(SnapshotStorage.defaults());
        assertThat(settings.getTeacherCheckpoint()).isNull();
        assertThat(settings.getReservoirSize()).isEqualTo(256);
        assertThat(settings.getHoldoutEvery()).isEqualTo(10);
        assertThat(settings.getLidarClasses()).isEqualTo(32);
        assertThat(settings.getLidarViews()).isEqualTo(4);
        assertThat(settings.getKnnK()).isEqualTo(20);
        assertThat(settings.getViewMaskRatio()).isEqualTo(0.25);
        assertThat(settings.isQualityEnabled()).isTrue();
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        SaltTrainerSettings settings =
                SaltTrainerSettings.builder()
                        .setTrainerConfig(config("image-28", 100))
                        .optPolicy(TrainingPolicy.LATEST)
                        .optMaxSteps(500)
                        .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(settings);
        }

        SaltTrainerSettings copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (SaltTrainerSettings) in.readObject();
        }

        assertThat(copy.getTrainerConfig()).isEqualTo(settings.getTrainerConfig());
        assertThat(copy.getPolicy()).isEqualTo(TrainingPolicy.LATEST);
        assertThat(copy.getMaxSteps()).isEqualTo(500);
        assertThat(copy).hasToString(settings.toString());
    }

    @Test
    void invalidValuesAreListed() {
        SaltTrainerSettings.Builder builder =
                SaltTrainerSettings.builder()
                        .setTrainerConfig(config("image-28", 100))
                        .optBufferSize(8)
                        .optMetricsInterval(0)
                        .optSnapshotInterval(-1)
                        .optHoldoutEvery(1)
                        .optViewMaskRatio(1.0)
                        .optJobName(" ");

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "train.buffer-size is 8 but must be at least the batch size 16")
                .hasMessageContaining("train.metrics-interval is 0 but must be at least 1")
                .hasMessageContaining("train.snapshot-interval is -1 but must be at least 1")
                .hasMessageContaining("quality.holdout-every is 1 but must be at least 2")
                .hasMessageContaining("quality.view-mask-ratio is 1.0 but must be in (0, 1)")
                .hasMessageContaining("job.name is ' ' but must be a non-blank name");
    }

    @Test
    void missingTrainerConfigFails() {
        assertThatThrownBy(() -> SaltTrainerSettings.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the trainer config is missing: call setTrainerConfig");
    }

    @Test
    void teacherCheckpointMustMatchStageOne() {
        assertThatThrownBy(
                        () ->
                                SaltTrainerSettings.builder()
                                        .setTrainerConfig(config("image-28", 0))
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("teacherSteps is 0")
                .hasMessageContaining("train.teacher-checkpoint must name");
        assertThatThrownBy(
                        () ->
                                SaltTrainerSettings.builder()
                                        .setTrainerConfig(config("image-28", 100))
                                        .optTeacherCheckpoint("file:///tmp/teacher.ckpt")
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("train.teacher-checkpoint is set but teacherSteps is 100");
    }

    @Test
    void largeEncoderNeedsSnapshotDirectory() {
        assertThatThrownBy(
                        () ->
                                SaltTrainerSettings.builder()
                                        .setTrainerConfig(config("vit-base", 100))
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the vit-base encoder has")
                .hasMessageContaining("above snapshot.inline-limit = 4194304 bytes")
                .hasMessageContaining("set snapshot.dir");

        SaltTrainerSettings stored =
                SaltTrainerSettings.builder()
                        .setTrainerConfig(config("vit-base", 100))
                        .optSnapshotStorage(
                                SnapshotStorage.builder()
                                        .optDirectory("file:///tmp/models")
                                        .build())
                        .build();
        assertThat(stored.getSnapshotStorage().getDirectory()).isEqualTo("file:///tmp/models");
    }

    @Test
    void qualityOffWithoutIntervalOrReservoir() {
        SaltTrainerSettings.Builder builder =
                SaltTrainerSettings.builder().setTrainerConfig(config("image-28", 100));

        assertThat(builder.optQualityInterval(0).build().isQualityEnabled()).isFalse();
        assertThat(builder.optQualityInterval(50).optReservoirSize(0).build().isQualityEnabled())
                .isFalse();
        assertThatThrownBy(() -> builder.optReservoirSize(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quality.reservoir-size is 1 but quality metrics need");
    }
}
