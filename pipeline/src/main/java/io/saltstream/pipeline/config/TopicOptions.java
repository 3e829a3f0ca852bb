package io.saltstream.pipeline.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the {@code topics.*} section: the Kafka topic of each stream the jobs read or write.
 */
public final class TopicOptions {

    public static final ConfigOption<String> FRAMES =
            ConfigOptions.key("topics.frames")
                    .stringType()
                    .defaultValue("frames")
                    .withDescription("Topic the jobs read Avro Frame records from.");

    public static final ConfigOption<String> EMBEDDINGS =
            ConfigOptions.key("topics.embeddings")
                    .stringType()
                    .defaultValue("embeddings")
                    .withDescription("Topic the encoder writes Avro Embedding records to.");

    public static final ConfigOption<String> TRAINING_METRICS =
            ConfigOptions.key("topics.training-metrics")
                    .stringType()
                    .defaultValue("training-metrics")
                    .withDescription("Topic the trainer writes Avro TrainingMetrics records to.");

    public static final ConfigOption<String> MODELS =
            ConfigOptions.key("topics.models")
                    .stringType()
                    .defaultValue("models")
                    .withDescription(
                            "Compacted topic the trainer writes Avro ModelSnapshot records to.");

    public static final ConfigOption<String> DEAD_LETTERS =
            ConfigOptions.key("topics.dead-letters")
                    .stringType()
                    .defaultValue("dead-letters")
                    .withDescription(
                            "Topic that receives an Avro DeadLetter for every input record the"
                                    + " job cannot use.");

    private TopicOptions() {}
}
