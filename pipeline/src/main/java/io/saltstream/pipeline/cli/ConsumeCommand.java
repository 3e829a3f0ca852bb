package io.saltstream.pipeline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saltstream.schemas.codec.AnyRecordDecoder;
import io.saltstream.schemas.codec.RecordJson;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code saltstream consume}: prints the records of a topic, one line each, decoding any of the
 * saltstream record types (Frame, Embedding, TrainingMetrics, ModelSnapshot, DeadLetter) from their
 * single-object encoding.
 *
 * <p>The command reads every partition without a consumer group, so it commits no offsets and never
 * disturbs a running job. A record that cannot be decoded prints a line with an {@code "error"}
 * field and is counted; the command goes on. It stops after {@code --max} records or when no record
 * arrived for {@code --timeout} seconds, then prints a summary line on stderr.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Print the records of a Kafka topic as JSON lines (or one-line summaries).",
            "Decodes Frame, Embedding, TrainingMetrics, ModelSnapshot and DeadLetter records;"
                    + " undecodable records print an \"error\" line and are counted."
        })
public final class ConsumeCommand implements Callable<Integer> {

    /** Output format of each record. */
    enum Format {
        /** One JSON object per line: Kafka coordinates and the record under "record". */
        JSON,
        /** One short line per record: coordinates, type and the record's scalar fields. */
        SUMMARY
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumeCommand.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka brokers to connect to, comma-separated, e.g. 127.0.0.1:9092.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            required = true,
            paramLabel = "TOPIC",
            description = "Topic to read.")
    String topic;

    @Option(
            names = "--max",
            paramLabel = "N",
            description = "Stop after N records, decoded or not, at least 1 (default: no limit).")
    Long max;

    @Option(
            names = "--from-beginning",
            description =
                    "Read from the oldest record of each partition (default: only records that"
                            + " arrive after the start).")
    boolean fromBeginning;

    @Option(
            names = "--format",
            defaultValue = "json",
            paramLabel = "FORMAT",
            description = "Output format: json or summary (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(
            names = "--timeout",
            defaultValue = "10",
            paramLabel = "SECONDS",
            description =
                    "Stop when no record arrived for this many seconds; also the longest wait"
                            + " for the broker at start (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(
            names = "--isolation",
            defaultValue = "read_committed",
            paramLabel = "LEVEL",
            description =
                    "read_committed shows only records of committed transactions (what the"
                            + " pipeline's exactly-once sinks write); read_uncommitted shows all"
                            + " (default: ${DEFAULT-VALUE}).")
    String isolation;

    private final AnyRecordDecoder decoder = AnyRecordDecoder.create();
    private long records;
    private long errors;

    @Override
    public Integer call() {
        IsolationLevel isolationLevel = validate();
        records = 0;
        errors = 0;
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        long startNanos = System.nanoTime();
        String stopReason;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        consumerProperties(isolationLevel),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(consumer, timeout);
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // Resolve the start offsets now, so records published from here on are all read.
            partitions.forEach(partition -> consumer.position(partition, timeout));
            LOG.info(
                    "Reading {} partition(s) of '{}' at {} from the {} ({})",
                    partitions.size(),
                    topic,
                    bootstrapServers,
                    fromBeginning ? "beginning" : "end",
                    isolationLevel);
            stopReason = consume(consumer, out, timeout);
        } catch (CommandFailure e) {
            err.println("saltstream consume: " + e.getMessage());
            err.flush();
            return 1;
        } catch (KafkaException e) {
            LOG.debug("Consuming failed", e);
            err.println(
                    "saltstream consume: reading '"
                            + topic
                            + "' at "
                            + bootstrapServers
                            + " failed: "
                            + e.getMessage());
            err.flush();
            return 1;
        }
        out.flush();

