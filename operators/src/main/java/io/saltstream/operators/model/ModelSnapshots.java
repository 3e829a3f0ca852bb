package io.saltstream.operators.model;

import io.saltstream.models.train.SaltPhase;
import io.saltstream.schemas.Architecture;
import io.saltstream.schemas.InlineParameters;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.StoredParameters;
import io.saltstream.schemas.TrainingPhase;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates {@link ModelSnapshot} records from encoder-only checkpoints and reads their parameters
 * back: the hand-off between the trainer and the encoders.
 *
 * <p>The parameters are the bytes of an encoder-only checkpoint as {@code
 * SaltTrainer.saveEncoderSnapshot()} writes them and {@code EncoderSnapshot.load} reads them. Up to
 * the {@linkplain SnapshotStorage#getInlineLimitBytes() inline limit} they travel inside the record
 * as {@link InlineParameters}. Above it they are written to {@code <snapshot.dir>/<file name>.ckpt}
 * on a Flink {@link FileSystem} (local, S3, HDFS), and the record carries {@link StoredParameters}:
 * the file's URI, its SHA-256 in lowercase hex and its size. Readers verify both before they use
 * the bytes, so a truncated, replaced or corrupted file is never loaded.
 *
 * <p><b>Atomic writes.</b> On file systems with rename (local, HDFS) the bytes go to a hidden
 * temporary file in the same directory, which is then renamed to the final name, so a reader never
 * sees a partly written file under that name. On object stores (schemes s3, s3a, s3p, gs, oss,
 * wasb(s), abfs(s)) rename is a copy, and the object becomes visible only when its upload completes
 * on close, so the file is written in place. A snapshot written again under the same version
 * replaces the file.
 *
 * <pre>{@code
 * ModelSnapshot snapshot =
 *         ModelSnapshots.create(
 *                 "train-job-1200", 1200, TrainingPhase.STUDENT, "image-28",
 *                 trainer.getModelConfig().toJson(), trainer.saveEncoderSnapshot(), storage);
 * byte[] encoderCheckpoint = ModelSnapshots.readParameters(snapshot);
 * }</pre>
 *
 * <p><b>NOTE:</b> nothing deletes stored files; the snapshot store needs a retention policy of its
 * own (for example an object lifecycle rule) that keeps at least the files of the newest records of
 * the compacted models topic and of retained Flink checkpoints.
 */
public final class ModelSnapshots {

    /** Flink type information of {@link ModelSnapshot}, so no stream falls back to Kryo. */
    public static final AvroTypeInfo<ModelSnapshot> TYPE = new AvroTypeInfo<>(ModelSnapshot.class);

    /** Extension of a stored parameters file. */
    public static final String FILE_EXTENSION = ".ckpt";

    private static final Logger LOG = LoggerFactory.getLogger(ModelSnapshots.class);

    /** URI schemes of object stores: no rename, objects appear atomically on close. */
    private static final Set<String> OBJECT_STORE_SCHEMES =
            Set.of("s3", "s3a", "s3p", "gs", "oss", "wasb", "wasbs", "abfs", "abfss");

    /** Characters kept in file names; every other character becomes {@code _}. */
    private static final String FILE_NAME_CHARACTERS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

    private static final int READ_BUFFER_BYTES = 1 << 16;

    private ModelSnapshots() {}

    /**
     * Creates a snapshot record, inline when the parameters fit the storage's inline limit,
     * otherwise stored under the storage's directory as {@link #storedFileName(String)}. The
     * record's {@code createdAt} is now, truncated to milliseconds as the schema stores it.
     *
     * @param version unique version of the snapshot, for example the job name plus the step
     * @param step the training step the parameters come from, 0 or more
     * @param phase the stage that produced the parameters
     * @param preset the preset name of the architecture, for example {@code image-28}
     * @param configJson the full model configuration as JSON ({@code SaltModelConfig.toJson()})
     * @param encoderSnapshotBytes the encoder-only checkpoint; not copied when inline, so the
     *     caller must not change it afterwards
     * @param storage the inline limit and the directory of stored parameters
     * @return the record
     * @throws IllegalArgumentException if an argument is null, blank or out of range
     * @throws IllegalStateException if the parameters exceed the inline limit and the storage has
     *     no directory
     * @throws IOException if writing the parameters file fails
     */
    public static ModelSnapshot create(
            String version,
            long step,
            TrainingPhase phase,
            String preset,
            String configJson,
            byte[] encoderSnapshotBytes,
            SnapshotStorage storage)
            throws IOException {
        checkArguments(version, step, phase, preset, configJson, encoderSnapshotBytes, storage);
        Object parameters;
        if (storage.isInline(encoderSnapshotBytes.length)) {
            parameters = new InlineParameters(ByteBuffer.wrap(encoderSnapshotBytes));
        } else {
            parameters = store(version, encoderSnapshotBytes, storage);
        }
        return ModelSnapshot.newBuilder()
                .setVersion(version)
                .setStep(step)
                .setPhase(phase)
                .setArchitecture(new Architecture(preset, configJson))
                .setCreatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setParameters(parameters)
                .build();
    }

    private static void checkArguments(
            String version,
            long step,
            TrainingPhase phase,
            String preset,
            String configJson,
            byte[] encoderSnapshotBytes,
            SnapshotStorage storage) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException(
                    "snapshot version is '" + version + "' but must be a non-blank string");
        }
        if (step < 0) {
            throw new IllegalArgumentException(
                    "snapshot step is "
                            + step
                            + " but must be 0 or more (version "
                            + version
                            + ")");
        }
        if (phase == null) {
            throw new IllegalArgumentException("snapshot phase is null (version " + version + ")");
        }
        if (preset == null || preset.isBlank()) {
            throw new IllegalArgumentException(
                    "snapshot preset is '" + preset + "' but must be a non-blank preset name");
        }
        if (configJson == null || configJson.isBlank()) {
            throw new IllegalArgumentException(
                    "snapshot config JSON is missing (version " + version + ")");
        }
        if (encoderSnapshotBytes == null || encoderSnapshotBytes.length == 0) {
            throw new IllegalArgumentException(
                    "encoder checkpoint bytes are missing or empty (version "
                            + version
                            + "); pass SaltTrainer.saveEncoderSnapshot()");
        }
        if (storage == null) {
            throw new IllegalArgumentException("snapshot storage is null; pass SnapshotStorage");
        }
    }

    private static StoredParameters store(String version, byte[] bytes, SnapshotStorage storage)
            throws IOException {
        if (storage.getDirectory() == null) {
            throw new IllegalStateException(
                    "snapshot "
                            + version
                            + " has "
                            + bytes.length
                            + " bytes of parameters, above snapshot.inline-limit = "
                            + storage.getInlineLimitBytes()
                            + " bytes, but snapshot.dir is not set; set snapshot.dir to a"
                            + " directory on a shared file system (file://, s3://, hdfs://)");
        }
        Path directory = new Path(storage.getDirectory());
        FileSystem fileSystem = directory.getFileSystem();
        Path target = new Path(directory, storedFileName(version)).makeQualified(fileSystem);
        long started = System.nanoTime();
        if (isObjectStore(target)) {
            writeFile(fileSystem, target, bytes);
        } else {
            writeAndRename(fileSystem, directory, target, bytes);
        }
        String sha256 = sha256Hex(bytes);
        LOG.info(
                "stored snapshot {}: {} bytes, SHA-256 {}, at {} in {} ms",
                version,
                bytes.length,
                sha256,
                target,
                (System.nanoTime() - started) / 1_000_000);
        return new StoredParameters(target.toUri().toString(), sha256, (long) bytes.length);
    }

    private static boolean isObjectStore(Path path) {
        String scheme = path.toUri().getScheme();
        return scheme != null && OBJECT_STORE_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT));
    }

    private static void writeFile(FileSystem fileSystem, Path path, byte[] bytes)
            throws IOException {
        try (OutputStream out = fileSystem.create(path, FileSystem.WriteMode.OVERWRITE)) {
            out.write(bytes);
        }
    }

    private static void writeAndRename(
            FileSystem fileSystem, Path directory, Path target, byte[] bytes) throws IOException {
        if (!fileSystem.exists(directory) && !fileSystem.mkdirs(directory)) {
            throw new IOException("failed to create snapshot directory " + directory);
        }
        Path temporary =
                new Path(directory, "." + target.getName() + ".inprogress-" + UUID.randomUUID());
        try {
            try (OutputStream out =
                    fileSystem.create(temporary, FileSystem.WriteMode.NO_OVERWRITE)) {
                out.write(bytes);
            }
            if (!fileSystem.rename(temporary, target)) {
                // HDFS does not rename onto an existing file: replace an earlier write of the
                // same version.
                if (fileSystem.exists(target)) {
                    fileSystem.delete(target, false);
                }
                if (!fileSystem.rename(temporary, target)) {
                    throw new IOException(
                            "failed to rename the temporary snapshot file "
                                    + temporary
                                    + " to "
                                    + target);
                }
            }
        } finally {
            if (fileSystem.exists(temporary)) {
                fileSystem.delete(temporary, false);
            }
        }
    }

    /**
     * Returns the parameter bytes of a snapshot: the inline bytes, or the stored file after
     * checking its size and SHA-256 against the record.
     *
     * @param snapshot a record made by {@link #create}
     * @return the encoder-only checkpoint bytes; a copy, so changing it leaves the record unchanged
     * @throws IllegalArgumentException if the snapshot is null or has no parameters
     * @throws FileNotFoundException if the stored file does not exist
     * @throws IllegalStateException if the stored file's size or SHA-256 differs from the record's
     * @throws IOException if reading the stored file fails
     */
    public static byte[] readParameters(ModelSnapshot snapshot) throws IOException {
        if (snapshot == null) {
            throw new IllegalArgumentException("snapshot is null");
        }
        Object parameters = snapshot.getParameters();
        if (parameters instanceof InlineParameters) {
            ByteBuffer buffer = ((InlineParameters) parameters).getCheckpoint().duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        if (parameters instanceof StoredParameters) {
            return readStored(snapshot, (StoredParameters) parameters);
        }
        throw new IllegalArgumentException(
                "snapshot "
                        + snapshot.getVersion()
                        + " has parameters "
                        + (parameters == null ? "null" : parameters.getClass().getName())
                        + ", expected InlineParameters or StoredParameters");
    }

    private static byte[] readStored(ModelSnapshot snapshot, StoredParameters stored)
            throws IOException {
        String uri = stored.getUri();
        long expectedSize = stored.getSizeBytes();
        if (expectedSize < 0 || expectedSize > SnapshotStorage.MAX_INLINE_LIMIT_BYTES) {
            throw new IllegalStateException(
                    "snapshot "
                            + snapshot.getVersion()
                            + " declares "
                            + expectedSize
                            + " bytes at "
                            + uri
                            + ", but a readable size is between 0 and "
                            + SnapshotStorage.MAX_INLINE_LIMIT_BYTES);
        }
        Path path = new Path(uri);
        FileSystem fileSystem = path.getFileSystem();
        FileStatus status;
        try {
            status = fileSystem.getFileStatus(path);
        } catch (FileNotFoundException e) {
            FileNotFoundException missing =
                    new FileNotFoundException(
                            "parameters of snapshot "
                                    + snapshot.getVersion()
                                    + " (step "
                                    + snapshot.getStep()
                                    + ") not found at "
                                    + uri
                                    + "; the file was deleted or the snapshot store is not"
                                    + " mounted here, so make snapshot.dir reachable from every"
                                    + " task manager and keep files the models topic still"
                                    + " references");
            missing.initCause(e);
            throw missing;
        }
        if (status.getLen() != expectedSize) {
            throw sizeMismatch(snapshot, uri, expectedSize, status.getLen());
        }
        byte[] bytes = new byte[(int) expectedSize];
        int read = 0;
        try (FSDataInputStream in = fileSystem.open(path)) {
            while (read < bytes.length) {
                int count = in.read(bytes, read, bytes.length - read);
                if (count < 0) {
                    throw sizeMismatch(snapshot, uri, expectedSize, read);
                }
                read += count;
            }
            if (in.read() >= 0) {
                throw sizeMismatch(snapshot, uri, expectedSize, countRemaining(in, read + 1L));
            }
        }
        String actual = sha256Hex(bytes);
        if (!actual.equalsIgnoreCase(stored.getSha256())) {
            throw new IllegalStateException(
                    "SHA-256 mismatch for snapshot "
                            + snapshot.getVersion()
                            + " at "
                            + uri
                            + ": the record expects "
                            + stored.getSha256()
                            + " but the file has "
                            + actual
                            + "; the file was replaced or corrupted, so it is not loaded");
        }
        return bytes;
    }

    private static long countRemaining(InputStream in, long alreadyRead) throws IOException {
        long total = alreadyRead;
        byte[] skip = new byte[READ_BUFFER_BYTES];
        int count;
        while ((count = in.read(skip)) >= 0) {
            total += count;
        }
        return total;
    }

    private static IllegalStateException sizeMismatch(
            ModelSnapshot snapshot, String uri, long expected, long actual) {
        return new IllegalStateException(
                "size mismatch for snapshot "
                        + snapshot.getVersion()
                        + " at "
                        + uri
                        + ": the record expects "
                        + expected
                        + " bytes but the file has "
                        + actual
                        + "; the file was replaced or truncated, so it is not loaded");
    }

    /**
     * Reads a whole file of a Flink file system, for example an encoder-only checkpoint given as a
     * setting.
     *
     * @param uri a Flink file system URI or a local path
     * @return the file's bytes
     * @throws FileNotFoundException if the file does not exist
     * @throws IllegalArgumentException if the file is larger than a Java array can hold
     * @throws IOException if reading fails
     */
    public static byte[] readFile(String uri) throws IOException {
        Path path = new Path(uri);
        FileSystem fileSystem = path.getFileSystem();
        long length = fileSystem.getFileStatus(path).getLen();
        if (length > SnapshotStorage.MAX_INLINE_LIMIT_BYTES) {
            throw new IllegalArgumentException(
                    "file "
                            + uri
                            + " has "
                            + length
                            + " bytes, more than the readable maximum of "
                            + SnapshotStorage.MAX_INLINE_LIMIT_BYTES);
        }
        try (FSDataInputStream in = fileSystem.open(path)) {
            return in.readAllBytes();
        }
    }

    /**
     * Returns the file name of stored parameters: the version with every character other than ASCII
     * letters, digits, {@code .}, {@code _} and {@code -} replaced by {@code _}, plus {@value
     * #FILE_EXTENSION}. When characters were replaced, the first 8 hex digits of the SHA-256 of the
     * version are appended (before the extension), so two versions that differ only in replaced
     * characters get different files.
     *
     * @param version the snapshot version
     * @return the file name, without a directory
     */
    public static String storedFileName(String version) {
        StringBuilder name = new StringBuilder(version.length() + 16);
        boolean replaced = false;
        for (int i = 0; i < version.length(); i++) {
            char c = version.charAt(i);
            if (FILE_NAME_CHARACTERS.indexOf(c) >= 0) {
                name.append(c);
            } else {
                name.append('_');
                replaced = true;
            }
        }
        if (replaced) {
            name.append('-').append(sha256Hex(version.getBytes(StandardCharsets.UTF_8)), 0, 8);
        }
        return name.append(FILE_EXTENSION).toString();
    }

    /**
     * Returns the SHA-256 of {@code bytes} as 64 lowercase hex digits.
     *
     * @param bytes the data
     * @return the hex digest
     */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which Java requires", e);
        }
    }

    /**
     * Returns the record phase of a trainer phase; both enums have TEACHER and STUDENT.
     *
     * @param phase the trainer's phase
     * @return the schema's phase
     */
    public static TrainingPhase toTrainingPhase(SaltPhase phase) {
        return TrainingPhase.valueOf(phase.name());
    }

    /**
     * Returns a short description of a snapshot for logs: version, step, phase, preset and where
     * the parameters are, never the bytes.
     *
     * @param snapshot the record
     * @return the description
     */
    public static String describe(ModelSnapshot snapshot) {
        Object parameters = snapshot.getParameters();
        String where;
        if (parameters instanceof InlineParameters) {
            where = "inline " + ((InlineParameters) parameters).getCheckpoint().remaining() + " B";
        } else if (parameters instanceof StoredParameters) {
            StoredParameters stored = (StoredParameters) parameters;
            where = "stored " + stored.getSizeBytes() + " B at " + stored.getUri();
        } else {
            where = "no parameters";
        }
        return "version "
                + snapshot.getVersion()
                + ", step "
                + snapshot.getStep()
                + ", phase "
                + snapshot.getPhase()
                + ", preset "
                + (snapshot.getArchitecture() == null
                        ? null
                        : snapshot.getArchitecture().getPreset())
                + ", "
                + where;
    }
}
