package io.saltstream.pipeline.cli;

import io.saltstream.pipeline.config.ConfigFlags;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.job.EncodeJob;
import io.saltstream.pipeline.job.JobEnvironment;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code saltstream encode}: runs the encode-only job, which embeds frames with a model trained
 * elsewhere: a fixed encoder checkpoint or the newest snapshot of the models topic.
 */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        modelTransformer = TrainCommand.ConfigFlagsTransformer.class,
        description = {
            "Run the encode-only job: frames from Kafka in, embeddings out, with a fixed snapshot"
                    + " file or the newest snapshot of the models topic.",
            "Runs on a local Flink MiniCluster (web UI on localhost) unless submitted with"
                    + " 'flink run'."
        })
final class EncodeCommand implements Callable<Integer> {

    /** Job name when {@code job.name} is not set, so the train job's transactional ids differ. */
    static final String DEFAULT_JOB_NAME = "saltstream-encode";

    @CommandLine.Spec CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource modelSource;

    /** Source of the model: exactly one of the two. */
    static final class ModelSource {
        @Option(
                names = "--snapshot",
                paramLabel = "FILE",
                description =
                        "Encoder-only checkpoint (.ckpt, as the trainer stores snapshots), a local"
                                + " path or Flink file system URI.")
        String snapshotFile;

        @Option(
                names = "--from-models-topic",
                description =
                        "Use the newest snapshot of the models topic, and switch to newer ones as"
                                + " a trainer publishes them.")
        boolean fromModelsTopic;
    }

    @Option(
            names = "--bounded",
            description =
                    "Read only the frames (and snapshots) in the topics when the job starts, then"
                            + " finish (default: run until cancelled).")
    boolean bounded;

    @Option(
            names = "--web-ui-port",
            paramLabel = "PORT",
            description = "Port of the local Flink web UI (default: a free port).")
    int webUiPort;

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        Configuration config = ConfigFlags.load(spec);
        if (!config.contains(JobOptions.NAME)) {
            config.set(JobOptions.NAME, DEFAULT_JOB_NAME);
        }
        if (modelSource.snapshotFile != null) {
            checkSnapshotFile(commandLine, modelSource.snapshotFile);
        }
        EncodeJob job;
        JobEnvironment environment;
        try {
            job =
                    EncodeJob.builder()
                            .setConfig(config)
                            .optSnapshotFile(modelSource.snapshotFile)
                            .optFromModelsTopic(modelSource.fromModelsTopic)
                            .optBoundedSource(bounded)
                            .build();
            environment = JobEnvironment.builder().setConfig(config).optRestPort(webUiPort).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
        }
        return TrainCommand.runJob(commandLine, config, environment, job::execute);
    }

    private static void checkSnapshotFile(CommandLine commandLine, String snapshotFile) {
        Path file;
        try {
            URI uri = new URI(snapshotFile);
            if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
                return;
            }
            file = uri.getScheme() == null ? Path.of(snapshotFile) : Path.of(uri);
        } catch (URISyntaxException | IllegalArgumentException e) {
            file = Path.of(snapshotFile);
        }
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    "Invalid value '"
                            + snapshotFile
                            + "' for option '--snapshot': file "
                            + file.toAbsolutePath()
                            + " not found. Give an encoder-only checkpoint, such as a .ckpt file"
                            + " under checkpoint.dir/model-snapshots, or use --from-models-topic.");
        }
    }
}
