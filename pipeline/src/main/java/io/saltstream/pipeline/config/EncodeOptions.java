package io.saltstream.pipeline.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the {@code encode.*} section: the encoder operator that writes embeddings. */
public final class EncodeOptions {

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("encode.batch-size")
                    .intType()
                    .defaultValue(64)
                    .withDescription("Most clips the encoder embeds in one forward pass.");

    public static final ConfigOption<Duration> MAX_DELAY =
            ConfigOptions.key("encode.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription(
                            "Longest a clip waits for its micro-batch to fill before the encoder"
                                    + " embeds a partial batch; 0 embeds every clip at once.");

    public static final ConfigOption<String> INITIAL_SNAPSHOT =
            ConfigOptions.key("encode.initial-snapshot")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Model checkpoint the encoder uses until the trainer sends its first"
                                    + " snapshot (a local path or Flink file system URI). Unset"
                                    + " buffers clips until that snapshot arrives.");

    public static final ConfigOption<ComputeDevice> DEVICE =
            ConfigOptions.key("encode.device")
                    .enumType(ComputeDevice.class)
                    .defaultValue(ComputeDevice.AUTO)
                    .withDescription(
                            "Device of the encoder: auto uses the GPU Flink assigns when there is"
                                    + " one, cpu or gpu force it.");

    private EncodeOptions() {}
}
