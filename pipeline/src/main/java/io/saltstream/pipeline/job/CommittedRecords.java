package io.saltstream.pipeline.job;

import io.saltstream.schemas.codec.AvroCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every committed record of a topic, from the beginning up to the end offsets at the time of
 * the call, with {@code isolation.level=read_committed} and without a consumer group.
 *
 * <p>With read_committed the end offsets are the last stable offsets, so records of open
 * transactions are neither returned nor waited for: call it after the job that writes the topic has
 * finished, or has committed what the caller expects.
 */
public final class CommittedRecords {

    private CommittedRecords() {}

    /**
     * Passes each committed record to {@code action}, in partition order.
     *
     * @param timeout how long reading may take in total
     * @return the number of records read
     * @throws IllegalStateException when the topic does not exist or the end is not reached within
     *     the timeout
     */
    public static long forEach(
            String bootstrapServers,
            String topic,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> action) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
        properties.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, timeout)
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            if (partitions.isEmpty()) {
                throw new IllegalStateException(
                        "topic '" + topic + "' not found on " + bootstrapServers);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "timed out after "
                                    + timeout.toSeconds()
                                    + " s reading topic '"
                                    + topic
                                    + "': read "
                                    + count
                                    + " records, end offsets "
                                    + end);
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    action.accept(record);
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Decodes every committed record of a topic with {@code codec}.
     *
     * @throws IllegalStateException as {@link #forEach}
     * @throws io.saltstream.schemas.codec.RecordDecodeException when a record does not decode
     */
    public static <T extends SpecificRecord> List<T> readAll(
            String bootstrapServers, String topic, AvroCodec<T> codec, Duration timeout) {
        List<T> records = new ArrayList<>();
        forEach(
                bootstrapServers,
                topic,
                timeout,
                record -> records.add(codec.decode(record.value())));
        return records;
    }

    private static boolean reachedEnd(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            // Transaction markers take offsets too, so the position may pass the last record.
            if (consumer.position(partition.getKey()) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }
}
