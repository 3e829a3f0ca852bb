package io.saltstream.operators.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.models.train.SaltPhase;
import io.saltstream.schemas.InlineParameters;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.StoredParameters;
import io.saltstream.schemas.TrainingPhase;
import io.saltstream.schemas.codec.AvroCodecs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSnapshotsTest {

    private static final String CONFIG_JSON = "{\"preset\":\"image-28\"}";

    @TempDir Path directory;

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private SnapshotStorage storage(long inlineLimit) {
        return SnapshotStorage.builder()
                .optInlineLimitBytes(inlineLimit)
                .optDirectory(directory.toUri().toString())
                .build();
    }

    private static ModelSnapshot create(String version, byte[] bytes, SnapshotStorage storage)
            throws IOException {
        return ModelSnapshots.create(
                version, 42, TrainingPhase.STUDENT, "image-28", CONFIG_JSON, bytes, storage);
    }

    private static Path fileOf(ModelSnapshot snapshot) {
        return Path.of(URI.create(((StoredParameters) snapshot.getParameters()).getUri()));
    }

    private long filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        }
    }

    @Test
    void smallParametersGoInline() throws Exception {
        byte[] bytes = randomBytes(1000, 1);

        ModelSnapshot snapshot = create("job-42", bytes, storage(1000));

        assertThat(snapshot.getParameters()).isInstanceOf(InlineParameters.class);
        assertThat(ModelSnapshots.readParameters(snapshot)).isEqualTo(bytes);
        assertThat(filesIn(directory)).isZero();
    }

    @Test
    void recordCarriesMetadata() throws Exception {
        Instant before = Instant.now().minusMillis(1);

        ModelSnapshot snapshot = create("job-42", randomBytes(10, 2), storage(1000));

        assertThat(snapshot.getVersion()).isEqualTo("job-42");
        assertThat(snapshot.getStep()).isEqualTo(42);
        assertThat(snapshot.getPhase()).isEqualTo(TrainingPhase.STUDENT);
        assertThat(snapshot.getArchitecture().getPreset()).isEqualTo("image-28");
        assertThat(snapshot.getArchitecture().getConfig()).isEqualTo(CONFIG_JSON);
        assertThat(snapshot.getCreatedAt()).isAfter(before).isBeforeOrEqualTo(Instant.now());
        assertThat(snapshot.getCreatedAt().getNano() % 1_000_000).isZero();
    }

    @Test
    void inlineRecordSurvivesAvroRoundTrip() throws Exception {
        byte[] bytes = randomBytes(500, 3);
        ModelSnapshot snapshot = create("job-42", bytes, storage(1000));

        ModelSnapshot decoded =
                AvroCodecs.MODEL_SNAPSHOT.decode(AvroCodecs.MODEL_SNAPSHOT.encode(snapshot));

        assertThat(decoded).isEqualTo(snapshot);
        assertThat(ModelSnapshots.readParameters(decoded)).isEqualTo(bytes);
    }

    @Test
    void readParametersReturnsCopy() throws Exception {
        byte[] bytes = randomBytes(100, 4);
        ModelSnapshot snapshot = create("job-42", bytes.clone(), storage(1000));

        byte[] first = ModelSnapshots.readParameters(snapshot);
        first[0] ^= 1;

        assertThat(ModelSnapshots.readParameters(snapshot)).isEqualTo(bytes);
    }

    @Test
    void largeParametersAreStored() throws Exception {
        byte[] bytes = randomBytes(1001, 5);

        ModelSnapshot snapshot = create("job-42", bytes, storage(1000));

        assertThat(snapshot.getParameters()).isInstanceOf(StoredParameters.class);
        StoredParameters stored = (StoredParameters) snapshot.getParameters();
        assertThat(stored.getSha256()).isEqualTo(sha256(bytes));
        assertThat(stored.getSizeBytes()).isEqualTo(1001);
        Path file = fileOf(snapshot);
        assertThat(file).isEqualTo(directory.resolve("job-42.ckpt"));
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        assertThat(filesIn(directory)).as("no temporary file is left").isEqualTo(1);
        assertThat(ModelSnapshots.readParameters(snapshot)).isEqualTo(bytes);
    }

    @Test
    void zeroInlineLimitStoresEverything() throws Exception {
        ModelSnapshot snapshot = create("job-1", randomBytes(1, 6), storage(0));

        assertThat(snapshot.getParameters()).isInstanceOf(StoredParameters.class);
    }

    @Test
    void storedDirectoryIsCreated() throws Exception {
        Path nested = directory.resolve("a").resolve("b");
        SnapshotStorage storage =
                SnapshotStorage.builder()
                        .optInlineLimitBytes(0)
                        .optDirectory(nested.toString())
                        .build();

        ModelSnapshot snapshot = create("job-1", randomBytes(64, 7), storage);

        assertThat(fileOf(snapshot)).isEqualTo(nested.resolve("job-1.ckpt"));
        assertThat(Files.exists(nested.resolve("job-1.ckpt"))).isTrue();
    }

    @Test
    void sameVersionReplacesFile() throws Exception {
        byte[] first = randomBytes(2000, 8);
        byte[] second = randomBytes(3000, 9);

        create("job-42", first, storage(0));
        ModelSnapshot snapshot = create("job-42", second, storage(0));

        assertThat(Files.readAllBytes(fileOf(snapshot))).isEqualTo(second);
        assertThat(ModelSnapshots.readParameters(snapshot)).isEqualTo(second);
        assertThat(filesIn(directory)).isEqualTo(1);
    }

    @Test
    void storedRecordSurvivesAvroRoundTrip() throws Exception {
        byte[] bytes = randomBytes(4096, 10);
        ModelSnapshot snapshot = create("job-42", bytes, storage(0));

        ModelSnapshot decoded =
                AvroCodecs.MODEL_SNAPSHOT.decode(AvroCodecs.MODEL_SNAPSHOT.encode(snapshot));

        assertThat(ModelSnapshots.readParameters(decoded)).isEqualTo(bytes);
    }

    @Test
    void checksumMismatchIsRejected() throws Exception {
        byte[] bytes = randomBytes(2000, 11);
        ModelSnapshot snapshot = create("job-42", bytes, storage(0));
        byte[] tampered = bytes.clone();
        tampered[1000] ^= 0x10;
        Files.write(fileOf(snapshot), tampered);
        String uri = ((StoredParameters) snapshot.getParameters()).getUri();

        assertThatThrownBy(() -> ModelSnapshots.readParameters(snapshot))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SHA-256 mismatch")
                .hasMessageContaining(uri)
                .hasMessageContaining("expects " + sha256(bytes))
                .hasMessageContaining("file has " + sha256(tampered));
    }

    @Test
    void truncatedFileIsRejected() throws Exception {
        byte[] bytes = randomBytes(2000, 12);
        ModelSnapshot snapshot = create("job-42", bytes, storage(0));
        Files.write(fileOf(snapshot), java.util.Arrays.copyOf(bytes, 1500));

        assertThatThrownBy(() -> ModelSnapshots.readParameters(snapshot))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("size mismatch")
                .hasMessageContaining("expects 2000 bytes but the file has 1500");
    }

    @Test
    void missingFileIsReported() throws Exception {
        ModelSnapshot snapshot = create("job-42", randomBytes(2000, 13), storage(0));
        Files.delete(fileOf(snapshot));
        String uri = ((StoredParameters) snapshot.getParameters()).getUri();

        assertThatThrownBy(() -> ModelSnapshots.readParameters(snapshot))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining(
                        "parameters of snapshot job-42 (step 42) not found at " + uri);
    }

    @Test
    void largeParametersNeedDirectory() {
        SnapshotStorage inlineOnly = SnapshotStorage.builder().optInlineLimitBytes(10).build();

        assertThatThrownBy(() -> create("job-42", randomBytes(11, 14), inlineOnly))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("11 bytes of parameters, above snapshot.inline-limit = 10")
                .hasMessageContaining("snapshot.dir is not set");
    }

    @Test
    void invalidArgumentsAreRejected() {
        SnapshotStorage storage = storage(1000);
        byte[] bytes = randomBytes(10, 15);

        assertThatThrownBy(() -> create(" ", bytes, storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot version is ' '");
        assertThatThrownBy(
                        () ->
                                ModelSnapshots.create(
                                        "v", -1, TrainingPhase.TEACHER, "p", "{}", bytes, storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot step is -1 but must be 0 or more");
        assertThatThrownBy(() -> create("v", new byte[0], storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder checkpoint bytes are missing or empty");
        assertThatThrownBy(() -> create("v", bytes, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot storage is null");
    }

    @Test
    void fileNameKeepsSafeVersion() {
        assertThat(ModelSnapshots.storedFileName("train-job_1.2")).isEqualTo("train-job_1.2.ckpt");
    }

    @Test
    void fileNameReplacesUnsafeCharacters() throws Exception {
        String name = ModelSnapshots.storedFileName("job/../1:2");

        assertThat(name)
                .isEqualTo(
                        "job_.._1_2-"
                                + sha256("job/../1:2".getBytes("UTF-8")).substring(0, 8)
                                + ".ckpt");
        assertThat(name).doesNotContain("/");
        assertThat(ModelSnapshots.storedFileName("job:1"))
                .isNotEqualTo(ModelSnapshots.storedFileName("job/1"));
    }

    @Test
    void sha256MatchesKnownDigest() {
        assertThat(
                        ModelSnapshots.sha256Hex(
                                "abc".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void phaseMapsByName() {
        assertThat(ModelSnapshots.toTrainingPhase(SaltPhase.TEACHER))
                .isEqualTo(TrainingPhase.TEACHER);
        assertThat(ModelSnapshots.toTrainingPhase(SaltPhase.STUDENT))
                .isEqualTo(TrainingPhase.STUDENT);
    }

    @Test
    void describeNamesWhereParametersAre() throws Exception {
        ModelSnapshot inline = create("job-1", randomBytes(10, 16), storage(1000));
        ModelSnapshot stored = create("job-2", randomBytes(10, 17), storage(0));

        assertThat(ModelSnapshots.describe(inline))
                .isEqualTo("version job-1, step 42, phase STUDENT, preset image-28, inline 10 B");
        assertThat(ModelSnapshots.describe(stored))
                .startsWith(
                        "version job-2, step 42, phase STUDENT, preset image-28, stored 10 B at")
                .endsWith("job-2.ckpt");
    }

    @Test
    void unknownParametersAreRejected() {
        ModelSnapshot snapshot =
                ModelSnapshot.newBuilder()
                        .setVersion("v")
                        .setStep(1)
                        .setPhase(TrainingPhase.STUDENT)
                        .setArchitecture(new io.saltstream.schemas.Architecture("p", "{}"))
                        .setCreatedAt(Instant.EPOCH)
                        .setParameters(new InlineParameters(ByteBuffer.wrap(new byte[] {1})))
                        .build();
        snapshot.setParameters("not parameters");

        assertThatThrownBy(() -> ModelSnapshots.readParameters(snapshot))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot v has parameters java.lang.String");
    }
}
