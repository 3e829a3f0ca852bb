package io.saltstream.schemas.codec;

import java.util.List;

/**
 * Single-object encoded bytes whose schema fingerprint matches none of the schemas the reader
 * accepts. The fingerprint is the CRC-64-AVRO of the writer schema's parsing canonical form.
 */
public final class UnknownSchemaException extends RecordDecodeException {
    private static final long serialVersionUID = 1L;

    private final long fingerprint;

    UnknownSchemaException(String message, long fingerprint, List<String> knownTypes) {
        super(message, knownTypes, null);
        this.fingerprint = fingerprint;
    }

    /** Returns the fingerprint read from the header (stored little-endian in the bytes). */
    public long getFingerprint() {
        return fingerprint;
    }

    /** Returns the fingerprint as 16 lower-case hex digits, the form used in the message. */
    public String getFingerprintHex() {
        return SingleObjectFormat.toHex(fingerprint);
    }

    /** Returns the simple names of the record types this reader accepts. */
    public List<String> getKnownTypes() {
        return getExpectedTypes();
    }
}
