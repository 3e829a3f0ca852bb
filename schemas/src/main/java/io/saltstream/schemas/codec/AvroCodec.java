package io.saltstream.schemas.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one Avro-generated record class with Avro's single-object encoding: the
 * marker {@code 0xC3 0x01}, the 8-byte CRC-64-AVRO fingerprint of the schema (little-endian), then
 * the record in Avro binary. The fingerprint lets a reader reject records of another schema with a
 * clear error instead of misreading them.
 *
 * <p>Instances are immutable and thread-safe: Avro's {@link BinaryMessageEncoder} and {@link
 * BinaryMessageDecoder} keep their buffers in thread-locals. They are {@link Serializable} for
 * Flink functions; deserialization rebuilds the encoder and decoder from the record class.
 *
 * <p>Decoding first walks the payload along the schema, because Avro's decoder allocates whatever
 * length a corrupt field declares before it notices the input is shorter. Every failure is a {@link
 * RecordDecodeException} subclass whose message names the record type and the problem.
 *
 * <p>NOTE: the decoder accepts only the current schema of the class. When a schema changes, records
 * written with the earlier version carry the earlier fingerprint and fail with {@link
 * UnknownSchemaException} until the earlier schema is registered with {@link
 * BinaryMessageDecoder#addSchema(Schema)} here.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final transient Schema schema;
    private final transient long fingerprint;
    private final transient List<String> expectedTypes;
    private final transient BinaryMessageEncoder<T> encoder;
    private final transient BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type) {
        this.type = type;
        this.schema = schemaOf(type);
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.expectedTypes = List.of(schema.getName());
        // The class's own data model carries its logical-type conversions (timestamp-millis to
        // Instant).
        SpecificData model = SpecificData.getForClass(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
    }

    /**
     * Creates a codec for an Avro-generated record class, such as {@code Frame.class}. The
     * constants in {@link AvroCodecs} cover the saltstream records.
     *
     * @throws IllegalArgumentException if {@code type} is not an Avro-generated record class
     */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return new AvroCodec<>(type);
    }

    /** Returns the record class this codec reads and writes. */
    public Class<T> getType() {
        return type;
    }

    /** Returns the schema written into, and expected from, every record. */
    public Schema getSchema() {
        return schema;
    }

    /** Returns the CRC-64-AVRO fingerprint of {@link #getSchema()}, as stored in the header. */
    public long getFingerprint() {
        return fingerprint;
    }

    /**
     * Encodes one record with the single-object header.
     *
     * @throws IllegalArgumentException if the record is null or a field contains a value its schema
     *     does not allow, such as null in a required field
     */
    public byte[] encode(T record) {
        if (record == null) {
            throw new IllegalArgumentException(
                    "Cannot encode " + schema.getName() + " record: the record is null.");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encoder.encode(record, out);
        } catch (NullPointerException | ClassCastException | AvroRuntimeException e) {
            // Avro reports a null required field as NullPointerException and a value of the wrong
            // type as ClassCastException or UnresolvedUnionException, naming the field.
            throw new IllegalArgumentException(
                    "Cannot encode "
                            + schema.getName()
                            + " record: "
                            + e.getMessage()
                            + ". Set every required field to a value of its schema type.",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Writing a " + schema.getName() + " record to memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes one record written with this codec's schema.
     *
     * @throws NotSingleObjectEncodedException if {@code bytes} is null, empty, shorter than the
     *     10-byte header or lacks the marker
     * @throws UnknownSchemaException if the fingerprint is not this codec's schema
     * @throws TruncatedRecordException if the bytes end before the record does
     * @throws MalformedRecordException if the payload is corrupt or bytes follow the record
     */
    public T decode(byte[] bytes) {
        long found = SingleObjectFormat.readFingerprint(bytes, expectedTypes);
        if (found != fingerprint) {
            throw SingleObjectFormat.unknownSchema(
                    found, expectedTypes, Map.of(schema.getName(), fingerprint));
        }
        PayloadValidator.validate(schema, bytes, SingleObjectFormat.HEADER_LENGTH, expectedTypes);
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            // The walk above checks every length and index, so Avro should not fail here. If it
            // does, the caller still gets a decode error rather than an unchecked Avro exception.
            throw new MalformedRecordException(
                    "Cannot decode " + schema.getName() + " record: Avro's decoder failed: " + e,
                    expectedTypes,
                    e);
        }
    }

    @Override
    public String toString() {
        return "AvroCodec["
                + schema.getFullName()
                + " "
                + SingleObjectFormat.toHex(fingerprint)
                + "]";
    }

    /** Rebuilds the transient encoder and decoder after Java deserialization. */
    private Object readResolve() throws ObjectStreamException {
        return new AvroCodec<>(type);
    }

    private static Schema schemaOf(Class<?> type) {
        Schema schema;
        try {
            schema = SpecificData.get().getSchema(type);
        } catch (AvroRuntimeException e) {
            throw notGenerated(type, e);
        }
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw notGenerated(type, null);
        }
        return schema;
    }

    private static IllegalArgumentException notGenerated(Class<?> type, Exception cause) {
        return new IllegalArgumentException(
                "Cannot create an AvroCodec for "
                        + type.getName()
                        + ": it is not a record class generated from an Avro schema (no static"
                        + " SCHEMA$ field of type record). Pass a class such as"
                        + " io.saltstream.schemas.Frame.",
                cause);
    }
}
