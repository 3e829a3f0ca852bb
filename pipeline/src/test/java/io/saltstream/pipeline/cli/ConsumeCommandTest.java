package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.kafka.FramePublisher;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import io.saltstream.schemas.codec.AvroCodecs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConsumeCommandTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

    private static EmbeddedKafka kafka;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.builder().build();
        kafka.createTopic("mixed", 1);
        try (FramePublisher publisher =
                FramePublisher.builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopic("mixed")
                        .optProgressOutput(null)
                        .build()) {
            publisher.publish(frame("cam-1", 0));
            publisher.publish(frame("cam-1", 1));
            publisher.publishBytes(
                    "garbage".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8));
            publisher.publish(frame("cam-2", 0));
            assertThat(publisher.finish().records()).isEqualTo(4);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void framesAndGarbagePrintJsonLines() throws IOException {
        int exitCode = run("--topic", "mixed", "--from-beginning", "--max", "4", "--timeout", "20");

        assertThat(exitCode).as(err.toString()).isZero();
        List<JsonNode> lines = jsonLines();
        assertThat(lines).hasSize(4);

        JsonNode first = lines.get(0);
        assertThat(first.get("topic").asText()).isEqualTo("mixed");
        assertThat(first.get("partition").asInt()).isZero();
        assertThat(first.get("offset").asLong()).isZero();
        assertThat(first.get("key").asText()).isEqualTo("cam-1");
        assertThat(first.get("record").get("type").asText()).isEqualTo("Frame");
        assertThat(first.get("record").get("streamId").asText()).isEqualTo("cam-1");
        assertThat(first.get("record").get("sequence").asLong()).isZero();
        assertThat(first.get("record").get("eventTime").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(lines.get(1).get("record").get("sequence").asLong()).isEqualTo(1);

        JsonNode garbage = lines.get(2);
        assertThat(garbage.has("record")).isFalse();
        assertThat(garbage.get("key").asText()).isEqualTo("garbage");
        assertThat(garbage.get("error").asText()).startsWith("NotSingleObjectEncodedException: ");
        assertThat(garbage.get("valueBytes").asInt()).isEqualTo(8);

        assertThat(lines.get(3).get("record").get("streamId").asText()).isEqualTo("cam-2");
        assertThat(err.toString())
                .contains("consumed 3 records from 'mixed'")
                .contains("1 errors (reached --max 4)");
    }

    @Test
    void summaryFormatPrintsOneLinePerRecord() {
        int exitCode =
                run("--topic", "mixed", "--from-beginning", "--max", "3", "--format", "summary");

        assertThat(exitCode).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0))
                .startsWith("mixed-0@0 Frame key=cam-1 streamId=cam-1 sequence=0")
                .contains("encoding=RAW_U8");
        assertThat(lines.get(2)).startsWith("mixed-0@2 ERROR NotSingleObjectEncodedException: ");
    }

    @Test
    void idleTimeoutStopsReading() throws IOException {
        int exitCode = run("--topic", "mixed", "--from-beginning", "--timeout", "1");

        assertThat(exitCode).as(err.toString()).isZero();
        assertThat(jsonLines()).hasSize(4);
        assertThat(err.toString())
                .contains("consumed 3 records from 'mixed'")
                .contains("1 errors (no record for 1 s)");
    }

    @Test
    void withoutFromBeginningOnlyNewRecordsArrive() throws Exception {
        kafka.createTopic("live", 1);
        try (FramePublisher publisher =
                FramePublisher.builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopic("live")
                        .optProgressOutput(null)
                        .build()) {
            publisher.publish(frame("old", 0));
            publisher.flush();

            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> exitCode =
                        executor.submit(
                                () -> run("--topic", "live", "--max", "1", "--timeout", "30"));
                // Publish until the command has read one record, because the test cannot see
                // when the command has positioned itself at the end of the topic.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (long sequence = 0;
                        !exitCode.isDone() && System.nanoTime() < deadline;
                        sequence++) {
                    publisher.publish(frame("new", sequence));
                    publisher.flush();
                    Thread.sleep(100);
                }
                assertThat(exitCode.get(30, TimeUnit.SECONDS)).as(err.toString()).isZero();
            } finally {
                executor.shutdownNow();
            }
        }

        List<JsonNode> lines = jsonLines();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("record").get("streamId").asText()).isEqualTo("new");
    }

    @Test
    void readCommittedHidesAbortedTransaction() throws IOException {
        kafka.createTopic("transactional", 1);
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "consume-command-test");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(encoded(frame("aborted", 0)));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(encoded(frame("committed", 0)));
            producer.commitTransaction();
        }

        int committedExit = run("--topic", "transactional", "--from-beginning", "--timeout", "1");
        assertThat(committedExit).as(err.toString()).isZero();
        List<JsonNode> committed = jsonLines();
        assertThat(committed).hasSize(1);
        assertThat(committed.get(0).get("record").get("streamId").asText()).isEqualTo("committed");

        out.getBuffer().setLength(0);
        int uncommittedExit =
                run(
                        "--topic",
                        "transactional",
                        "--from-beginning",
                        "--timeout",
                        "1",
                        "--isolation",
                        "read_uncommitted");
        assertThat(uncommittedExit).as(err.toString()).isZero();
        List<String> streams =
                jsonLines().stream()
                        .map(line -> line.get("record").get("streamId").asText())
                        .toList();
        assertThat(streams).containsExactly("aborted", "committed");
    }

    @Test
    void missingTopicNamesExistingTopics() {
        int exitCode = run("--topic", "no-such-topic", "--timeout", "5");

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString())
                .contains("topic 'no-such-topic' not found at " + kafka.bootstrapServers())
                .contains("existing topics: ")
                .contains("mixed");
    }

    @Test
    void unreachableBrokerFailsWithinTimeout() throws IOException {
        String address = "127.0.0.1:" + unusedPort();

        int exitCode =
                execute("--bootstrap-servers", address, "--topic", "frames", "--timeout", "1");

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString())
                .contains("no Kafka broker responded at " + address + " within 1 s");
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThat(run("--topic", "mixed", "--max", "0")).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '0' for option '--max': must be at least 1");

        assertThat(run("--topic", "mixed", "--timeout", "0")).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value '0' for option '--timeout': must be at least 1 second.");

        assertThat(run("--topic", "mixed", "--isolation", "dirty")).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Invalid value 'dirty' for option '--isolation': expected read_committed"
                                + " or read_uncommitted.");

        assertThat(execute("--bootstrap-servers", "localhost", "--topic", "mixed")).isEqualTo(2);
        assertThat(err.toString())
                .contains("Invalid value 'localhost' for option '--bootstrap-servers'");

        assertThat(run("--topic", "mixed", "--format", "xml")).isEqualTo(2);
        assertThat(err.toString()).contains("--format");
    }

    private int run(String... options) {
        List<String> args =
                new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers()));
        args.addAll(List.of(options));
        return execute(args.toArray(String[]::new));
    }

    private int execute(String... options) {
        CommandLine commandLine = SaltstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("consume"));
        args.addAll(List.of(options));
        return commandLine.execute(args.toArray(String[]::new));
    }

    private List<JsonNode> jsonLines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString().lines().toList()) {
            lines.add(MAPPER.readTree(line));
        }
        return lines;
    }

    private static ProducerRecord<byte[], byte[]> encoded(Frame frame) {
        return new ProducerRecord<>(
                "transactional",
                frame.getStreamId().getBytes(StandardCharsets.UTF_8),
                AvroCodecs.FRAME.encode(frame));
    }

    private static Frame frame(String streamId, long sequence) {
        return Frame.newBuilder()
                .setStreamId(streamId)
                .setSequence(sequence)
                .setEventTime(START.plusMillis(40 * sequence))
                .setWidth(2)
                .setHeight(2)
                .setChannels(1)
                .setEncoding(FrameEncoding.RAW_U8)
                .setData(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
                .build();
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
