package io.saltstream.pipeline.kafka;

import io.saltstream.schemas.Frame;
import io.saltstream.schemas.codec.AvroCodec;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes Avro records to one Kafka topic, encoded with Avro's single-object encoding (the 2-byte
 * marker, the 8-byte schema fingerprint, then the binary datum), so a reader can tell which schema
 * wrote each record.
 *
 * <p>A {@link Frame} is keyed by its {@code streamId}, so all frames of a stream land in one
 * partition and keep their order. Any other {@link SpecificRecord} is published with a key of the
 * caller's choice.
 *
 * <pre>{@code
 * try (FramePublisher publisher =
 *         FramePublisher.builder().setBootstrapServers("127.0.0.1:9092").setTopic("frames").build()) {
 *     for (Frame frame : frames) {
 *         publisher.publish(frame);
 *     }
 *     PublishSummary summary = publisher.finish();
 * }
 * }</pre>
 *
 * <p>Sends are asynchronous. A callback counts acknowledged records and failures and keeps the
 * first failure. A record that is too large ({@link RecordTooLargeException}, from the client's
 * {@code max.request.size} check or the broker's {@code message.max.bytes}) is never retried: it is
 * counted as an error whose message gives the record's size and the setting to raise. Other
 * failures are bounded by {@code delivery.timeout.ms} (60 s by default here). Once more than {@code
 * maxErrors} records have failed, {@link #publish} throws instead of sending more.
 *
 * <p>Producer defaults: {@code acks=all}, idempotence on, {@code compression.type=lz4}, {@code
 * linger.ms=5}, {@code max.request.size} 16 MiB, {@code buffer.memory} the larger of 32 MiB and
 * twice {@code max.request.size}, {@code max.block.ms} and {@code request.timeout.ms} 30 s. The
 * broker and topic must accept records of that size too: {@link EmbeddedKafka} raises {@code
 * message.max.bytes} to match.
 *
 * <p>Progress goes to a {@link PrintStream} (stderr by default) every 2 s while records are
 * published, and {@link #finish} prints the {@link PublishSummary}. The publisher is meant for one
 * publishing thread.
 */
public final class FramePublisher implements AutoCloseable {

    /** Default {@code max.request.size}: 16 MiB, room for raw video frames. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 16 * 1024 * 1024;

    /** Default {@code delivery.timeout.ms}: the longest a record is retried before it fails. */
    public static final int DEFAULT_DELIVERY_TIMEOUT_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(FramePublisher.class);
    private static final int MIN_BUFFER_MEMORY = 32 * 1024 * 1024;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> RESERVED_KEYS =
            Set.of(
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);

    private final String topic;
    private final String bootstrapServers;
    private final int maxRequestSize;
    private final long maxErrors;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ProgressReporter progress;
    private final PrintStream progressOutput;
    private final Map<Class<? extends SpecificRecord>, AvroCodec<? extends SpecificRecord>> codecs =
            new ConcurrentHashMap<>();

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong acknowledgedBytes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private PublishSummary finalSummary;

    private FramePublisher(Builder builder, Properties producerProperties, int maxRequestSize) {
        this.topic = builder.topic;
        this.bootstrapServers = builder.bootstrapServers;
        this.maxRequestSize = maxRequestSize;
        this.maxErrors = builder.maxErrors;
        this.progressOutput = builder.progressOutput;
        this.progress =
                new ProgressReporter(
                        builder.progressOutput, builder.topic, builder.progressInterval);
        this.producer = new KafkaProducer<>(producerProperties);
        LOG.info(
                "Publishing to topic '{}' at {} (max.request.size={}, compression.type={}, acks={})",
                topic,
                bootstrapServers,
                maxRequestSize,
                producerProperties.getProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG),
                producerProperties.getProperty(ProducerConfig.ACKS_CONFIG));
    }

    /** Returns a builder; {@code setBootstrapServers} and {@code setTopic} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the topic this publisher writes to. */
    public String topic() {
        return topic;
    }

    /**
     * Sends a frame keyed by its {@code streamId}.
     *
     * @throws IllegalArgumentException when the frame is null
     * @throws IllegalStateException after {@link #finish} or {@link #close}
     * @throws KafkaException when more than {@code maxErrors} earlier records failed
     */
    public void publish(Frame frame) {
        if (frame == null) {
            throw new IllegalArgumentException("frame must not be null");
        }
        // The record timestamp is the frame's event time, because the train job's watermarks
        // follow Kafka record timestamps.
        byte[] keyBytes = frame.getStreamId().getBytes(StandardCharsets.UTF_8);
        send(keyBytes, encode(frame), frame.getEventTime().toEpochMilli());
    }

    /**
     * Sends any generated Avro record with single-object encoding.
     *
     * @param key the Kafka key as UTF-8 (records with equal keys stay in one partition, in order),
     *     or {@code null} to let the producer spread records over partitions
     * @param record the record to send
     * @throws IllegalArgumentException when the record is null or a required field is unset
     * @throws IllegalStateException after {@link #finish} or {@link #close}
     * @throws KafkaException when more than {@code maxErrors} earlier records failed
     */
    public void publish(String key, SpecificRecord record) {
        if (record == null) {
            throw new IllegalArgumentException("record must not be null");
        }
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        publishBytes(keyBytes, encode(record));
    }

    /**
     * Sends bytes as they are, for records encoded elsewhere (or, in tests, for bad input).
     *
     * @param key the Kafka key, or {@code null}
     * @param value the record value; must not be null
     * @throws IllegalArgumentException when the value is null
     * @throws IllegalStateException after {@link #finish} or {@link #close}
     * @throws KafkaException when more than {@code maxErrors} earlier records failed
     */
    public void publishBytes(byte[] key, byte[] value) {
        send(key, value, null);
    }

    private void send(byte[] key, byte[] value, Long timestampMillis) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        if (finalSummary != null) {
            throw new IllegalStateException(
                    "publisher for topic '" + topic + "' is already finished or closed");
        }
        long failed = errors.get();
        if (failed > maxErrors) {
            throw new KafkaException(
                    "Stopped publishing to topic '"
                            + topic
                            + "' after "
                            + failed
                            + " failed record(s) (limit "
                            + maxErrors
                            + "): "
                            + firstError.get().getMessage(),
                    firstError.get());
        }
        int size = value.length + (key == null ? 0 : key.length);
        producer.send(
                new ProducerRecord<>(topic, null, timestampMillis, key, value),
                new DeliveryCallback(key, size));
        progress.update(acknowledged.get(), errors.get());
    }

    /** Blocks until every record sent so far is acknowledged or has failed. */
    public void flush() {
        producer.flush();
        progress.update(acknowledged.get(), errors.get());
    }

    /** Returns the counts so far; records still in flight are in neither records nor errors. */
    public PublishSummary summary() {
        if (finalSummary != null) {
            return finalSummary;
        }
        return new PublishSummary(
                topic,
                acknowledged.get(),
                acknowledgedBytes.get(),
                progress.elapsedSeconds(),
                errors.get(),
                firstError.get());
    }

    /**
     * Flushes, closes the producer and prints the summary line to the progress output, or logs it
     * when there is none. Calling it again returns the same summary.
     *
     * @return the final counts; check {@link PublishSummary#hasErrors()}
     */
    public PublishSummary finish() {
        if (finalSummary != null) {
            return finalSummary;
        }
        try {
            producer.flush();
        } finally {
            producer.close(CLOSE_TIMEOUT);
            PublishSummary summary = summary();
            finalSummary = summary;
            progress.finish(summary.describe());
            // The progress output already shows the line, so the log repeats it only at DEBUG.
            if (progressOutput != null) {
                LOG.debug("{}", summary.describe());
            } else if (summary.hasErrors()) {
                LOG.warn("{}", summary.describe());
            } else {
                LOG.info("{}", summary.describe());
            }
        }
        return finalSummary;
    }

    /** Same as {@link #finish()}, for try-with-resources; does nothing when already finished. */
    @Override
    public void close() {
        finish();
    }

    @SuppressWarnings("unchecked")
    private byte[] encode(SpecificRecord record) {
        AvroCodec<SpecificRecord> codec =
                (AvroCodec<SpecificRecord>)
                        codecs.computeIfAbsent(record.getClass(), type -> AvroCodec.of(type));
        return codec.encode(record);
    }

    private Throwable describeFailure(byte[] key, int size, Exception exception) {
        String record =
                "Record with key '"
                        + (key == null ? "" : new String(key, StandardCharsets.UTF_8))
                        + "' ("
                        + size
                        + " bytes of key and value, before compression) for topic '"
                        + topic
                        + "'";
        if (exception instanceof RecordTooLargeException) {
            return new RecordTooLargeException(
                    record
                            + " was rejected as too large: "
                            + exception.getMessage()
                            + " Raise the producer's max.request.size (now "
                            + maxRequestSize
                            + " bytes). If the broker rejected it, also raise the topic's"
                            + " max.message.bytes or the broker's message.max.bytes. Or send"
                            + " smaller records.",
                    exception);
        }
        if (exception instanceof TimeoutException) {
            return new TimeoutException(
                    record
                            + " timed out: "
                            + exception.getMessage()
                            + " Check that a broker is reachable at "
                            + bootstrapServers
                            + " and that the topic exists.",
                    exception);
        }
        return new KafkaException(
                record
                        + " failed: "
                        + exception.getClass().getName()
                        + ": "
                        + exception.getMessage(),
                exception);
    }

    private final class DeliveryCallback implements Callback {
        private final byte[] key;
        private final int size;

        DeliveryCallback(byte[] key, int size) {
            this.key = key;
            this.size = size;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception == null) {
                acknowledged.incrementAndGet();
                acknowledgedBytes.addAndGet(size);
                return;
            }
            long count = errors.incrementAndGet();
            Throwable described = describeFailure(key, size, exception);
            if (firstError.compareAndSet(null, described)) {
                LOG.warn("{}", described.getMessage());
            } else if (Long.bitCount(count) == 1) {
                // Powers of two only, so a broken broker does not flood the log.
                LOG.warn("{} records failed so far; latest: {}", count, described.getMessage());
            }
        }
    }

    /** Builder of {@link FramePublisher}: {@code setX} for required values, {@code optX} else. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private final Map<String, String> producerProperties = new LinkedHashMap<>();
        private long maxErrors = 0;
        private PrintStream progressOutput = System.err;
        private Duration progressInterval = ProgressReporter.DEFAULT_INTERVAL;

        private Builder() {}

        /** Sets the brokers to connect to, for example {@code 127.0.0.1:9092}. */
        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Sets the topic to publish to. */
        public Builder setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /**
         * Sets the largest request the producer sends, in bytes (the producer's {@code
         * max.request.size}); a record bigger than this fails with {@link RecordTooLargeException}.
         * Default {@link #DEFAULT_MAX_REQUEST_SIZE}.
         */
        public Builder optMaxRequestSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException(
                        "max.request.size must be a positive number of bytes, got " + bytes);
            }
            producerProperties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(bytes));
            return this;
        }

        /**
         * Sets a Kafka producer property, overriding this class's default. Unknown keys and the
         * serializer and bootstrap keys are rejected.
         *
         * @throws IllegalArgumentException for an unknown or reserved key or a null value
         */
        public Builder optProducerProperty(String key, String value) {
            if (key == null || !ProducerConfig.configNames().contains(key)) {
                throw new IllegalArgumentException(
                        "Unknown Kafka producer property '"
                                + key
                                + "'; use a key from the Kafka producer configuration, for"
                                + " example linger.ms or compression.type");
            }
            if (RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "Producer property '"
                                + key
                                + "' is set by the publisher; use setBootstrapServers for the"
                                + " brokers (keys and values are always bytes)");
            }
            if (value == null) {
                throw new IllegalArgumentException(
                        "Producer property '" + key + "' must not have a null value");
            }
            producerProperties.put(key, value);
            return this;
        }

        /**
         * Sets how many records may fail before {@link #publish} throws. Default 0: the first
         * failure stops publishing. Records already sent still complete.
         */
        public Builder optMaxErrors(long maxErrors) {
            if (maxErrors < 0) {
                throw new IllegalArgumentException("maxErrors must be >= 0, got " + maxErrors);
            }
            this.maxErrors = maxErrors;
            return this;
        }

        /**
         * Sets where progress and summary lines go; {@code null} prints nothing. Default {@code
         * System.err}.
         */
        public Builder optProgressOutput(PrintStream progressOutput) {
            this.progressOutput = progressOutput;
            return this;
        }

        /** Sets the minimum time between two progress lines. Default 2 s. */
        public Builder optProgressInterval(Duration progressInterval) {
            if (progressInterval == null
                    || progressInterval.isZero()
                    || progressInterval.isNegative()) {
                throw new IllegalArgumentException(
                        "progress interval must be positive, got " + progressInterval);
            }
            this.progressInterval = progressInterval;
            return this;
        }

        /**
         * Validates the settings and connects a producer (the connection itself is lazy: an
         * unreachable broker shows up as a {@link TimeoutException} on the first records).
         *
         * @throws IllegalArgumentException when a required value is missing, the topic name is
         *     invalid, or a producer property has an invalid value
         */
        public FramePublisher build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException(
                        "bootstrap servers must be set, for example 127.0.0.1:9092");
            }
            if (topic == null) {
                throw new IllegalArgumentException("topic must be set, for example 'frames'");
            }
            try {
                Topic.validate(topic);
            } catch (InvalidTopicException e) {
                throw new IllegalArgumentException(
                        "Invalid topic name '" + topic + "': " + e.getMessage(), e);
            }
            Properties properties = producerProperties();
            Map<String, Object> parsed;
            try {
                parsed = ProducerConfig.configDef().parse(properties);
            } catch (ConfigException e) {
                throw new IllegalArgumentException(
                        "Invalid Kafka producer property: " + e.getMessage(), e);
            }
            int maxRequestSize = (Integer) parsed.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            if (!producerProperties.containsKey(ProducerConfig.BUFFER_MEMORY_CONFIG)) {
                // The buffer must hold at least one maximum-size record, or such a record fails.
                properties.put(
                        ProducerConfig.BUFFER_MEMORY_CONFIG,
                        Long.toString(Math.max(MIN_BUFFER_MEMORY, 2L * maxRequestSize)));
            }
            return new FramePublisher(this, properties, maxRequestSize);
        }

        private Properties producerProperties() {
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            properties.put(ProducerConfig.CLIENT_ID_CONFIG, "saltstream-publisher-" + topic);
            properties.put(
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            properties.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            properties.put(
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                    Integer.toString(DEFAULT_MAX_REQUEST_SIZE));
            properties.put(
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    Integer.toString(DEFAULT_DELIVERY_TIMEOUT_MS));
            properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
            properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
            properties.putAll(producerProperties);
            return properties;
        }
    }
}
