package io.saltstream.schemas.codec;

import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes single-object encoded bytes of any saltstream record (Frame, Embedding, TrainingMetrics,
 * ModelSnapshot, DeadLetter) by looking up the schema fingerprint in the header. It serves readers
 * that do not know in advance what a topic contains, such as {@code saltstream consume}.
 *
 * <p>Instances are immutable, thread-safe and {@link Serializable}.
 */
public final class AnyRecordDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final AnyRecordDecoder SALTSTREAM_RECORDS = new AnyRecordDecoder();

    private final transient Map<Long, AvroCodec<? extends SpecificRecord>> codecsByFingerprint;
    private final transient Map<String, Long> fingerprintsByName;
    private final transient List<String> typeNames;

    private AnyRecordDecoder() {
        Map<Long, AvroCodec<? extends SpecificRecord>> codecs = new LinkedHashMap<>();
        Map<String, Long> fingerprints = new LinkedHashMap<>();
        for (AvroCodec<? extends SpecificRecord> codec : AvroCodecs.ALL) {
            codecs.put(codec.getFingerprint(), codec);
            fingerprints.put(codec.getSchema().getName(), codec.getFingerprint());
        }
        this.codecsByFingerprint = codecs;
        this.fingerprintsByName = fingerprints;
        this.typeNames = List.copyOf(fingerprints.keySet());
    }

    /** Returns the shared decoder for the five saltstream records. */
    public static AnyRecordDecoder create() {
        return SALTSTREAM_RECORDS;
    }

    /**
     * Decodes one record of any accepted type.
     *
     * @return the record, an instance of one of {@link #getRecordTypes()}
     * @throws NotSingleObjectEncodedException if {@code bytes} is null, empty, shorter than the
     *     10-byte header or lacks the marker
     * @throws UnknownSchemaException if the fingerprint matches none of the accepted schemas; the
     *     message lists the accepted types and their fingerprints
     * @throws TruncatedRecordException if the bytes end before the record does
     * @throws MalformedRecordException if the payload is corrupt or bytes follow the record
     */
    public SpecificRecord decode(byte[] bytes) {
        long fingerprint = SingleObjectFormat.readFingerprint(bytes, typeNames);
        AvroCodec<? extends SpecificRecord> codec = codecsByFingerprint.get(fingerprint);
        if (codec == null) {
            throw SingleObjectFormat.unknownSchema(fingerprint, typeNames, fingerprintsByName);
        }
        return codec.decode(bytes);
    }

    /** Returns the record classes this decoder accepts. */
    public List<Class<? extends SpecificRecord>> getRecordTypes() {
        return codecsByFingerprint.values().stream()
                .<Class<? extends SpecificRecord>>map(AvroCodec::getType)
                .toList();
    }

    /** Returns the simple names of the record types this decoder accepts, for example Frame. */
    public List<String> getRecordTypeNames() {
        return typeNames;
    }

    private Object readResolve() throws ObjectStreamException {
        return SALTSTREAM_RECORDS;
    }
}
