package io.saltstream.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class EncodeJobTest {

    @Test
    void snapshotFileNeedsNoTrainer() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        EncodeJob.builder()
                .setConfig(JobSettingsTest.config(Map.of()))
                .optSnapshotFile("/models/student.ckpt")
                .build()
                .addTo(env);
        StreamGraph graph = env.getStreamGraph();

        assertThat(
                        graph.getStreamNodes().stream()
                                .map(StreamNode::getTransformationUID)
                                .collect(Collectors.toSet()))
                .contains(EncodeJob.NO_SNAPSHOTS_UID, TrainJob.ENCODER_UID)
                .doesNotContain(TrainJob.TRAINER_UID);
    }

    @Test
    void builderNeedsModelSource() {
        assertThatThrownBy(
                        () ->
                                EncodeJob.builder()
                                        .setConfig(JobSettingsTest.config(Map.of()))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no model source: give a snapshot file");
    }

    @Test
    void builderRejectsTwoModelSources() {
        assertThatThrownBy(
                        () ->
                                EncodeJob.builder()
                                        .setConfig(JobSettingsTest.config(Map.of()))
                                        .optSnapshotFile("/a.ckpt")
                                        .optFromModelsTopic(true)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("give either a snapshot file or the models topic");
    }
}
