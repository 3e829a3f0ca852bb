package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaCommandTest {

    @TempDir Path folder;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void portOutOfRangeRejected() {
        assertThat(run("--port", "70000")).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '70000' for option '--port': a port is between 1 and 65535;"
                                + " leave --port out to use a free port.");
    }

    @Test
    void portInUseRejected() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            assertThat(run("--port", Integer.toString(port))).isEqualTo(2);
            assertThat(err.toString())
                    .contains("Invalid value '" + port + "' for option '--port': port " + port)
                    .contains("is already in use");
        }
    }

    @Test
    void dirThatIsFileRejected() throws IOException {
        Path file = Files.writeString(folder.resolve("kafka.txt"), "not a directory");

        assertThat(run("--dir", file.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value '"
                                + file
                                + "' for option '--dir': it is a file, not a directory");
    }

    @Test
    void dirWithOtherFilesRejected() throws IOException {
        Path dir = Files.createDirectories(folder.resolve("photos"));
        Files.writeString(dir.resolve("holiday.jpg"), "pixels");

        assertThat(run("--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("for option '--dir': the directory is not empty and holds no Kafka data");
    }

    @Test
    void readOnlyDirRejected() throws IOException {
        Path parent = Files.createDirectories(folder.resolve("read-only"));
        assertThat(parent.toFile().setWritable(false, false)).isTrue();
        try {
            Assumptions.assumeFalse(
                    Files.isWritable(parent),
                    "skipping: this user can write to read-only directories (root)");

            assertThat(run("--dir", parent.resolve("kafka").toString())).isEqualTo(2);
            assertThat(err.toString())
                    .contains("for option '--dir': " + parent + " is not a writable directory");
        } finally {
            parent.toFile().setWritable(true, false);
        }
    }

    @Test
    void zeroPartitionsRejected() {
        assertThat(run("--partitions", "0")).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '0' for option '--partitions': a topic needs at least 1");
    }

    @Test
    void invalidTopicNameRejected() {
        assertThat(run("--topics", "frames,bad name")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value 'bad name' for option '--topics'");
    }

    @Test
    void brokerRunsUntilStopped() throws Exception {
        Path dir = folder.resolve("kafka-data");
        CommandLine commandLine = commandLine();
        KafkaCommand command = commandLine.getSubcommands().get("kafka").getCommand();

        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exitCode =
                    executor.submit(
                            () ->
                                    commandLine.execute(
                                            "kafka", "--dir", dir.toString(), "--partitions", "2"));
            List<String> lines = awaitOutput(exitCode, Duration.ofSeconds(60));

            assertThat(lines.get(0)).matches("bootstrap\\.servers=127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(1)).isEqualTo("log.dir=" + dir.toAbsolutePath());
            assertThat(lines.get(2).substring("topics=".length()).split(","))
                    .containsExactlyInAnyOrder(
                            "frames", "embeddings", "training-metrics", "models", "dead-letters");

            String bootstrapServers = lines.get(0).substring("bootstrap.servers=".length());
            checkTopics(bootstrapServers);

            command.stop();
            assertThat(exitCode.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
            assertThat(command.awaitStopped(Duration.ZERO)).isTrue();
            assertThat(dir.resolve("meta.properties")).exists();
        } finally {
            command.stop();
            executor.shutdown();
            executor.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    private static void checkTopics(String bootstrapServers) throws Exception {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(properties)) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(List.of("frames", "models")).allTopicNames().get();
            assertThat(topics.get("frames").partitions()).hasSize(2);
            assertThat(topics.get("models").partitions()).hasSize(1);

            ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, "models");
            Config config = admin.describeConfigs(List.of(models)).all().get().get(models);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    /** Waits until the command printed its three start-up lines, or fails after the timeout. */
    private List<String> awaitOutput(Future<Integer> exitCode, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = out.toString().lines().toList();
            if (lines.size() >= 3) {
                return lines;
            }
            if (exitCode.isDone()) {
                throw new AssertionError("kafka command ended early; stderr: " + err);
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "kafka command printed no start-up lines within " + timeout + "; stderr: " + err);
    }

    private int run(String... options) {
        List<String> args = new ArrayList<>(List.of("kafka"));
        args.addAll(List.of(options));
        return commandLine().execute(args.toArray(String[]::new));
    }

    private CommandLine commandLine() {
        CommandLine commandLine = SaltstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine;
    }
}
