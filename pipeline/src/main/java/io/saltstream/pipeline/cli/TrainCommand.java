package io.saltstream.pipeline.cli;

import io.saltstream.pipeline.config.ConfigFlags;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.job.JobEnvironment;
import io.saltstream.pipeline.job.TrainJob;
import io.saltstream.pipeline.metrics.PrometheusReporterSettings;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code saltstream train}: runs the online SALT training job. Started from a shell it runs on a
 * local Flink MiniCluster in this JVM, with the web UI on localhost; submitted with {@code flink
 * run} it runs on that cluster.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        modelTransformer = TrainCommand.ConfigFlagsTransformer.class,
        description = {
            "Run the SALT training job: frames from Kafka in; embeddings, training metrics, model"
                    + " snapshots and dead letters out.",
            "Runs on a local Flink MiniCluster (web UI on localhost) unless submitted with"
                    + " 'flink run'. Every option below can also be set in the --config file."
        })
final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @CommandLine.Spec CommandSpec spec;

    @Option(
            names = "--restore",
            paramLabel = "PATH",
            description =
                    "Resume from a retained checkpoint (a chk-N folder under checkpoint.dir) or a"
                            + " savepoint: model, optimiser, step and Kafka offsets.")
    String restorePath;

    @Option(
            names = "--bounded",
            description =
                    "Read only the frames that are in the topic when the job starts, then finish"
                            + " (default: run until cancelled).")
    boolean bounded;

    @Option(
            names = "--prometheus-port",
            paramLabel = "PORT",
            description =
                    "Serve Flink's metrics for Prometheus at http://localhost:PORT/metrics while"
                            + " the local job runs (default: off; a cluster uses its own"
                            + " reporter configuration).")
    Integer prometheusPort;

    @Option(
            names = "--web-ui-port",
            paramLabel = "PORT",
            description = "Port of the local Flink web UI (default: a free port).")
    int webUiPort;

    @Override
    public Integer call() {
        Configuration config = ConfigFlags.load(spec);
        checkRestorePath(spec.commandLine(), restorePath);
        JobEnvironment environment = newEnvironment(spec.commandLine(), config);
        return runJob(
                spec.commandLine(),
                config,
                environment,
                env ->
                        TrainJob.builder()
                                .setConfig(config)
                                .optBoundedSource(bounded)
                                .build()
                                .execute(env));
    }

    private JobEnvironment newEnvironment(CommandLine commandLine, Configuration config) {
        try {
            JobEnvironment.Builder builder =
                    JobEnvironment.builder()
                            .setConfig(config)
                            .optRestorePath(restorePath)
                            .optRestPort(webUiPort);
            if (prometheusPort != null) {
                builder.optFlinkSettings(PrometheusReporterSettings.forPort(prometheusPort));
                commandLine
                        .getOut()
                        .println(
                                "Prometheus metrics: "
                                        + PrometheusReporterSettings.metricsUrl(
                                                "localhost", prometheusPort));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
        }
    }

    /** A job to run in a given environment, such as {@code TrainJob::execute}. */
    interface JobBody {
        JobExecutionResult run(StreamExecutionEnvironment env) throws Exception;
    }

    /**
     * Creates the environment, prints the web UI address, runs the job and prints how it ended.
     *
     * @return 0 when the job finished, 1 when it failed (the root cause is printed)
     */
    static int runJob(
            CommandLine commandLine,
            Configuration config,
            JobEnvironment environment,
            JobBody body) {
        PrintWriter out = commandLine.getOut();
        String jobName = config.get(JobOptions.NAME);
        StreamExecutionEnvironment env;
        try {
            env = environment.create();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
        }
        environment
                .webUiAddress()
                .ifPresent(url -> out.println("Flink web UI of job '" + jobName + "': " + url));
        out.flush();
        try {
            JobExecutionResult result = body.run(env);
            if (!result.isJobExecutionResult()) {
                // In application or detached mode, execute() returns once the job is submitted.
                // The job keeps running on the cluster, so there is no runtime to report yet.
                out.printf("job '%s' submitted with id %s%n", jobName, result.getJobID());
            } else {
                out.printf(
                        "job '%s' finished after %.1f s%n",
                        jobName, result.getNetRuntime() / 1000.0);
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
        } catch (Exception e) {
            Throwable root = ExceptionUtils.stripExecutionException(e);
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            LOG.error("Job '{}' failed", jobName, e);
            commandLine
                    .getErr()
                    .println(
                            "error: job '"
                                    + jobName
                                    + "' failed: "
                                    + root.getClass().getSimpleName()
                                    + ": "
                                    + root.getMessage()
                                    + " (the log has the full stack trace)");
            commandLine.getErr().flush();
            return 1;
        }
    }

    /**
     * Checks that a local restore path is a folder with Flink's {@code _metadata} file; paths of
     * other file systems (s3://, hdfs://) are left to Flink.
     */
    static void checkRestorePath(CommandLine commandLine, String restorePath) {
        if (restorePath == null) {
            return;
        }
        Path folder;
        try {
            URI uri = new URI(restorePath);
            if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
                return;
            }
            folder = uri.getScheme() == null ? Path.of(restorePath) : Path.of(uri);
        } catch (URISyntaxException | IllegalArgumentException e) {
            folder = Path.of(restorePath);
        }
        if (!Files.isRegularFile(folder.resolve("_metadata"))) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    "Invalid value '"
                            + restorePath
                            + "' for option '--restore': "
                            + folder.toAbsolutePath()
                            + (Files.isDirectory(folder)
                                    ? " has no _metadata file, so it is no completed checkpoint"
                                            + " or savepoint."
                                    : " does not exist.")
                            + " Give a chk-N folder under checkpoint.dir/<job id>/ or a savepoint"
                            + " folder.");
        }
    }

    /** Adds the saltstream option flags ({@link ConfigFlags}) to a command's model. */
    public static final class ConfigFlagsTransformer implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec commandSpec) {
            ConfigFlags.addTo(commandSpec);
            return commandSpec;
        }
    }
}