        double seconds = (System.nanoTime() - startNanos) / 1e9;
        err.println(
                String.format(
                        Locale.ROOT,
                        "consumed %d records from '%s' in %.1f s, %d errors (%s)",
                        records,
                        topic,
                        seconds,
                        errors,
                        stopReason));
        err.flush();
        return 0;
    }

    private String consume(
            KafkaConsumer<byte[], byte[]> consumer, PrintWriter out, Duration timeout) {
        long lastRecordNanos = System.nanoTime();
        while (true) {
            boolean received = false;
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_INTERVAL)) {
                received = true;
                out.println(render(record));
                if (max != null && records + errors >= max) {
                    return "reached --max " + max;
                }
            }
            out.flush();
            long now = System.nanoTime();
            if (received) {
                lastRecordNanos = now;
            } else if (now - lastRecordNanos >= timeout.toNanos()) {
                return "no record for " + timeoutSeconds + " s";
            }
        }
    }

    /** Renders one Kafka record as a line in the chosen format, counting records and errors. */
    private String render(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("topic", record.topic());
        line.put("partition", record.partition());
        line.put("offset", record.offset());
        line.put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
        line.put(
                "key",
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        if (record.value() == null) {
            // A tombstone: it deletes the key in a compacted topic such as models.
            records++;
            line.putNull("record");
        } else {
            try {
                SpecificRecord decoded = decoder.decode(record.value());
                ObjectNode tree = RecordJson.toJsonTree(decoded);
                records++;
                line.set("record", tree);
            } catch (RuntimeException e) {
                errors++;
                line.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
                line.put("valueBytes", record.value().length);
                LOG.debug(
                        "Record {}-{}@{} cannot be decoded",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e);
            }
        }
        return format == Format.JSON ? toJson(line) : summarize(line);
    }

    private static String toJson(ObjectNode line) {
        try {
            return MAPPER.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Writing a JSON line failed", e);
        }
    }

    /**
     * Formats a line as {@code TOPIC-PARTITION@OFFSET TYPE key=KEY field=value ...}, keeping only
     * the record's scalar fields, or {@code ... ERROR message} for an undecodable record.
     */
    private static String summarize(ObjectNode line) {
        StringBuilder text =
                new StringBuilder()
                        .append(line.get("topic").asText())
                        .append('-')
                        .append(line.get("partition").asInt())
                        .append('@')
                        .append(line.get("offset").asLong());
        if (line.has("error")) {
            return text.append(" ERROR ").append(line.get("error").asText()).toString();
        }
        JsonNode record = line.get("record");
        if (record.isNull()) {
            return text.append(" tombstone key=").append(line.get("key").asText()).toString();
        }
        text.append(' ').append(record.get("type").asText());
        text.append(" key=").append(line.get("key").isNull() ? "" : line.get("key").asText());
        for (Map.Entry<String, JsonNode> field : record.properties()) {
            if (!field.getKey().equals("type") && field.getValue().isValueNode()) {
                text.append(' ')
                        .append(field.getKey())
                        .append('=')
                        .append(field.getValue().asText());
            }
        }
        return text.toString();
    }

    private List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, timeout);
        } catch (TimeoutException e) {
            throw new CommandFailure(
                    "no Kafka broker responded at "
                            + bootstrapServers
                            + " within "
                            + timeoutSeconds
                            + " s. Check the address and that the broker runs ('saltstream"
                            + " kafka' prints its bootstrap.servers), or raise --timeout.");
        }
        if (infos == null || infos.isEmpty()) {
            TreeSet<String> existing = new TreeSet<>(consumer.listTopics(timeout).keySet());
            throw new CommandFailure(
                    "topic '"
                            + topic
                            + "' not found at "
                            + bootstrapServers
                            + "; existing topics: "
                            + (existing.isEmpty() ? "none" : String.join(", ", existing))
                            + ".");
        }
        return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    private Properties consumerProperties(IsolationLevel isolationLevel) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "saltstream-consume");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel.toString());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return properties;
    }

    private IsolationLevel validate() {
        CommandLine commandLine = spec.commandLine();
        IngestCommand.validateBootstrapServers(commandLine, bootstrapServers);
        if (topic.isBlank()) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '' for option '--topic': a topic name must not be empty.");
        }
        if (max != null && max < 1) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + max
                            + "' for option '--max': must be at least 1; leave --max out to read"
                            + " until --timeout.");
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + timeoutSeconds
                            + "' for option '--timeout': must be at least 1 second.");
        }
        for (IsolationLevel level : IsolationLevel.values()) {
            if (level.toString().equalsIgnoreCase(isolation)) {
                return level;
            }
        }
        throw new ParameterException(
                commandLine,
                "Invalid value '"
                        + isolation
                        + "' for option '--isolation': expected read_committed or"
                        + " read_uncommitted.");
    }

    /** A failure with a message for the user; the command prints it without a stack trace. */
    private static final class CommandFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CommandFailure(String message) {
            super(message);
        }
    }
}
