package io.saltstream.operators.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.operators.device.DeviceMode;
import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class EncoderSettingsTest {

    @Test
    void defaultsAreDocumentedValues() {
        EncoderSettings settings = EncoderSettings.defaults();

        assertThat(settings.getBatchSize()).isEqualTo(32);
        assertThat(settings.getMaxDelay()).isEqualTo(Duration.ofMillis(200));
        assertThat(settings.getMaxBufferedClips()).isEqualTo(1024);
        assertThat(settings.getInitialSnapshotPath()).isNull();
        assertThat(settings.getDevice()).isEqualTo(DeviceMode.AUTO);
    }

    @Test
    void settersAreApplied() {
        EncoderSettings settings =
                EncoderSettings.builder()
                        .optBatchSize(8)
                        .optMaxDelay(Duration.ofSeconds(2))
                        .optMaxBufferedClips(10)
                        .optInitialSnapshotPath("file:///models/student.ckpt")
                        .optDevice("GPU")
                        .build();

        assertThat(settings.getBatchSize()).isEqualTo(8);
        assertThat(settings.getMaxDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.getMaxBufferedClips()).isEqualTo(10);
        assertThat(settings.getInitialSnapshotPath()).isEqualTo("file:///models/student.ckpt");
        assertThat(settings.getDevice()).isEqualTo(DeviceMode.GPU);
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        EncoderSettings settings =
                EncoderSettings.builder().optBatchSize(3).optDevice(DeviceMode.CPU).build();

        EncoderSettings copy =
                InstantiationUtil.deserializeObject(
                        InstantiationUtil.serializeObject(settings), getClass().getClassLoader());

        assertThat(copy).isEqualTo(settings);
    }

    @Test
    void batchSizeBelowOneIsRejected() {
        assertThatThrownBy(() -> EncoderSettings.builder().optBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.batch-size is 0 but must be 1 or more");
    }

    @Test
    void maxDelayBelowOneMillisecondIsRejected() {
        assertThatThrownBy(() -> EncoderSettings.builder().optMaxDelay(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.max-delay is PT0S but must be at least 1 ms");
        assertThatThrownBy(() -> EncoderSettings.builder().optMaxDelay(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.max-delay is null");
    }

    @Test
    void maxBufferedClipsBelowOneIsRejected() {
        assertThatThrownBy(() -> EncoderSettings.builder().optMaxBufferedClips(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.max-buffered-clips is 0 but must be 1 or more");
    }

    @Test
    void blankInitialSnapshotIsRejected() {
        assertThatThrownBy(() -> EncoderSettings.builder().optInitialSnapshotPath("").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.initial-snapshot is blank");
    }

    @Test
    void unknownDeviceIsRejected() {
        assertThatThrownBy(() -> EncoderSettings.builder().optDevice("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.device is 'tpu' but must be one of: auto, cpu, gpu");
        assertThatThrownBy(() -> EncoderSettings.builder().optDevice((DeviceMode) null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.device is null");
    }
}
