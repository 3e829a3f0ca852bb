package io.saltstream.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class JobEnvironmentTest {

    @Test
    void localEnvironmentGetsSlotsCheckpointsAndWebUi() {
        JobEnvironment environment =
                JobEnvironment.builder()
                        .setConfig(
                                JobSettingsTest.config(
                                        Map.of("job.parallelism", "2", "checkpoint.dir", "/ckpt")))
                        .optRestorePath("file:///ckpt/job/chk-3")
                        .build();

        StreamExecutionEnvironment env = environment.create();

        assertThat(env).isInstanceOf(LocalStreamEnvironment.class);
        assertThat(environment.isLocal()).isTrue();
        ReadableConfig flink = env.getConfiguration();
        assertThat(flink.get(TaskManagerOptions.NUM_TASK_SLOTS)).isEqualTo(6);
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///ckpt");
        assertThat(flink.get(StateRecoveryOptions.SAVEPOINT_PATH))
                .isEqualTo("file:///ckpt/job/chk-3");
        assertThat(environment.webUiAddress()).isPresent();
        assertThat(environment.webUiAddress().get())
                .isEqualTo("http://localhost:" + flink.get(RestOptions.PORT));
    }

    @Test
    void webUiCanBeTurnedOff() {
        JobEnvironment environment =
                JobEnvironment.builder()
                        .setConfig(JobSettingsTest.config(Map.of()))
                        .optWebUi(false)
                        .build();

        environment.create();

        assertThat(environment.webUiAddress()).isEmpty();
    }

    @Test
    void builderRejectsBlankRestorePath() {
        assertThatThrownBy(
                        () ->
                                JobEnvironment.builder()
                                        .setConfig(JobSettingsTest.config(Map.of()))
                                        .optRestorePath(" ")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("restore path is blank");
    }

    @Test
    void builderRejectsPortOutOfRange() {
        assertThatThrownBy(
                        () ->
                                JobEnvironment.builder()
                                        .setConfig(JobSettingsTest.config(Map.of()))
                                        .optRestPort(70000)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rest.port is 70000 but must be 0 (any free port) to 65535");
    }
}
