package io.saltstream.pipeline.ingest;

import java.io.IOException;

/**
 * Thrown when a file is not a valid IDX file: wrong magic number, unsupported data type, invalid
 * dimensions, data shorter or longer than the header declares, or an images file and a labels file
 * with different counts. The message names the file, what was expected and what was found.
 */
public final class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
