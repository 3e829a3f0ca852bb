package io.saltstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saltstream.schemas.codec.AvroCodec;
import io.saltstream.schemas.codec.AvroCodecs;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks that every current record schema reads records written with its previous released version,
 * which src/test/resources/previous holds (see the README.txt there).
 */
class SchemaCompatibilityTest {
    private static final String PREVIOUS_FOLDER = "/previous/";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static Stream<String> recordNames() {
        return AvroCodecs.ALL.stream().map(codec -> codec.getSchema().getName());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordNames")
    void currentSchemaReadsPreviousRelease(String recordName) throws IOException {
        Schema current = currentSchema(recordName);
        Schema previous = previousSchema(recordName);

        assertReaderReadsWriter(current, previous);
    }

    @Test
    void previousFolderHoldsExactlyTheRecordTypes() throws Exception {
        URL folder = SchemaCompatibilityTest.class.getResource(PREVIOUS_FOLDER);
        assertThat(folder).as("test resource folder %s", PREVIOUS_FOLDER).isNotNull();

        List<String> names;
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            names =
                    files.map(file -> file.getFileName().toString())
                            .filter(file -> file.endsWith(".avsc"))
                            .map(file -> file.substring(0, file.length() - ".avsc".length()))
                            .collect(Collectors.toList());
        }

        assertThat(names).containsExactlyInAnyOrderElementsOf(recordNames().toList());
    }

    @Test
    void checkRejectsAddedFieldWithoutDefault() throws IOException {
        Schema previous = previousSchema("Frame");
        Schema reader = withField(previous, "{\"name\": \"exposureMillis\", \"type\": \"long\"}");

        assertThatThrownBy(() -> assertReaderReadsWriter(reader, previous))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith(
                        "The current io.saltstream.schemas.Frame schema cannot read records"
                                + " written with the previous release:")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE")
                .hasMessageContaining("exposureMillis");
    }

    @Test
    void checkAcceptsAddedFieldWithDefault() throws IOException {
        Schema previous = previousSchema("Frame");
        Schema reader =
                withField(
                        previous,
                        "{\"name\": \"exposureMillis\", \"type\": [\"null\", \"long\"],"
                                + " \"default\": null}");

        assertThatCode(() -> assertReaderReadsWriter(reader, previous)).doesNotThrowAnyException();
    }

    @Test
    void checkRejectsRemovedEnumSymbol() throws IOException {
        Schema previous = previousSchema("Frame");
        ObjectNode json = (ObjectNode) MAPPER.readTree(previous.toString());
        for (var field : json.withArray("fields")) {
            if (field.get("name").asText().equals("encoding")) {
                ArrayNode symbols = (ArrayNode) field.get("type").get("symbols");
                symbols.remove(1);
            }
        }
        Schema reader = new SchemaParser().parse(json.toString()).mainSchema();

        assertThatThrownBy(() -> assertReaderReadsWriter(reader, previous))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("MISSING_ENUM_SYMBOLS")
                .hasMessageContaining("PNG");
    }

    /**
     * Fails with Avro's list of incompatibilities unless {@code reader} can read {@code writer}.
     */
    static void assertReaderReadsWriter(Schema reader, Schema writer) {
        SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            String incompatibilities =
                    result.getResult().getIncompatibilities().stream()
                            .map(
                                    problem ->
                                            problem.getType()
                                                    + " at "
                                                    + problem.getLocation()
                                                    + ": "
                                                    + problem.getMessage())
                            .collect(Collectors.joining("; "));
            throw new AssertionError(
                    "The current "
                            + reader.getFullName()
                            + " schema cannot read records written with the previous release: "
                            + incompatibilities
                            + ". Give new fields a default or add aliases for renamed ones"
                            + " (see src/test/resources/previous/README.txt). Avro: "
                            + result.getDescription());
        }
    }

    private static Schema currentSchema(String recordName) {
        return AvroCodecs.ALL.stream()
                .map(AvroCodec::getSchema)
                .filter(schema -> schema.getName().equals(recordName))
                .findFirst()
                .orElseThrow();
    }

    private static Schema previousSchema(String recordName) throws IOException {
        String resource = PREVIOUS_FOLDER + recordName + ".avsc";
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream(resource)) {
            assertThat(in)
                    .as(
                            "previous released schema %s; add the released schema of %s there",
                            resource, recordName)
                    .isNotNull();
            return new SchemaParser().parse(in).mainSchema();
        }
    }

    private static Schema withField(Schema schema, String fieldJson) throws IOException {
        ObjectNode json = (ObjectNode) MAPPER.readTree(schema.toString());
        json.withArray("fields").add(MAPPER.readTree(fieldJson));
        return new SchemaParser().parse(json.toString()).mainSchema();
    }
}
