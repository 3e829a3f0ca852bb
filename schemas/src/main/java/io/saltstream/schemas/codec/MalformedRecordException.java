package io.saltstream.schemas.codec;

import java.util.List;

/**
 * Bytes with a valid header and a known schema whose payload is corrupt: a negative length, an enum
 * or union index out of range, an over-long variable-length integer, or bytes left over after the
 * record ends. The message names the field and the bad value.
 */
public final class MalformedRecordException extends RecordDecodeException {
    private static final long serialVersionUID = 1L;

    MalformedRecordException(String message, List<String> expectedTypes, Throwable cause) {
        super(message, expectedTypes, cause);
    }
}
