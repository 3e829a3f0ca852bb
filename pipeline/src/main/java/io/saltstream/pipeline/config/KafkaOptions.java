package io.saltstream.pipeline.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Options of the {@code kafka.*} section: brokers, consumer group, record sizes, transactions. */
public final class KafkaOptions {

    /** Where a consumer group without committed offsets starts reading the frames topic. */
    public enum StartingOffsets {
        /** The first record still in each partition: replays the whole topic. */
        EARLIEST,
        /** Only records written after the job starts. */
        LATEST,
        /** The group's committed offsets; partitions without one start at the earliest record. */
        COMMITTED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Isolation level of the frames consumer (Kafka's {@code isolation.level}). */
    public enum IsolationLevel {
        /** Only records of committed transactions, and non-transactional records. */
        READ_COMMITTED,
        /** Every record, including those of open or aborted transactions. */
        READ_UNCOMMITTED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Returns the value Kafka's {@code isolation.level} property takes. */
        public String kafkaValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka brokers to connect to, as comma-separated host:port.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("saltstream")
                    .withDescription(
                            "Consumer group of the frames source. Offsets are committed to it on"
                                    + " each completed checkpoint, for monitoring and for"
                                    + " starting-offsets 'committed'.");

    public static final ConfigOption<MemorySize> MAX_REQUEST_SIZE =
            ConfigOptions.key("kafka.max-request-size")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(16))
                    .withDescription(
                            "Largest request a sink's producer sends (Kafka's max.request.size),"
                                    + " such as '16 mb'. A bigger record fails instead of being"
                                    + " retried. The broker's message.max.bytes and the topic's"
                                    + " max.message.bytes must allow records of this size.");

    public static final ConfigOption<MemorySize> MAX_PARTITION_FETCH_BYTES =
            ConfigOptions.key("kafka.max-partition-fetch-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(16))
                    .withDescription(
                            "Most data the frames consumer fetches from one partition per request"
                                    + " (Kafka's max.partition.fetch.bytes), such as '16 mb'.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Kafka transaction timeout of the exactly-once sinks"
                                    + " (transaction.timeout.ms). It must be longer than"
                                    + " checkpoint.interval and at most the broker's"
                                    + " transaction.max.timeout.ms (15 min unless the broker"
                                    + " changes it). A job down for longer than this loses the"
                                    + " records of its open transactions.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            ConfigOptions.key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.EARLIEST)
                    .withDescription(
                            "Where the frames source starts when it does not restore from a"
                                    + " checkpoint: earliest, latest or committed.");

    public static final ConfigOption<IsolationLevel> ISOLATION_LEVEL =
            ConfigOptions.key("kafka.isolation-level")
                    .enumType(IsolationLevel.class)
                    .defaultValue(IsolationLevel.READ_COMMITTED)
                    .withDescription(
                            "Which frames the source reads: read-committed skips records of"
                                    + " aborted or open transactions, read-uncommitted reads"
                                    + " every record.");

    public static final ConfigOption<Map<String, String>> PROPERTIES =
            ConfigOptions.key("kafka.properties")
                    .mapType()
                    .noDefaultValue()
                    .withDescription(
                            "Extra Kafka client properties, such as security.protocol or"
                                    + " sasl.mechanism. Each consumer and producer gets the keys"
                                    + " it knows. Keys must be Kafka consumer or producer"
                                    + " settings that no typed option sets.");

    private KafkaOptions() {}
}
