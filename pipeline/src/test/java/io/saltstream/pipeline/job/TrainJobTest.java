package io.saltstream.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class TrainJobTest {

    private static StreamGraph graph(Configuration config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TrainJob.builder().setConfig(config).build().addTo(env);
        return env.getStreamGraph();
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        Optional<StreamNode> found =
                graph.getStreamNodes().stream()
                        .filter(n -> uid.equals(n.getTransformationUID()))
                        .findFirst();
        assertThat(found).as("node with uid %s", uid).isPresent();
        return found.get();
    }

    @Test
    void everyOperatorHasUid() {
        Collection<StreamNode> nodes = graph(JobSettingsTest.config(Map.of())).getStreamNodes();

        assertThat(nodes)
                .allSatisfy(
                        n ->
                                assertThat(n.getTransformationUID())
                                        .as(n.getOperatorName())
                                        .isNotNull());
        assertThat(nodes.stream().map(StreamNode::getTransformationUID).collect(Collectors.toSet()))
                .contains(
                        TrainJob.SOURCE_UID,
                        TrainJob.PARSE_UID,
                        TrainJob.CLIP_UID,
                        TrainJob.PREPROCESS_UID,
                        TrainJob.TRAINER_UID,
                        TrainJob.ENCODER_UID);
    }

    @Test
    void trainerRunsAloneInTrainGroup() {
        StreamGraph graph = graph(JobSettingsTest.config(Map.of("job.parallelism", "2")));

        StreamNode trainer = node(graph, TrainJob.TRAINER_UID);
        StreamNode encoder = node(graph, TrainJob.ENCODER_UID);
        assertThat(trainer.getParallelism()).isEqualTo(1);
        assertThat(trainer.getSlotSharingGroup()).isEqualTo(TrainJob.TRAIN_GROUP);
        assertThat(encoder.getParallelism()).isEqualTo(2);
        assertThat(encoder.getSlotSharingGroup()).isEqualTo(TrainJob.ENCODE_GROUP);
        assertThat(node(graph, TrainJob.PREPROCESS_UID).getSlotSharingGroup())
                .isNotIn(TrainJob.TRAIN_GROUP, TrainJob.ENCODE_GROUP);
    }

    @Test
    void encoderTakesClipsAndSnapshots() {
        StreamGraph graph = graph(JobSettingsTest.config(Map.of()));

        StreamNode encoder = node(graph, TrainJob.ENCODER_UID);
        assertThat(encoder.getInEdges()).hasSize(2);
        assertThat(
                        encoder.getInEdges().stream()
                                .map(e -> e.getPartitioner().toString())
                                .collect(Collectors.toList()))
                .contains("BROADCAST");
    }

    @Test
    void trainingInputSitsBeforeTrainerOnly() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TrainJob.builder()
                .setConfig(JobSettingsTest.config(Map.of()))
                .optTrainingInput(clip -> clip)
                .build()
                .addTo(env);
        StreamGraph graph = env.getStreamGraph();

        StreamNode hook = node(graph, TrainJob.TRAINING_INPUT_UID);
        StreamNode trainer = node(graph, TrainJob.TRAINER_UID);
        assertThat(graph.getTargetVertex(hook.getOutEdges().get(0)).getId())
                .isEqualTo(trainer.getId());
    }

    @Test
    void builderRejectsMissingConfig() {
        assertThatThrownBy(() -> TrainJob.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the saltstream configuration must be set");
    }
}
