package io.saltstream.pipeline.cli;

import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code saltstream kafka}: runs one embedded Kafka broker ({@link EmbeddedKafka}) in the
 * foreground until the process is interrupted (Ctrl-C or SIGTERM), for the local demo.
 *
 * <p>The first line on stdout is {@code bootstrap.servers=127.0.0.1:PORT}, so a script can read the
 * address; {@code log.dir=...} and {@code topics=...} follow. Logs go to stderr.
 */
@Command(
        name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Run a single-node Kafka broker on 127.0.0.1 in the foreground until interrupted"
                    + " (Ctrl-C), for the local demo.",
            "Prints bootstrap.servers=127.0.0.1:PORT as the first line on stdout."
        })
public final class KafkaCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommand.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Client port on 127.0.0.1, 1 to 65535 (default: a free port).")
    Integer port;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description =
                    "Log directory, kept after exit so topics and records survive a restart"
                            + " (default: a temporary directory deleted on exit).")
    Path dir;

    @Option(
            names = "--topics",
            split = ",",
            paramLabel = "TOPIC",
            description =
                    "Topics to create at start, comma-separated; existing topics are kept as they"
                            + " are. Default: frames, embeddings, training-metrics, models"
                            + " (compacted), dead-letters. A topic named like the models topic is"
                            + " compacted. Pass --topics= to create none.")
    List<String> topics;

    @Option(
            names = "--partitions",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Partitions of each created topic, at least 1 (default: ${DEFAULT-VALUE});"
                            + " the compacted models topic always has 1.")
    int partitions;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() {
        validate();
        List<NewTopic> newTopics = topicsToCreate();

        EmbeddedKafka kafka;
        try {
            kafka = start();
        } catch (RuntimeException e) {
            LOG.debug("Kafka failed to start", e);
            spec.commandLine().getErr().println("saltstream kafka: " + e.getMessage());
            return 1;
        }

        Thread shutdownHook = new Thread(this::stopAndWait, "saltstream-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            kafka.createTopics(newTopics);
            PrintWriter out = spec.commandLine().getOut();
            out.println("bootstrap.servers=" + kafka.bootstrapServers());
            out.println("log.dir=" + kafka.logDir());
            out.println("topics=" + String.join(",", kafka.listTopics()));
            out.flush();
            LOG.info("Kafka is running at {}; press Ctrl-C to stop", kafka.bootstrapServers());
            stopRequested.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (RuntimeException e) {
            LOG.debug("Kafka failed after start", e);
            spec.commandLine().getErr().println("saltstream kafka: " + e.getMessage());
            return 1;
        } finally {
            kafka.close();
            stopped.countDown();
            removeShutdownHook(shutdownHook);
        }
    }

    /**
     * Asks a running {@link #call()} to close the broker and return. Tests use it instead of a
     * signal; the shutdown hook uses it on Ctrl-C and SIGTERM.
     */
    void stop() {
        stopRequested.countDown();
    }

    /** Returns true when {@link #call()} has closed the broker, waiting up to {@code timeout}. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void stopAndWait() {
        stop();
        try {
            if (!awaitStopped(SHUTDOWN_TIMEOUT)) {
                LOG.warn(
                        "Kafka did not stop within {} s; exiting anyway",
                        SHUTDOWN_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down, so the hook is running or has run.
        }
    }

    private EmbeddedKafka start() {
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder();
        if (port != null) {
            builder.optPort(port);
        }
        if (dir != null) {
            builder.optLogDir(dir);
        }
        return builder.build();
    }

    private void validate() {
        CommandLine commandLine = spec.commandLine();
        if (port != null) {
            validatePort(commandLine, port);
        }
        if (dir != null) {
            validateDir(commandLine, dir);
        }
        if (partitions < 1) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + partitions
                            + "' for option '--partitions': a topic needs at least 1 partition.");
        }
    }

    private static void validatePort(CommandLine commandLine, int port) {
        if (port < 1 || port > 65535) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + port
                            + "' for option '--port': a port is between 1 and 65535; leave --port"
                            + " out to use a free port.");
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + port
                            + "' for option '--port': port "
                            + port
                            + " on 127.0.0.1 is already in use ("
                            + e.getMessage()
                            + "); choose another port, stop the process that uses it, or leave"
                            + " --port out to use a free port.");
        }
    }

    private static void validateDir(CommandLine commandLine, Path dir) {
        String prefix = "Invalid value '" + dir + "' for option '--dir': ";
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ParameterException(
                    commandLine,
                    prefix + "it is a file, not a directory; give a new or empty directory.");
        }
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new ParameterException(
                    commandLine,
                    prefix
                            + (existing == null ? "no parent directory exists" : existing)
                            + " is not a writable directory; give a directory you can write to.");
        }
        if (Files.isDirectory(dir)
                && !Files.exists(dir.resolve("meta.properties"))
                && !isEmptyDirectory(dir)) {
            throw new ParameterException(
                    commandLine,
                    prefix
                            + "the directory is not empty and holds no Kafka data (no"
                            + " meta.properties); give a new or empty directory, or one an"
                            + " earlier 'saltstream kafka --dir' run used.");
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private List<NewTopic> topicsToCreate() {
        String modelsTopic = TopicOptions.MODELS.defaultValue();
        List<String> names =
                topics != null
                        ? topics
                        : List.of(
                                TopicOptions.FRAMES.defaultValue(),
                                TopicOptions.EMBEDDINGS.defaultValue(),
                                TopicOptions.TRAINING_METRICS.defaultValue(),
                                modelsTopic,
                                TopicOptions.DEAD_LETTERS.defaultValue());
        List<NewTopic> result = new ArrayList<>();
        for (String name : names) {
            String topic = name.strip();
            if (topic.isEmpty()) {
                continue;
            }
            try {
                Topic.validate(topic);
            } catch (InvalidTopicException e) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid value '"
                                + topic
                                + "' for option '--topics': "
                                + e.getMessage()
                                + " Use letters, digits, '.', '_' and '-'.");
            }
            if (topic.equals(modelsTopic)) {
                result.add(
                        EmbeddedKafka.newTopic(
                                topic,
                                1,
                                Map.of(
                                        TopicConfig.CLEANUP_POLICY_CONFIG,
                                        TopicConfig.CLEANUP_POLICY_COMPACT)));
            } else {
                result.add(EmbeddedKafka.newTopic(topic, partitions, Map.of()));
            }
        }
        return result;
    }
}
