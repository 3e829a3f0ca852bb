package io.saltstream.pipeline.config;

import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Options of the {@code data.*} section: how frames become clips, and event-time handling.
 *
 * <p>Image height, width and channels are not options here: they come from {@link
 * ModelOptions#PRESET}.
 */
public final class DataOptions {

    /** What the clip assembler does with a partial clip when a stream skips sequence numbers. */
    public enum GapPolicy {
        /** Discard the partial clip and start a new one after the gap. */
        DROP,
        /** Emit the partial clip, shorter than clip-length, then start a new one. */
        FLUSH;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final ConfigOption<Integer> CLIP_LENGTH =
            ConfigOptions.key("data.clip-length")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Frames per clip (T). 1 treats every frame as an image; video presets"
                                    + " need the preset's frame count.");

    public static final ConfigOption<Integer> CLIP_STRIDE =
            ConfigOptions.key("data.clip-stride")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Frames between the first frames of two consecutive clips of a"
                                    + " stream. Unset means clip-length (back-to-back clips);"
                                    + " smaller values give overlapping clips.");

    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
            ConfigOptions.key("data.max-out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "How far behind the newest Kafka record timestamp a frame may arrive"
                                    + " before it counts as late (bounded out-of-orderness"
                                    + " watermarks).");

    public static final ConfigOption<Duration> IDLE_TIMEOUT =
            ConfigOptions.key("data.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Time without records after which a source split is marked idle, so"
                                    + " a quiet partition does not hold back the watermark. 0"
                                    + " never marks splits idle.");

    public static final ConfigOption<MemorySize> MAX_FRAME_BYTES =
            ConfigOptions.key("data.max-frame-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(8))
                    .withDescription(
                            "Largest Kafka record value accepted as a frame, such as '8 mb'."
                                    + " Bigger records go to the dead-letter topic.");

    public static final ConfigOption<GapPolicy> GAP_POLICY =
            ConfigOptions.key("data.gap-policy")
                    .enumType(GapPolicy.class)
                    .defaultValue(GapPolicy.DROP)
                    .withDescription(
                            "What happens to a partial clip when a stream skips sequence numbers:"
                                    + " drop discards it, flush emits it short.");

    private DataOptions() {}
}
