package io.saltstream.pipeline.cli;

import io.saltstream.pipeline.config.ConfigFlags;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.demo.DemoReport;
import io.saltstream.pipeline.demo.DemoRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code saltstream demo}: the whole product in one process, on an embedded Kafka broker and a
 * local Flink MiniCluster, ending with a report of what it trained and measured.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        modelTransformer = TrainCommand.ConfigFlagsTransformer.class,
        description = {
            "Run the whole pipeline locally: start an embedded Kafka broker and a Flink"
                    + " MiniCluster, ingest Fashion-MNIST (or sample videos), train SALT (teacher"
                    + " then student) with a bounded source, and print a report from the output"
                    + " topics, with the kNN accuracy of the student against random"
                    + " initialisation and raw pixels.",
            "Any option below also tunes the demo's job; the demo sets the broker itself."
        })
final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @CommandLine.Spec CommandSpec spec;

    @Option(
            names = "--video",
            description =
                    "Ingest the sample videos vtest.avi and Megamind.avi (64x64, clips of 16"
                            + " frames, preset video-64) instead of Fashion-MNIST.")
    boolean video;

    @Option(
            names = "--max-steps",
            paramLabel = "N",
            description =
                    "Training steps of both stages together (default: as many as the ingested"
                            + " clips give at the batch size, 30% of them in Stage 1).")
    Long maxSteps;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description =
                    "Fashion-MNIST training images to ingest (default: "
                            + DemoRunner.DEFAULT_IMAGE_LIMIT
                            + "); with --video, frames per video (default: all).")
    Integer limit;

    @Option(
            names = "--minutes",
            paramLabel = "M",
            description =
                    "Stop the train job with a savepoint after M minutes, keeping what it"
                            + " committed (default: run until every clip is processed).")
    Double minutes;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "Also write the report as JSON to FILE.")
    Path reportFile;

    @Option(
            names = "--eval-images",
            paramLabel = "N",
            description =
                    "Fashion-MNIST test images of the kNN evaluation, with as many training images"
                            + " as references (default: ${DEFAULT-VALUE}).")
    int evaluationImages = DemoRunner.DEFAULT_EVALUATION_IMAGES;

    @Option(
            names = "--prometheus-port",
            paramLabel = "PORT",
            description =
                    "Serve Flink's metrics for Prometheus at http://localhost:PORT/metrics while"
                            + " the job runs (default: off).")
    Integer prometheusPort;

    @Option(
            names = "--no-web-ui",
            negatable = false,
            description = "Do not start the Flink web UI.")
    boolean noWebUi;

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        Configuration config = ConfigFlags.load(spec);
        if (config.contains(KafkaOptions.BOOTSTRAP_SERVERS)) {
            LOG.warn(
                    "The demo runs its own Kafka broker; ignoring kafka.bootstrap-servers = {}",
                    config.get(KafkaOptions.BOOTSTRAP_SERVERS));
        }
        if (reportFile != null
                && reportFile.toAbsolutePath().getParent() != null
                && !Files.isDirectory(reportFile.toAbsolutePath().getParent())) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    "Invalid value '"
                            + reportFile
                            + "' for option '--report': folder "
                            + reportFile.toAbsolutePath().getParent()
                            + " does not exist. Create it or choose another file.");
        }
        DemoRunner runner;
        try {
            runner =
                    DemoRunner.builder()
                            .setConfig(config)
                            .optVideo(video)
                            .optMaxSteps(maxSteps)
                            .optLimit(limit)
                            .optMinutes(minutes)
                            .optOut(commandLine.getOut())
                            .optWebUi(!noWebUi)
                            .optPrometheusPort(prometheusPort)
                            .optEvaluationImages(evaluationImages)
                            .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
        }

        DemoReport report;
        try {
            report = runner.run();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
        } catch (Exception e) {
            Throwable root = ExceptionUtils.stripExecutionException(e);
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            LOG.error("The demo failed", e);
            commandLine
                    .getErr()
                    .println(
                            "error: the demo failed: "
                                    + root.getClass().getSimpleName()
                                    + ": "
                                    + root.getMessage()
                                    + " (the log has the full stack trace)");
            commandLine.getErr().flush();
            return 1;
        }

        PrintWriter out = commandLine.getOut();
        out.println();
        out.println("saltstream demo report");
        out.print(report.toTable());
        out.flush();
        if (reportFile != null) {
            try {
                Files.writeString(reportFile, report.toJson() + "\n", StandardCharsets.UTF_8);
                out.println("report written to " + reportFile.toAbsolutePath());
                out.flush();
            } catch (IOException e) {
                commandLine
                        .getErr()
                        .println("error: failed to write the report to " + reportFile + ": " + e);
                return 1;
            }
        }
        return 0;
    }
}
