package io.saltstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.schemas.codec.AvroCodec;
import io.saltstream.schemas.codec.AvroCodecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParser;
import org.junit.jupiter.api.Test;

/**
 * Parses the .avsc files of src/main/avro the way the avro-maven-plugin does, in both file orders,
 * and compares them with the generated classes.
 */
class SchemaSourceFilesTest {
    /** Surefire runs tests in the module folder. */
    private static final Path SOURCE_FOLDER = Path.of("src", "main", "avro");

    @Test
    void sourceFilesMatchGeneratedClassesInEitherOrder() throws IOException {
        List<Path> files = sourceFiles();
        List<Path> reversed = new ArrayList<>(files);
        Collections.reverse(reversed);

        for (List<Path> order : List.of(files, reversed)) {
            Map<String, Schema> parsed = parse(order);

            for (AvroCodec<?> codec : AvroCodecs.ALL) {
                Schema generated = codec.getSchema();
                assertThat(parsed)
                        .as("schemas parsed in order %s", order)
                        .containsKey(generated.getFullName());
                assertThat(
                                SchemaNormalization.parsingFingerprint64(
                                        parsed.get(generated.getFullName())))
                        .as("fingerprint of %s parsed from %s", generated.getName(), order)
                        .isEqualTo(codec.getFingerprint());
            }
        }
    }

    @Test
    void trainingPhaseIsSharedByMetricsAndSnapshots() throws IOException {
        Map<String, Schema> parsed = parse(sourceFiles());

        Schema phase = parsed.get("io.saltstream.schemas.TrainingPhase");
        assertThat(phase.getEnumSymbols()).containsExactly("TEACHER", "STUDENT");
        assertThat(parsed.get("io.saltstream.schemas.TrainingMetrics").getField("phase").schema())
                .isEqualTo(phase);
        assertThat(parsed.get("io.saltstream.schemas.ModelSnapshot").getField("phase").schema())
                .isEqualTo(phase);
    }

    private static List<Path> sourceFiles() throws IOException {
        assertThat(SOURCE_FOLDER)
                .as("schema source folder (tests run in the module folder)")
                .isDirectory();
        try (Stream<Path> listing = Files.list(SOURCE_FOLDER)) {
            return listing.filter(file -> file.toString().endsWith(".avsc")).sorted().toList();
        }
    }

    /** Parses the files with one parser, which resolves names across files once all are read. */
    private static Map<String, Schema> parse(List<Path> files) throws IOException {
        SchemaParser parser = new SchemaParser();
        for (Path file : files) {
            parser.parse(file);
        }
        return parser.getParsedNamedSchemas().stream()
                .collect(Collectors.toMap(Schema::getFullName, schema -> schema));
    }
}
