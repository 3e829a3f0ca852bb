package io.saltstream.pipeline.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the {@code job.*} section. */
public final class JobOptions {

    public static final ConfigOption<String> NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("saltstream-train")
                    .withDescription(
                            "Flink job name. It also prefixes the Kafka transactional ids of the"
                                    + " sinks, so two jobs that share a Kafka cluster need"
                                    + " different names.");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("job.parallelism")
                    .intType()
                    .defaultValue(1)
                    .withDescription("Default parallelism of the job's operators.");

    private JobOptions() {}
}
