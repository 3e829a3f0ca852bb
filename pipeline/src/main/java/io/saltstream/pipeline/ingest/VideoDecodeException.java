package io.saltstream.pipeline.ingest;

import java.io.IOException;

/**
 * Thrown when a video file cannot be opened or decoded. The message names the file and repeats the
 * reason FFmpeg gave.
 */
public final class VideoDecodeException extends IOException {

    private static final long serialVersionUID = 1L;

    public VideoDecodeException(String message) {
        super(message);
    }

    public VideoDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
