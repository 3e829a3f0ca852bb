package io.saltstream.pipeline.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.source.RawRecord;
import io.saltstream.pipeline.config.CheckpointOptions;
import io.saltstream.pipeline.config.FlinkSettings;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.kafka.TopicReader;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.codec.AvroCodecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Writes through {@link KafkaSinks} and reads through {@link KafkaSources} on a real broker. */
class KafkaIoIT {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static EmbeddedKafka kafka;

    @TempDir static Path checkpoints;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.builder().build();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Configuration config(String jobName) {
        Configuration config = new Configuration();
        config.set(KafkaOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        config.set(JobOptions.NAME, jobName);
        config.set(CheckpointOptions.INTERVAL, Duration.ofMillis(500));
        config.set(CheckpointOptions.DIR, checkpoints.resolve(jobName).toString());
        return config;
    }

    private static Embedding embedding(String streamId, long sequence) {
        return Embedding.newBuilder()
                .setId(streamId + "-" + sequence + "-" + sequence)
                .setStreamId(streamId)
                .setFirstSequence(sequence)
                .setLastSequence(sequence)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + sequence))
                .setModelVersion("v1")
                .setModelStep(100L)
                .setVector(List.of(0.25f * sequence, -1f, 3.5f))
                .build();
    }

    @Test
    void exactlyOnceSinkCommitsEveryRecord() throws Exception {
        String topic = "embeddings-exactly-once";
        kafka.createTopic(topic, 2);
        List<Embedding> embeddings = new ArrayList<>();
        for (long sequence = 0; sequence < 20; sequence++) {
            embeddings.add(embedding("camera-" + (sequence % 3), sequence));
        }
        Configuration config = config("kafka-io-it");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));

        env.fromData(embeddings, new AvroTypeInfo<>(Embedding.class))
                .sinkTo(
                        KafkaSinks.avro(
                                config,
                                topic,
                                AvroCodecs.EMBEDDING,
                                Embedding::getStreamId,
                                DeliveryGuarantee.EXACTLY_ONCE))
                .name("embeddings-sink");
        env.execute();

        // Flink created the job's folder under checkpoint.dir, so FlinkSettings took effect.
        try (var files = Files.list(checkpoints.resolve("kafka-io-it"))) {
            assertThat(files).isNotEmpty();
        }

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readCommitted(
                        kafka.bootstrapServers(), topic, embeddings.size(), READ_TIMEOUT);
        List<Embedding> read = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Embedding decoded = AvroCodecs.EMBEDDING.decode(record.value());
            assertThat(new String(record.key(), StandardCharsets.UTF_8))
                    .isEqualTo(decoded.getStreamId());
            read.add(decoded);
        }
        read.sort(Comparator.comparingLong(Embedding::getFirstSequence));
        assertThat(read).isEqualTo(embeddings);
        try (Admin admin = kafka.newAdminClient()) {
            List<String> transactionalIds =
                    admin.listTransactions().all().get().stream()
                            .map(TransactionListing::transactionalId)
                            .toList();
            assertThat(transactionalIds).anyMatch(id -> id.startsWith("kafka-io-it-" + topic));
        }
    }

    @Test
    void framesSourceDeliversRecordsUndecoded() throws Exception {
        String topic = "frames-source";
        kafka.createTopic(topic, 1);
        byte[] garbage = "not an avro frame".getBytes(StandardCharsets.UTF_8);
        byte[] other = {(byte) 0xC3, 0x01, 0, 0};
        Properties producerProperties = new Properties();
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        producerProperties, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    0,
                                    1_000L,
                                    "s1".getBytes(StandardCharsets.UTF_8),
                                    garbage))
                    .get();
            producer.send(new ProducerRecord<>(topic, 0, 2_000L, (byte[]) null, other)).get();
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    0,
                                    3_000L,
                                    "s1".getBytes(StandardCharsets.UTF_8),
                                    (byte[]) null))
                    .get();
        }
        Configuration config = config("kafka-io-it-source");
        config.set(TopicOptions.FRAMES, topic);
        config.set(KafkaOptions.GROUP_ID, "kafka-io-it");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));

        List<RawRecord> records =
                env.fromSource(
                                KafkaSources.frames(config),
                                KafkaSources.watermarks(config),
                                "frames")
                        .executeAndCollect(3);

        records.sort(Comparator.comparingLong(record -> record.offset));
        assertThat(records)
                .containsExactly(
                        new RawRecord(
                                topic,
                                0,
                                0L,
                                1_000L,
                                "s1".getBytes(StandardCharsets.UTF_8),
                                garbage),
                        new RawRecord(topic, 0, 1L, 2_000L, null, other),
                        new RawRecord(
                                topic, 0, 2L, 3_000L, "s1".getBytes(StandardCharsets.UTF_8), null));
    }
}
