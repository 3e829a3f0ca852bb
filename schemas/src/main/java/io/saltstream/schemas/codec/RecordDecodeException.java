package io.saltstream.schemas.codec;

import java.util.List;

/**
 * Bytes that cannot be decoded into the expected saltstream record. The subclass names the problem:
 * {@link NotSingleObjectEncodedException}, {@link UnknownSchemaException}, {@link
 * TruncatedRecordException} or {@link MalformedRecordException}. Every message names the record
 * types the reader expected.
 *
 * <p>It extends {@link IllegalArgumentException} because the bytes are an invalid argument: a
 * caller that routes bad input to a dead-letter topic can catch this type alone.
 */
public abstract class RecordDecodeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final List<String> expectedTypes;

    RecordDecodeException(String message, List<String> expectedTypes, Throwable cause) {
        super(message, cause);
        this.expectedTypes = List.copyOf(expectedTypes);
    }

    /** Returns the simple names of the record types the reader accepts, for example [Frame]. */
    public List<String> getExpectedTypes() {
        return expectedTypes;
    }
}
