package io.saltstream.schemas.codec;

import java.util.List;

/**
 * Bytes with a valid header and a known schema that end before the record does, for example because
 * a size limit cut them. The message names the field being read when the bytes ran out.
 */
public final class TruncatedRecordException extends RecordDecodeException {
    private static final long serialVersionUID = 1L;

    TruncatedRecordException(String message, List<String> expectedTypes) {
        super(message, expectedTypes, null);
    }
}
