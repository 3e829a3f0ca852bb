package io.saltstream.pipeline.config;

import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the {@code checkpoint.*} section: where and how often the job checkpoints. */
public final class CheckpointOptions {

    /** Consistency of checkpoints. */
    public enum Mode {
        /** Aligned barriers, so after a restore each record is reflected in the state once. */
        EXACTLY_ONCE,
        /** Barriers are not aligned: after a restore some records may affect the state twice. */
        AT_LEAST_ONCE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static final ConfigOption<String> DIR =
            ConfigOptions.key("checkpoint.dir")
                    .stringType()
                    .defaultValue("checkpoints")
                    .withDescription(
                            "Checkpoint storage: a folder or Flink file system URI (file://,"
                                    + " s3://, hdfs://). A relative path resolves against the"
                                    + " working directory.");

    public static final ConfigOption<Duration> INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Time between checkpoints, which is also how often the exactly-once"
                                    + " sinks commit. 0 turns checkpointing off: the sinks fall"
                                    + " back to at-least-once and a failure restarts training"
                                    + " from step 0.");

    public static final ConfigOption<Mode> MODE =
            ConfigOptions.key("checkpoint.mode")
                    .enumType(Mode.class)
                    .defaultValue(Mode.EXACTLY_ONCE)
                    .withDescription("Checkpointing mode: exactly-once or at-least-once.");

    private CheckpointOptions() {}
}
