package io.saltstream.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FramePublisherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

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
    void framesKeepStreamOrder() throws IOException {
        kafka.createTopic("ordered", 3);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PublishSummary summary;
        try (FramePublisher publisher =
                FramePublisher.builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopic("ordered")
                        .optProgressOutput(new PrintStream(progress, true, StandardCharsets.UTF_8))
                        .build()) {
            for (int i = 0; i < 100; i++) {
                publisher.publish(frame("stream-" + (i % 4), i / 4, 16));
            }
            summary = publisher.finish();
        }

        assertThat(summary.records()).isEqualTo(100);
        assertThat(summary.errors()).isZero();
        assertThat(summary.firstError()).isNull();
        assertThat(summary.bytes()).isGreaterThan(100L * 16);
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("published 100 records")
                .contains("to 'ordered'")
                .contains("0 errors");

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readCommitted(kafka.bootstrapServers(), "ordered", 100, TIMEOUT);
        assertThat(records).hasSize(100);
        Map<String, List<Long>> sequences = new HashMap<>();
        Map<String, Set<Integer>> partitions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Frame frame = Frame.getDecoder().decode(record.value());
            assertThat(new String(record.key(), StandardCharsets.UTF_8))
                    .isEqualTo(frame.getStreamId());
            assertThat(record.timestamp()).isEqualTo(frame.getEventTime().toEpochMilli());
            sequences
                    .computeIfAbsent(frame.getStreamId(), id -> new ArrayList<>())
                    .add(frame.getSequence());
            partitions
                    .computeIfAbsent(frame.getStreamId(), id -> new HashSet<>())
                    .add(record.partition());
        }
        assertThat(sequences).hasSize(4);
        for (String streamId : sequences.keySet()) {
            assertThat(sequences.get(streamId)).as(streamId).isSorted().hasSize(25);
            assertThat(sequences.get(streamId).get(0)).as(streamId).isZero();
            assertThat(partitions.get(streamId)).as(streamId).hasSize(1);
        }
    }

    @Test
    void anyRecordPublishedWithGivenKey() throws IOException {
        kafka.createTopic("keyed", 1);
        Frame frame = frame("stream-a", 7, 4);
        try (FramePublisher publisher = quietPublisher("keyed").build()) {
            publisher.publish("custom-key", frame);
            publisher.publish(null, frame);
            assertThat(publisher.finish().records()).isEqualTo(2);
        }

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readCommitted(kafka.bootstrapServers(), "keyed", 2, TIMEOUT);
        assertThat(records).hasSize(2);
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8))
                .isEqualTo("custom-key");
        assertThat(records.get(1).key()).isNull();
        assertThat(Frame.getDecoder().decode(records.get(0).value())).isEqualTo(frame);
    }

    @Test
    void oversizedRecordFailsWithSize() {
        kafka.createTopic("client-limit", 1);
        FramePublisher publisher =
                quietPublisher("client-limit").optMaxRequestSize(64 * 1024).build();

        publisher.publish(frame("big", 0, 100 * 1024));
        // The client rejects the record in send(), so the next call already gets the failure.
        assertThatThrownBy(() -> publisher.publish(frame("big", 1, 16)))
                .isInstanceOf(KafkaException.class)
                .hasMessageContaining(
                        "Stopped publishing to topic 'client-limit' after 1 failed record(s)");
        PublishSummary summary = publisher.finish();

        assertThat(summary.records()).isZero();
        assertThat(summary.errors()).isEqualTo(1);
        assertThat(summary.firstError())
                .isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("Record with key 'big'")
                .hasMessageContaining("bytes of key and value")
                .hasMessageContaining("Raise the producer's max.request.size (now 65536 bytes)");
        assertThat(summary.describe())
                .contains("1 errors")
                .contains("first error: Record with key 'big'");
    }

    @Test
    void brokerRejectionIsNotRetried() {
        kafka.createTopics(
                List.of(
                        EmbeddedKafka.newTopic(
                                "broker-limit",
                                1,
                                Map.of(
                                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                        Integer.toString(32 * 1024)))));
        PublishSummary summary;
        try (FramePublisher publisher = quietPublisher("broker-limit").optMaxErrors(10).build()) {
            // Random pixels do not compress, so the batch stays above the topic's limit.
            publisher.publish(frame("noise", 0, 64 * 1024));
            publisher.publish(frame("small", 0, 16));
            summary = publisher.finish();
        }

        assertThat(summary.errors()).isEqualTo(1);
        assertThat(summary.records()).isEqualTo(1);
        assertThat(summary.firstError())
                .isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("Record with key 'noise'")
                .hasMessageContaining("max.message.bytes");
    }

    @Test
    void unreachableBrokerTimesOut() throws IOException {
        String address = "127.0.0.1:" + unusedPort();
        PublishSummary summary;
        try (FramePublisher publisher =
                FramePublisher.builder()
                        .setBootstrapServers(address)
                        .setTopic("nowhere")
                        .optProgressOutput(null)
                        .optProducerProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "500")
                        .build()) {
            publisher.publish(frame("lost", 0, 16));
            summary = publisher.finish();
        }

        assertThat(summary.errors()).isEqualTo(1);
        assertThat(summary.firstError())
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("Check that a broker is reachable at " + address);
    }

    @Test
    void builderRejectsInvalidSettings() {
        assertThatThrownBy(() -> FramePublisher.builder().setTopic("frames").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bootstrap servers must be set, for example 127.0.0.1:9092");
        assertThatThrownBy(
                        () -> FramePublisher.builder().setBootstrapServers("127.0.0.1:9").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic must be set, for example 'frames'");
        assertThatThrownBy(
                        () ->
                                FramePublisher.builder()
                                        .setBootstrapServers("127.0.0.1:9")
                                        .setTopic("bad topic")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid topic name 'bad topic'");
        assertThatThrownBy(() -> FramePublisher.builder().optMaxRequestSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max.request.size must be a positive number of bytes, got 0");
        assertThatThrownBy(() -> FramePublisher.builder().optMaxErrors(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxErrors must be >= 0, got -1");
        assertThatThrownBy(() -> FramePublisher.builder().optProducerProperty("lingr.ms", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown Kafka producer property 'lingr.ms'");
        assertThatThrownBy(
                        () ->
                                FramePublisher.builder()
                                        .optProducerProperty(
                                                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is set by the publisher");
        assertThatThrownBy(
                        () ->
                                FramePublisher.builder()
                                        .setBootstrapServers("127.0.0.1:9")
                                        .setTopic("frames")
                                        .optProducerProperty(
                                                ProducerConfig.LINGER_MS_CONFIG, "soon")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid Kafka producer property")
                .hasMessageContaining("linger.ms");
    }

    @Test
    void finishedPublisherRejectsRecords() {
        FramePublisher publisher = quietPublisher("finished").build();
        PublishSummary first = publisher.finish();

        assertThat(publisher.finish()).isSameAs(first);
        assertThatThrownBy(() -> publisher.publish(frame("late", 0, 4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("publisher for topic 'finished' is already finished or closed");
    }

    private static FramePublisher.Builder quietPublisher(String topic) {
        return FramePublisher.builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopic(topic)
                .optProgressOutput(null);
    }

    private static Frame frame(String streamId, long sequence, int size) {
        byte[] pixels = new byte[size];
        new Random(sequence).nextBytes(pixels);
        return Frame.newBuilder()
                .setStreamId(streamId)
                .setSequence(sequence)
                .setEventTime(START.plusMillis(40 * sequence))
                .setWidth(size)
                .setHeight(1)
                .setChannels(1)
                .setEncoding(FrameEncoding.RAW_U8)
                .setData(ByteBuffer.wrap(pixels))
                .build();
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
