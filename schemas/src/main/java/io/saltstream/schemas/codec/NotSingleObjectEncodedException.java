package io.saltstream.schemas.codec;

import java.util.List;

/**
 * Bytes that do not start with Avro's single-object header: the marker {@code 0xC3 0x01} and an
 * 8-byte schema fingerprint. Typical causes are plain Avro binary without the header, JSON, a Kafka
 * tombstone (null value) or an empty array. The message shows the first bytes found.
 */
public final class NotSingleObjectEncodedException extends RecordDecodeException {
    private static final long serialVersionUID = 1L;

    NotSingleObjectEncodedException(String message, List<String> expectedTypes) {
        super(message, expectedTypes, null);
    }
}
