package io.saltstream.pipeline.job;

import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** The Kafka topics of the jobs, as definitions to create on a broker. */
public final class JobTopics {

    private JobTopics() {}

    /**
     * Returns the definitions of the five topics: frames with {@code framePartitions} partitions,
     * embeddings, training-metrics and dead-letters with one, and models with one partition and
     * {@code cleanup.policy=compact}, so the newest snapshot of each job stays readable.
     *
     * @throws IllegalArgumentException when {@code framePartitions} is below 1
     */
    public static List<NewTopic> definitions(ReadableConfig config, int framePartitions) {
        return List.of(
                EmbeddedKafka.newTopic(config.get(TopicOptions.FRAMES), framePartitions, Map.of()),
                EmbeddedKafka.newTopic(config.get(TopicOptions.EMBEDDINGS), 1, Map.of()),
                EmbeddedKafka.newTopic(config.get(TopicOptions.TRAINING_METRICS), 1, Map.of()),
                EmbeddedKafka.newTopic(
                        config.get(TopicOptions.MODELS),
                        1,
                        Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                TopicConfig.CLEANUP_POLICY_COMPACT)),
                EmbeddedKafka.newTopic(config.get(TopicOptions.DEAD_LETTERS), 1, Map.of()));
    }
}
