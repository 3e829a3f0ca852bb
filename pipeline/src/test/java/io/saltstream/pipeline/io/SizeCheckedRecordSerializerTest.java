package io.saltstream.pipeline.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class SizeCheckedRecordSerializerTest {

    private static final SerializationSchema<String> UTF8 =
            text -> text.getBytes(StandardCharsets.UTF_8);

    @Test
    void writesTopicKeyValueAndTimestamp() {
        SizeCheckedRecordSerializer<String> serializer =
                new SizeCheckedRecordSerializer<>(
                        "embeddings", UTF8, text -> "key-" + text.length(), 1 << 20);

        ProducerRecord<byte[], byte[]> record = serializer.serialize("hello", null, 1234L);

        assertThat(record.topic()).isEqualTo("embeddings");
        assertThat(record.partition()).isNull();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("key-5");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(record.timestamp()).isEqualTo(1234L);
    }

    @Test
    void noExtractorAndNegativeTimestampGiveNulls() {
        SizeCheckedRecordSerializer<String> serializer =
                new SizeCheckedRecordSerializer<>("dead-letters", UTF8, null, 1 << 20);

        ProducerRecord<byte[], byte[]> record = serializer.serialize("x", null, -1L);

        assertThat(record.key()).isNull();
        assertThat(record.timestamp()).isNull();
    }

    @Test
    void recordAboveMaxRequestSizeIsSkipped() {
        int limit = 1024;
        SizeCheckedRecordSerializer<String> serializer =
                new SizeCheckedRecordSerializer<>("models", UTF8, text -> "k", limit);
        String fits = "a".repeat(limit - SizeCheckedRecordSerializer.RECORD_OVERHEAD_BYTES - 1);
        String tooLarge = fits + "b";

        assertThat(serializer.serialize(fits, null, null)).isNotNull();
        assertThat(serializer.serialize(tooLarge, null, null)).isNull();
    }
}
