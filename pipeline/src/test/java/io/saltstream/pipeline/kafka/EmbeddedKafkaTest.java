package io.saltstream.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.builder().build();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void bootstrapServersUseLoopback() {
        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
        assertThat(kafka.port()).isBetween(1, 65535);
        assertThat(kafka.logDir().resolve("meta.properties")).exists();
        assertThat(kafka.clusterId()).isNotBlank();
    }

    @Test
    void createTopicSkipsExistingTopic() throws Exception {
        assertThat(kafka.createTopic("create-twice", 3)).isTrue();
        assertThat(kafka.createTopic("create-twice", 3)).isFalse();

        assertThat(kafka.listTopics()).contains("create-twice");
        try (Admin admin = kafka.newAdminClient()) {
            int partitions =
                    admin.describeTopics(List.of("create-twice"))
                            .allTopicNames()
                            .get()
                            .get("create-twice")
                            .partitions()
                            .size();
            assertThat(partitions).isEqualTo(3);
        }
    }

    @Test
    void compactedTopicHasCompactPolicy() throws Exception {
        assertThat(kafka.createCompactedTopic("compacted")).isTrue();

        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
        try (Admin admin = kafka.newAdminClient()) {
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    @Test
    void createTopicRejectsInvalidArguments() {
        assertThatThrownBy(() -> kafka.createTopic("bad name", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid topic name 'bad name'");
        assertThatThrownBy(() -> kafka.createTopic("no-partitions", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs at least 1 partition, got 0");
    }

    @Test
    void producedRecordsAreConsumed() {
        kafka.createTopic("round-trip", 2);

        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(record("round-trip", "key-" + i, "value-" + i));
            }
            producer.flush();
        }

        List<String> values =
                values(
                        TopicReader.readCommitted(
                                kafka.bootstrapServers(), "round-trip", 5, TIMEOUT));
        assertThat(values)
                .containsExactlyInAnyOrder("value-0", "value-1", "value-2", "value-3", "value-4");
    }

    @Test
    void recordsAboveOneMegabyteFit() {
        kafka.createTopic("large-records", 1);
        byte[] twoMebibytes = new byte[2 * 1024 * 1024];
        Arrays.fill(twoMebibytes, (byte) 7);

        try (KafkaProducer<byte[], byte[]> producer =
                producer(
                        Map.of(
                                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                Integer.toString(EmbeddedKafka.DEFAULT_MESSAGE_MAX_BYTES),
                                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                                "none"))) {
            producer.send(new ProducerRecord<>("large-records", twoMebibytes));
            producer.flush();
        }

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readCommitted(kafka.bootstrapServers(), "large-records", 1, TIMEOUT);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).value()).isEqualTo(twoMebibytes);
    }

    @Test
    void abortedTransactionIsInvisibleToReadCommitted() {
        kafka.createTopic("transactions", 1);

        try (KafkaProducer<byte[], byte[]> producer =
                producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-test"))) {
            producer.initTransactions();

            producer.beginTransaction();
            producer.send(record("transactions", "k", "committed-1"));
            producer.send(record("transactions", "k", "committed-2"));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(record("transactions", "k", "aborted-1"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(record("transactions", "k", "committed-3"));
            producer.commitTransaction();
        }

        List<String> committed =
                values(
                        TopicReader.readCommitted(
                                kafka.bootstrapServers(), "transactions", 3, TIMEOUT));
        assertThat(committed).containsExactly("committed-1", "committed-2", "committed-3");

        List<String> uncommitted =
                values(
                        TopicReader.read(
                                kafka.bootstrapServers(),
                                "transactions",
                                4,
                                TIMEOUT,
                                "read_uncommitted"));
        assertThat(uncommitted)
                .containsExactly("committed-1", "committed-2", "aborted-1", "committed-3");
    }

    @Test
    void restartOnSameDirectoryKeepsData(@TempDir Path tempDir) {
        Path logDir = tempDir.resolve("kafka");
        String clusterId;
        try (EmbeddedKafka first = EmbeddedKafka.builder().optLogDir(logDir).build()) {
            clusterId = first.clusterId();
            first.createTopic("kept", 1);
            try (KafkaProducer<byte[], byte[]> producer =
                    producer(first.bootstrapServers(), Map.of())) {
                producer.send(record("kept", "k", "before-restart"));
                producer.flush();
            }
        }
        assertThat(logDir.resolve("meta.properties")).exists();

        try (EmbeddedKafka second = EmbeddedKafka.builder().optLogDir(logDir).build()) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(second.listTopics()).contains("kept");
            List<String> values =
                    values(
                            TopicReader.readCommitted(
                                    second.bootstrapServers(), "kept", 1, TIMEOUT));
            assertThat(values).containsExactly("before-restart");
        }
    }

    @Test
    void closeDeletesTemporaryDirectory() throws IOException {
        int port = freePort();
        EmbeddedKafka fixed = EmbeddedKafka.builder().optPort(port).build();
        Path logDir = fixed.logDir();
        assertThat(fixed.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
        assertThat(logDir).isDirectory();

        fixed.close();
        fixed.close();

        assertThat(logDir).doesNotExist();
        assertThatThrownBy(() -> fixed.createTopic("late", 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is already closed");
    }

    @Test
    void portInUseIsRejectedBeforeStart() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafka.builder().optPort(port).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Port " + port + " on 127.0.0.1 is already in use");
        }
    }

    @Test
    void builderRejectsInvalidSettings(@TempDir Path tempDir) throws IOException {
        assertThatThrownBy(() -> EmbeddedKafka.builder().optPort(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be between 1 and 65535, got 0");
        assertThatThrownBy(() -> EmbeddedKafka.builder().optBrokerProperty("no.such.key", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown Kafka broker property 'no.such.key'");
        assertThatThrownBy(() -> EmbeddedKafka.builder().optStartTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("start timeout must be positive, got PT0S");

        Path file = Files.writeString(tempDir.resolve("a-file"), "x");
        assertThatThrownBy(() -> EmbeddedKafka.builder().optLogDir(file).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a file, not a directory");

        Path unformatted = Files.createDirectories(tempDir.resolve("unformatted"));
        Files.writeString(unformatted.resolve("notes.txt"), "not Kafka data");
        assertThatThrownBy(() -> EmbeddedKafka.builder().optLogDir(unformatted).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not empty and was not formatted by Kafka");
    }

    @Test
    void invalidBrokerPropertyValueIsRejected() {
        assertThatThrownBy(
                        () ->
                                EmbeddedKafka.builder()
                                        .optBrokerProperty("message.max.bytes", "lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "Invalid value 'lots' for Kafka broker property 'message.max.bytes'");
        assertThatThrownBy(() -> EmbeddedKafka.builder().optBrokerProperty("num.io.threads", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "Invalid value '0' for Kafka broker property 'num.io.threads'");
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, String> overrides) {
        return producer(kafka.bootstrapServers(), overrides);
    }

    private static KafkaProducer<byte[], byte[]> producer(
            String bootstrapServers, Map<String, String> overrides) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.putAll(overrides);
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(
                topic,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(record -> new String(record.value(), StandardCharsets.UTF_8))
                .toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
