package io.saltstream.pipeline.ingest;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends FFmpeg's log messages to SLF4J (logger {@code io.saltstream.pipeline.ingest.ffmpeg}) at
 * DEBUG, in place of FFmpeg's default of printing them on stderr.
 *
 * <p>Only messages at FFmpeg's ERROR level or more severe are forwarded. They are logged at DEBUG
 * because FFmpeg reports repairable stream problems as errors too (box.mp4 from opencv-doc logs "A
 * non-intra slice in an IDR NAL unit." and then decodes every frame), and a failure that stops
 * decoding reaches the caller as a {@link VideoDecodeException} anyway.
 */
final class FfmpegLogBridge extends LogCallback {

    private static final Logger LOG =
            LoggerFactory.getLogger("io.saltstream.pipeline.ingest.ffmpeg");

    // FFmpeg keeps only a native pointer to the callback: this reference keeps it reachable.
    private static FfmpegLogBridge installed;

    private FfmpegLogBridge() {}

    /** Installs the bridge once per JVM; later calls do nothing. */
    static synchronized void install() {
        if (installed == null) {
            installed = new FfmpegLogBridge();
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            avutil.setLogCallback(installed);
        }
    }

    @Override
    public void call(int level, BytePointer message) {
        if (level <= avutil.AV_LOG_ERROR && LOG.isDebugEnabled()) {
            LOG.debug("ffmpeg: {}", message.getString().strip());
        }
    }
}
