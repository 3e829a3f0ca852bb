package io.saltstream.operators.model;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.core.fs.Path;

/**
 * Storage settings of {@code ModelSnapshot} parameters: inline in the record up to {@code
 * snapshot.inline-limit} bytes, above it in files under {@code snapshot.dir}.
 *
 * <p>Kafka's default record limit ({@code max.request.size}, {@code message.max.bytes}) is 1 MB;
 * the saltstream broker and producer allow 16 MiB. The default inline limit of 4 MiB therefore
 * keeps the records of the small presets inline (the {@code image-28} encoder has about 0.8 M
 * float32 parameters, 3.2 MB) and sends every larger encoder to the store. The inline limit must
 * stay below the producer's {@code max.request.size} minus the rest of the record (version,
 * architecture JSON, a few KiB).
 *
 * <pre>{@code
 * SnapshotStorage storage =
 *         SnapshotStorage.builder()
 *                 .optInlineLimitBytes(1024 * 1024)
 *                 .optDirectory("s3://models/saltstream/snapshots")
 *                 .build();
 * }</pre>
 *
 * <p>Serializable, so it can be a field of a Flink function.
 */
public final class SnapshotStorage implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default of {@code snapshot.inline-limit}: 4 MiB. */
    public static final long DEFAULT_INLINE_LIMIT_BYTES = 4L * 1024 * 1024;

    /**
     * Largest {@code snapshot.inline-limit}: the largest Java byte array, since inline parameters
     * are one array.
     */
    public static final long MAX_INLINE_LIMIT_BYTES = Integer.MAX_VALUE - 8;

    private final long inlineLimitBytes;
    private final String directory;

    private SnapshotStorage(Builder builder) {
        this.inlineLimitBytes = builder.inlineLimitBytes;
        this.directory = builder.directory;
    }

    /** Returns a builder with the defaults: 4 MiB inline limit, no directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns storage with the defaults: snapshots up to 4 MiB inline, larger ones rejected. */
    public static SnapshotStorage defaults() {
        return builder().build();
    }

    /** Returns {@code snapshot.inline-limit}: the largest parameter size sent inline, in bytes. */
    public long getInlineLimitBytes() {
        return inlineLimitBytes;
    }

    /**
     * Returns {@code snapshot.dir}: the Flink file system directory of stored parameters, or {@code
     * null} when none is set.
     */
    public String getDirectory() {
        return directory;
    }

    /** Returns whether parameters of {@code sizeBytes} bytes go inline. */
    public boolean isInline(long sizeBytes) {
        return sizeBytes <= inlineLimitBytes;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SnapshotStorage)) {
            return false;
        }
        SnapshotStorage that = (SnapshotStorage) other;
        return inlineLimitBytes == that.inlineLimitBytes
                && Objects.equals(directory, that.directory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inlineLimitBytes, directory);
    }

    @Override
    public String toString() {
        return "SnapshotStorage{snapshot.inline-limit="
                + inlineLimitBytes
                + ", snapshot.dir="
                + directory
                + "}";
    }

    /** Builder of {@link SnapshotStorage}; every setting is optional. */
    public static final class Builder {

        private long inlineLimitBytes = DEFAULT_INLINE_LIMIT_BYTES;
        private String directory;

        private Builder() {}

        /**
         * Sets {@code snapshot.inline-limit}: parameters of at most this many bytes travel inline
         * in the record. Default 4 MiB ({@link #DEFAULT_INLINE_LIMIT_BYTES}). 0 stores every
         * snapshot in the directory.
         *
         * @param inlineLimitBytes 0 to {@link #MAX_INLINE_LIMIT_BYTES}
         * @return this builder
         */
        public Builder optInlineLimitBytes(long inlineLimitBytes) {
            this.inlineLimitBytes = inlineLimitBytes;
            return this;
        }

        /**
         * Sets {@code snapshot.dir}: the directory that receives parameters above the inline limit,
         * as a Flink file system URI ({@code file:///data/snapshots}, {@code s3://bucket/prefix},
         * {@code hdfs://namenode/path}) or a local path. Without it, a snapshot above the limit
         * cannot be created.
         *
         * @param directory a URI or path, or {@code null} for none
         * @return this builder
         */
        public Builder optDirectory(String directory) {
            this.directory = directory;
            return this;
        }

        /**
         * Validates the settings and builds the storage.
         *
         * @return the storage settings
         * @throws IllegalArgumentException if the inline limit is out of range or the directory is
         *     blank or not a valid path
         */
        public SnapshotStorage build() {
            if (inlineLimitBytes < 0 || inlineLimitBytes > MAX_INLINE_LIMIT_BYTES) {
                throw new IllegalArgumentException(
                        "snapshot.inline-limit is "
                                + inlineLimitBytes
                                + " bytes but must be between 0 and "
                                + MAX_INLINE_LIMIT_BYTES);
            }
            if (directory != null) {
                if (directory.isBlank()) {
                    throw new IllegalArgumentException(
                            "snapshot.dir is blank; set a directory such as"
                                    + " file:///var/saltstream/snapshots or leave it unset");
                }
                try {
                    new Path(directory);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "snapshot.dir '"
                                    + directory
                                    + "' is not a valid path: "
                                    + e.getMessage()
                                    + "; use a form such as file:///var/saltstream/snapshots or"
                                    + " s3://bucket/prefix",
                            e);
                }
            }
            return new SnapshotStorage(this);
        }
    }
}
