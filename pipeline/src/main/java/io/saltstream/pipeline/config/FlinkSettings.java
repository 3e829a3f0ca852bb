package io.saltstream.pipeline.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * Translates the {@code job.*} and {@code checkpoint.*} options into Flink's own settings, for
 * {@code StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config))}.
 */
public final class FlinkSettings {

    private FlinkSettings() {}

    /**
     * Returns Flink settings for {@code config}: {@code pipeline.name} and {@code
     * parallelism.default} from the job options and, when {@code checkpoint.interval} is above 0,
     * checkpointing at that interval and mode into file system storage at {@link
     * #checkpointDirectory}. Checkpoints are retained when the job is cancelled, so it can be
     * restarted from the last one.
     *
     * @throws IllegalArgumentException when {@code config} breaks an option rule
     */
    public static Configuration from(ReadableConfig config) {
        SaltstreamOptions.validate(config);
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.NAME, config.get(JobOptions.NAME));
        flink.set(CoreOptions.DEFAULT_PARALLELISM, config.get(JobOptions.PARALLELISM));

        Duration interval = config.get(CheckpointOptions.INTERVAL);
        if (!interval.isZero()) {
            flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
            flink.set(
                    CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                    config.get(CheckpointOptions.MODE) == CheckpointOptions.Mode.EXACTLY_ONCE
                            ? CheckpointingMode.EXACTLY_ONCE
                            : CheckpointingMode.AT_LEAST_ONCE);
            // The model and optimiser state exceed what the JobManager heap storage accepts.
            flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDirectory(config));
            flink.set(
                    CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        return flink;
    }

    /**
     * Returns {@code checkpoint.dir} as a URI: a value with a scheme (such as {@code s3://}) as
     * given, a local path as an absolute {@code file:} URI, resolved against the working directory.
     */
    public static String checkpointDirectory(ReadableConfig config) {
        String dir = config.get(CheckpointOptions.DIR).strip();
        if (hasScheme(dir)) {
            return dir;
        }
        Path absolute = Path.of(dir).toAbsolutePath().normalize();
        String uri = absolute.toUri().toString();
        // Path.toUri appends a slash only when the folder exists; drop it so the result is stable.
        return uri.endsWith("/") && absolute.getNameCount() > 0
                ? uri.substring(0, uri.length() - 1)
                : uri;
    }

    private static boolean hasScheme(String dir) {
        try {
            URI uri = new URI(dir);
            // A one-letter scheme is a Windows drive letter, not a file system.
            return uri.getScheme() != null && uri.getScheme().length() > 1;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
