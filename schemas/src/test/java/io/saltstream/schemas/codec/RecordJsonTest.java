package io.saltstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.SampleRecords;
import io.saltstream.schemas.TrainingMetrics;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecordJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.saltstream.schemas.SampleRecords#all")
    void writesTypeThenEveryFieldOnOneLine(String name, SpecificRecord record) throws Exception {
        String json = RecordJson.toJson(record);

        assertThat(json).doesNotContain("\n");
        List<String> expectedKeys = new ArrayList<>();
        expectedKeys.add("type");
        record.getSchema().getFields().forEach(field -> expectedKeys.add(field.name()));
        assertThat(fieldNames(MAPPER.readTree(json))).containsExactlyElementsOf(expectedKeys);
        assertThat(MAPPER.readTree(json).get("type").asText())
                .isEqualTo(record.getClass().getSimpleName());
    }

    @Test
    void rendersFrame() throws Exception {
        Frame frame = SampleRecords.cameraFrame();

        JsonNode json = MAPPER.readTree(RecordJson.toJson(frame));

        assertThat(json.get("type").asText()).isEqualTo("Frame");
        assertThat(json.get("streamId").asText()).isEqualTo("camera-entrance-01");
        assertThat(json.get("sequence").isIntegralNumber()).isTrue();
        assertThat(json.get("sequence").asLong()).isEqualTo(4711);
        assertThat(json.get("eventTime").asText()).isEqualTo("2024-05-17T08:30:12.345Z");
        assertThat(json.get("width").asInt()).isEqualTo(4);
        assertThat(json.get("height").asInt()).isEqualTo(3);
        assertThat(json.get("channels").asInt()).isEqualTo(3);
        assertThat(json.get("encoding").asText()).isEqualTo("RAW_U8");
        assertThat(fieldNames(json.get("data"))).containsExactly("length", "sha256");
        assertThat(json.get("data").get("length").asInt()).isEqualTo(36);
        assertThat(json.get("data").get("sha256").asText())
                .isEqualTo(sha256Prefix(SampleRecords.pattern(36, 17)));
        assertThat(json.get("label").asInt()).isEqualTo(7);
        assertThat(json.get("source").asText()).isEqualTo("vtest.avi");
    }

    @Test
    void rendersMissingOptionalFieldsAsNull() throws Exception {
        JsonNode json = MAPPER.readTree(RecordJson.toJson(SampleRecords.unlabelledImage()));

        assertThat(json.has("label")).isTrue();
        assertThat(json.get("label").isNull()).isTrue();
        assertThat(json.get("source").isNull()).isTrue();
        assertThat(json.get("encoding").asText()).isEqualTo("PNG");
    }

    @Test
    void summarisesEmbeddingVector() throws Exception {
        Embedding embedding = SampleRecords.labelledEmbedding();

        JsonNode json = MAPPER.readTree(RecordJson.toJson(embedding));

        JsonNode vector = json.get("vector");
        assertThat(fieldNames(vector)).containsExactly("dimension", "head", "norm");
        assertThat(vector.get("dimension").asInt()).isEqualTo(8);
        List<Float> expectedHead = embedding.getVector().subList(0, 4);
        assertThat(vector.get("head")).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat((float) vector.get("head").get(i).asDouble())
                    .as("head[%d]", i)
                    .isEqualTo(expectedHead.get(i));
        }
        double sumOfSquares = 0;
        for (float value : embedding.getVector()) {
            sumOfSquares += value * value;
        }
        assertThat(vector.get("norm").asDouble()).isEqualTo(Math.sqrt(sumOfSquares));
        assertThat(json.get("modelVersion").asText()).isEqualTo("salt-train-demo@1200");
        assertThat(json.get("label").asInt()).isEqualTo(3);
    }

    @Test
    void showsWholeVectorShorterThanHead() throws Exception {
        JsonNode vector =
                MAPPER.readTree(RecordJson.toJson(SampleRecords.shortEmbedding())).get("vector");

        assertThat(vector.get("dimension").asInt()).isEqualTo(2);
        assertThat(vector.get("head").get(0).asDouble()).isEqualTo(3.0);
        assertThat(vector.get("head").get(1).asDouble()).isEqualTo(4.0);
        assertThat(vector.get("head")).hasSize(2);
        assertThat(vector.get("norm").asDouble()).isEqualTo(5.0);
    }

    @Test
    void rendersMetricsWithNonFiniteLossAsString() throws Exception {
        TrainingMetrics metrics = SampleRecords.teacherMetrics();
        metrics.setLoss(Double.NaN);
        metrics.setGradientNorm(Double.POSITIVE_INFINITY);

        JsonNode json = MAPPER.readTree(RecordJson.toJson(metrics));

        assertThat(json.get("phase").asText()).isEqualTo("TEACHER");
        assertThat(json.get("loss").isTextual()).isTrue();
        assertThat(json.get("loss").asText()).isEqualTo("NaN");
        assertThat(json.get("gradientNorm").asText()).isEqualTo("Infinity");
        assertThat(json.get("learningRate").asDouble()).isEqualTo(1.5e-5);
        assertThat(json.get("rankMe").isNull()).isTrue();
        assertThat(json.get("lidar").isNull()).isTrue();
        assertThat(json.get("knnAccuracy").isNull()).isTrue();
        assertThat(json.get("linearProbeAccuracy").isNull()).isTrue();
    }

    @Test
    void rendersQualityFigures() throws Exception {
        JsonNode json = MAPPER.readTree(RecordJson.toJson(SampleRecords.studentMetrics()));

        assertThat(json.get("phase").asText()).isEqualTo("STUDENT");
        assertThat(json.get("step").asLong()).isEqualTo(1200);
        assertThat(json.get("samplesSeen").asLong()).isEqualTo(76_800);
        assertThat(json.get("rankMe").asDouble()).isEqualTo(92.4);
        assertThat(json.get("lidar").asDouble()).isEqualTo(41.7);
        assertThat(json.get("knnAccuracy").asDouble()).isEqualTo(0.712);
        assertThat(json.get("linearProbeAccuracy").asDouble()).isEqualTo(0.768);
    }

    @Test
    void marksInlineSnapshotParameters() throws Exception {
        ModelSnapshot snapshot = SampleRecords.inlineSnapshot();

        JsonNode json = MAPPER.readTree(RecordJson.toJson(snapshot));

        assertThat(json.get("phase").asText()).isEqualTo("STUDENT");
        assertThat(json.get("createdAt").asText()).isEqualTo("2024-05-17T08:30:12.345Z");
        assertThat(json.get("architecture").get("preset").asText()).isEqualTo("image-28");
        assertThat(json.get("architecture").get("config").asText())
                .isEqualTo(snapshot.getArchitecture().getConfig());
        JsonNode parameters = json.get("parameters");
        assertThat(fieldNames(parameters)).containsExactly("kind", "checkpoint");
        assertThat(parameters.get("kind").asText()).isEqualTo("inline");
        assertThat(parameters.get("checkpoint").get("length").asInt()).isEqualTo(256);
        assertThat(parameters.get("checkpoint").get("sha256").asText())
                .isEqualTo(sha256Prefix(SampleRecords.pattern(256, 29)));
    }

    @Test
    void marksStoredSnapshotParameters() throws Exception {
        JsonNode json = MAPPER.readTree(RecordJson.toJson(SampleRecords.storedSnapshot()));

        JsonNode parameters = json.get("parameters");
        assertThat(fieldNames(parameters)).containsExactly("kind", "uri", "sha256", "sizeBytes");
        assertThat(parameters.get("kind").asText()).isEqualTo("stored");
        assertThat(parameters.get("uri").asText())
                .isEqualTo("s3://saltstream-models/salt-train-prod/step-120000.ckpt");
        assertThat(parameters.get("sha256").asText()).hasSize(64);
        assertThat(parameters.get("sizeBytes").asLong()).isEqualTo(344_129_536L);
        assertThat(json.get("createdAt").asText()).isEqualTo("2024-06-01T23:59:59.999Z");
    }

    @Test
    void rendersDeadLetter() throws Exception {
        DeadLetter letter = SampleRecords.truncatedFrameLetter();

        JsonNode json = MAPPER.readTree(RecordJson.toJson(letter));

        assertThat(json.get("sourceTopic").asText()).isEqualTo("frames");
        assertThat(json.get("partition").asInt()).isEqualTo(2);
        assertThat(json.get("offset").asLong()).isEqualTo(981_234);
        assertThat(json.get("reason").asText()).isEqualTo(letter.getReason());
        assertThat(json.get("errorClass").asText())
                .isEqualTo("io.saltstream.schemas.codec.TruncatedRecordException");
        assertThat(json.get("payload").get("length").asInt()).isEqualTo(16);
        assertThat(json.get("payload").get("sha256").asText())
                .isEqualTo(sha256Prefix(SampleRecords.pattern(16, 5)));
        assertThat(json.get("payloadSize").asInt()).isEqualTo(52_000);
    }

    @Test
    void leavesBytesFieldsReadable() {
        Frame frame = SampleRecords.cameraFrame();
        ByteBuffer data = frame.getData();
        int position = data.position();

        String first = RecordJson.toJson(frame);
        String second = RecordJson.toJson(frame);

        assertThat(second).isEqualTo(first);
        assertThat(data.position()).isEqualTo(position);
        assertThat(data.remaining()).isEqualTo(36);
    }

    @Test
    void rejectsNullRecord() {
        assertThatThrownBy(() -> RecordJson.toJson(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot render null as JSON: expected a record.");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String sha256Prefix(byte[] bytes) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
        return HexFormat.of().formatHex(digest).substring(0, 12);
    }
}
