package io.saltstream.pipeline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.pipeline.config.CheckpointOptions;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.codec.AvroCodec;
import io.saltstream.schemas.codec.AvroCodecs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.junit.jupiter.api.Test;

class KafkaSinksTest {

    @Test
    void exactlyOnceProducerPropertiesCarryTransactionTimeout() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(90));
        config.set(KafkaOptions.MAX_REQUEST_SIZE, MemorySize.ofMebiBytes(4));

        Properties properties =
                KafkaSinks.producerProperties(config, DeliveryGuarantee.EXACTLY_ONCE);

        assertThat(properties)
                .containsOnly(
                        Map.entry("max.request.size", Long.toString(4L << 20)),
                        Map.entry("buffer.memory", Long.toString(32L << 20)),
                        Map.entry("transaction.timeout.ms", "90000"));
    }

    @Test
    void atLeastOnceHasNoTransactionTimeout() {
        Properties properties =
                KafkaSinks.producerProperties(new Configuration(), DeliveryGuarantee.AT_LEAST_ONCE);

        assertThat(properties).doesNotContainKey("transaction.timeout.ms");
        assertThat(properties).containsEntry("max.request.size", Long.toString(16L << 20));
    }

    @Test
    void bufferMemoryGrowsWithRequestSize() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.MAX_REQUEST_SIZE, MemorySize.ofMebiBytes(64));

        assertThat(KafkaSinks.producerProperties(config, DeliveryGuarantee.AT_LEAST_ONCE))
                .containsEntry("buffer.memory", Long.toString(128L << 20));
    }

    @Test
    void producerEntriesOfKafkaPropertiesPassOn() {
        Configuration config = new Configuration();
        config.set(
                KafkaOptions.PROPERTIES,
                Map.of("linger.ms", "20", "fetch.min.bytes", "1", "buffer.memory", "1000000"));

        Properties properties =
                KafkaSinks.producerProperties(config, DeliveryGuarantee.AT_LEAST_ONCE);

        assertThat(properties)
                .containsEntry("linger.ms", "20")
                .containsEntry("buffer.memory", "1000000")
                .doesNotContainKey("fetch.min.bytes");
    }

    @Test
    void exactlyOnceWithoutCheckpointsFallsBack() {
        Configuration config = new Configuration();
        config.set(CheckpointOptions.INTERVAL, Duration.ZERO);

        assertThat(
                        KafkaSinks.effectiveGuarantee(
                                config, "embeddings", DeliveryGuarantee.EXACTLY_ONCE))
                .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    }

    @Test
    void requestedGuaranteeKeptWithCheckpoints() {
        Configuration config = new Configuration();

        for (DeliveryGuarantee guarantee : DeliveryGuarantee.values()) {
            assertThat(KafkaSinks.effectiveGuarantee(config, "embeddings", guarantee))
                    .isEqualTo(guarantee);
        }
    }

    @Test
    void transactionalIdPrefixNamesJobAndTopic() {
        Configuration config = new Configuration();
        config.set(JobOptions.NAME, "nightly");

        assertThat(KafkaSinks.transactionalIdPrefix(config, "models")).isEqualTo("nightly-models");
    }

    @Test
    void buildsSinksForEveryGuarantee() {
        Configuration config = new Configuration();

        for (DeliveryGuarantee guarantee : DeliveryGuarantee.values()) {
            KafkaSink<Embedding> sink =
                    KafkaSinks.avro(
                            config,
                            "embeddings",
                            AvroCodecs.EMBEDDING,
                            Embedding::getStreamId,
                            guarantee);
            assertThat(sink).as(guarantee.toString()).isNotNull();
        }
    }

    @Test
    void codecSerializerWritesSingleObjectAvro() {
        Embedding embedding =
                Embedding.newBuilder()
                        .setId("s-0-0")
                        .setStreamId("s")
                        .setFirstSequence(0L)
                        .setLastSequence(0L)
                        .setEventTime(Instant.ofEpochMilli(1_000L))
                        .setModelVersion("v1")
                        .setModelStep(10L)
                        .setVector(List.of(0.5f, -1f))
                        .build();

        byte[] bytes =
                new KafkaSinks.AvroCodecSerializationSchema<>(AvroCodecs.EMBEDDING)
                        .serialize(embedding);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(AvroCodecs.EMBEDDING.decode(bytes)).isEqualTo(embedding);
    }

    @Test
    void invalidTopicIsRejected() {
        assertThatThrownBy(
                        () ->
                                KafkaSinks.avro(
                                        new Configuration(),
                                        "bad topic",
                                        AvroCodecs.EMBEDDING,
                                        null,
                                        DeliveryGuarantee.AT_LEAST_ONCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid sink topic 'bad topic': must be a Kafka topic name");
    }

    @Test
    void missingCodecIsRejected() {
        assertThatThrownBy(
                        () ->
                                KafkaSinks.avro(
                                        new Configuration(),
                                        "embeddings",
                                        (AvroCodec<Embedding>) null,
                                        null,
                                        DeliveryGuarantee.AT_LEAST_ONCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("codec must not be null for the sink of 'embeddings'");
    }

    @Test
    void invalidConfigIsRejected() {
        Configuration config = new Configuration();
        config.set(KafkaOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(5));

        assertThatThrownBy(
                        () ->
                                KafkaSinks.avro(
                                        config,
                                        "embeddings",
                                        AvroCodecs.EMBEDDING,
                                        null,
                                        DeliveryGuarantee.EXACTLY_ONCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "invalid values: 'kafka.transaction-timeout' (5 s) must be longer than"
                                + " 'checkpoint.interval' (10 s)");
    }
}
