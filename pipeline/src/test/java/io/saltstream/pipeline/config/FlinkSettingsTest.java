package io.saltstream.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkSettingsTest {

    @Test
    void defaultsEnableFileSystemCheckpoints() {
        Configuration flink = FlinkSettings.from(new Configuration());

        assertThat(flink.get(PipelineOptions.NAME)).isEqualTo("saltstream-train");
        assertThat(flink.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(1);
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(flink.get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(Path.of("checkpoints").toAbsolutePath().toUri().toString());
        assertThat(flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }

    @Test
    void zeroIntervalLeavesCheckpointingOff() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.INTERVAL, Duration.ZERO);

        Configuration flink = FlinkSettings.from(config);

        assertThat(flink.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isFalse();
        assertThat(flink.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isFalse();
    }

    @Test
    void atLeastOnceModeMapsToFlinkMode() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.MODE, CheckpointOptions.Mode.AT_LEAST_ONCE);

        assertThat(
                        FlinkSettings.from(config)
                                .get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.AT_LEAST_ONCE);
    }

    @Test
    void directoryWithSchemeIsKept() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.DIR, "s3://bucket/saltstream/checkpoints");

        assertThat(FlinkSettings.checkpointDirectory(config))
                .isEqualTo("s3://bucket/saltstream/checkpoints");
    }

    @Test
    void absoluteLocalDirectoryBecomesFileUri() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.DIR, "/var/lib/saltstream/../saltstream/checkpoints");

        assertThat(FlinkSettings.checkpointDirectory(config))
                .isEqualTo("file:///var/lib/saltstream/checkpoints");
    }

    @Test
    void existingLocalDirectoryHasNoTrailingSlash(@TempDir Path dir) {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.DIR, dir.toString());

        assertThat(FlinkSettings.checkpointDirectory(config)).isEqualTo("file://" + dir);
    }

    @Test
    void invalidConfigIsRejected() {
        Configuration config = new Configuration();
        config.set(JobOptions.PARALLELISM, 0);

        assertThatThrownBy(() -> FlinkSettings.from(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid value '0' for 'job.parallelism': must be at least 1");
    }
}
