package io.saltstream.pipeline.ingest;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the frames of a video file with FFmpeg (through JavaCV's {@link FFmpegFrameGrabber}) and
 * returns them in presentation order as {@link VideoFrame}s: BGR images with the stream's
 * presentation timestamp in microseconds.
 *
 * <p>A gzip-compressed file (detected by its magic bytes 0x1f8b, such as {@code box.mp4.gz}) is
 * first decompressed to a temporary file in {@code java.io.tmpdir}, which {@link #close()} deletes.
 *
 * <p>Options: {@code everyNth} returns every N-th decoded frame (indices 0, N, 2N, ...; skipped
 * frames are decoded but not converted), {@code maxFrames} stops after that many returned frames,
 * and {@code size} scales every frame to exactly W×H pixels with FFmpeg's bilinear scaler, without
 * keeping the aspect ratio.
 *
 * <p>Timestamps are strictly increasing: when FFmpeg reports a timestamp that is not greater than
 * the previous decoded frame's (it reports 0 or a repeated value for the last frames flushed from
 * the decoder of Megamind.avi and box.mp4), the reader uses the previous timestamp plus one frame
 * duration (1/frame rate) and marks the frame {@link VideoFrame#timestampEstimated()}.
 *
 * <p>Not thread-safe. Close the reader to release FFmpeg's native resources.
 */
public final class VideoFrameReader implements Iterator<VideoFrame>, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(VideoFrameReader.class);
    private static final Pattern FFMPEG_ERROR_CODE = Pattern.compile("error (-?\\d+)");

    private final Path file;
    private final Path decompressedFile;
    private final FFmpegFrameGrabber grabber;
    private final int everyNth;
    private final long maxFrames;
    private final int width;
    private final int height;
    private final long frameDurationMicros;

    private long decodedFrames;
    private long returnedFrames;
    private long estimatedTimestamps;
    private long previousTimestampMicros = Long.MIN_VALUE;
    private VideoFrame pending;
    private boolean finished;
    private boolean closed;

    private VideoFrameReader(Builder builder, Path decompressedFile, FFmpegFrameGrabber grabber) {
        this.file = builder.file;
        this.decompressedFile = decompressedFile;
        this.grabber = grabber;
        this.everyNth = builder.everyNth;
        this.maxFrames = builder.maxFrames;
        this.width = grabber.getImageWidth();
        this.height = grabber.getImageHeight();
        double frameRate = grabber.getVideoFrameRate();
        // Without a frame rate, 1 µs is the smallest step that keeps timestamps increasing.
        this.frameDurationMicros = frameRate > 0 ? Math.round(1_000_000 / frameRate) : 1;
    }

    /** Returns a builder; {@link Builder#setFile} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the video file as given to the builder (the compressed one for a gzip file). */
    public Path file() {
        return file;
    }

    /** Returns the width in pixels of the returned frames (the target width when resizing). */
    public int width() {
        return width;
    }

    /** Returns the height in pixels of the returned frames (the target height when resizing). */
    public int height() {
        return height;
    }

    /** Returns the frame rate the container declares, in frames per second, or 0 if unknown. */
    public double frameRate() {
        return grabber.getVideoFrameRate();
    }

    /**
     * Returns the number of frames the container declares. This is an estimate from the header and
     * may differ from the number of frames decoded.
     */
    public int declaredFrameCount() {
        return grabber.getLengthInVideoFrames();
    }

    /** Returns the number of frames decoded so far, including frames skipped by everyNth. */
    public long decodedFrames() {
        return decodedFrames;
    }

    /** Returns the number of frames returned by {@link #next()} so far. */
    public long returnedFrames() {
        return returnedFrames;
    }

    /** Returns how many decoded frames got an estimated timestamp so far. */
    public long estimatedTimestamps() {
        return estimatedTimestamps;
    }

    @Override
    public boolean hasNext() {
        if (pending == null && !finished) {
            try {
                pending = decodeNext();
            } catch (VideoDecodeException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            finished = pending == null;
        }
        return pending != null;
    }

    /**
     * Decodes and returns the next frame.
     *
     * @throws NoSuchElementException when the video has no more frames or maxFrames were returned
     * @throws UncheckedIOException with a {@link VideoDecodeException} cause when FFmpeg fails
     */
    @Override
    public VideoFrame next() {
        if (!hasNext()) {
            throw new NoSuchElementException(
                    "no more frames in " + file + " after " + returnedFrames + " frames");
        }
        VideoFrame frame = pending;
        pending = null;
        returnedFrames++;
        return frame;
    }

    /**
     * Stops FFmpeg and deletes the temporary file of a gzip input. Calling it twice is harmless.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            grabber.close();
        } catch (FrameGrabber.Exception e) {
            throw new IOException("could not close the FFmpeg decoder of " + file, e);
        } finally {
            if (decompressedFile != null) {
                Files.deleteIfExists(decompressedFile);
            }
        }
        if (estimatedTimestamps > 0) {
            LOG.debug(
                    "{}: {} of {} decoded frames had no increasing timestamp and got an estimated"
                            + " one",
                    file,
                    estimatedTimestamps,
                    decodedFrames);
        }
    }

    private VideoFrame decodeNext() throws VideoDecodeException {
        if (closed) {
            throw new IllegalStateException("the reader of " + file + " is closed");
        }
        if (returnedFrames >= maxFrames) {
            return null;
        }
        while (true) {
            long index = decodedFrames;
            boolean wanted = index % everyNth == 0;
            Frame frame;
            try {
                // Only wanted frames are converted to BGR (and scaled): doProcessing = wanted.
                frame = grabber.grabFrame(false, true, wanted, false, false);
            } catch (FrameGrabber.Exception e) {
                throw decodeFailure(
                        file, "at frame " + index, "The file may be damaged or cut short.", e);
            }
            if (frame == null) {
                return null;
            }
            decodedFrames++;
            long timestamp = grabber.getTimestamp();
            boolean estimated = false;
            if (previousTimestampMicros != Long.MIN_VALUE && timestamp <= previousTimestampMicros) {
                timestamp = previousTimestampMicros + frameDurationMicros;
                estimated = true;
                estimatedTimestamps++;
            }
            previousTimestampMicros = timestamp;
            if (wanted) {
                return new VideoFrame(index, timestamp, estimated, toBufferedImage(frame, index));
            }
        }
    }

    /**
     * Copies a BGR24 frame row by row; FFmpeg pads rows to its stride. The grabber is set to BGR24,
     * so the channel count JavaCV reports is not checked: it derives it from the padded stride (an
     * 8-pixel-wide frame with a 192-byte stride reports 24 channels).
     */
    private BufferedImage toBufferedImage(Frame frame, long index) throws VideoDecodeException {
        if (frame.image == null
                || frame.imageStride < width * 3
                || frame.imageDepth != Frame.DEPTH_UBYTE
                || frame.imageWidth != width
                || frame.imageHeight != height) {
            throw new VideoDecodeException(
                    "could not decode video "
                            + file
                            + ": expected a "
                            + width
                            + "x"
                            + height
                            + " image with 3 unsigned-byte channels from FFmpeg at frame "
                            + index
                            + ", got "
                            + frame.imageWidth
                            + "x"
                            + frame.imageHeight
                            + " with "
                            + frame.imageChannels
                            + " channels of depth "
                            + frame.imageDepth);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        ByteBuffer source = (ByteBuffer) frame.image[0];
        int rowBytes = width * 3;
        for (int row = 0; row < height; row++) {
            source.get(row * frame.imageStride, target, row * rowBytes, rowBytes);
        }
        return image;
    }

    private static VideoDecodeException decodeFailure(
            Path file, String where, String advice, FrameGrabber.Exception e) {
        String message = Objects.toString(e.getMessage(), e.getClass().getName());
        // JavaCV appends hints about setFormat() and FFmpegLogCallback that do not apply here.
        for (String hint : new String[] {" (Has setFormat()", " (For more details"}) {
            int start = message.indexOf(hint);
            if (start >= 0) {
                message = message.substring(0, start);
            }
        }
        message = message.strip();
        if (message.endsWith(".")) {
            message = message.substring(0, message.length() - 1);
        }
        String reason = message;
        Matcher code = FFMPEG_ERROR_CODE.matcher(message);
        if (code.find()) {
            byte[] buffer = new byte[256];
            int errorCode = Integer.parseInt(code.group(1));
            if (avutil.av_strerror(errorCode, buffer, buffer.length) == 0) {
                int end = 0;
                while (end < buffer.length && buffer[end] != 0) {
                    end++;
                }
                reason = new String(buffer, 0, end, StandardCharsets.UTF_8);
            }
        }
        return new VideoDecodeException(
                "could not decode video "
                        + file
                        + " "
                        + where
                        + ": ffmpeg said \""
                        + reason
                        + "\" ("
                        + message
                        + "). "
                        + advice,
                e);
    }

    /**
     * Options of a {@link VideoFrameReader}; {@link #build()} validates them and opens the file.
     */
    public static final class Builder {
        private Path file;
        private int everyNth = 1;
        private long maxFrames = Long.MAX_VALUE;
        private boolean sizeSet;
        private int width;
        private int height;

        private Builder() {}

        /** Sets the video file: any container and codec FFmpeg decodes, optionally gzipped. */
        public Builder setFile(Path file) {
            this.file = file;
            return this;
        }

        /** Returns every N-th decoded frame, starting with the first. Default 1 (every frame). */
        public Builder optEveryNth(int everyNth) {
            this.everyNth = everyNth;
            return this;
        }

        /** Stops after this many returned frames. Default: no limit. */
        public Builder optMaxFrames(long maxFrames) {
            this.maxFrames = maxFrames;
            return this;
        }

        /**
         * Scales every frame to exactly {@code width} × {@code height} pixels; the aspect ratio is
         * not kept. Default: the video's own size.
         */
        public Builder optSize(int width, int height) {
            this.sizeSet = true;
            this.width = width;
            this.height = height;
            return this;
        }

        /**
         * Validates the options, opens the file and starts the decoder.
         *
         * @throws IllegalArgumentException when the file is not set or an option is out of range
         * @throws NoSuchFileException when the file does not exist
         * @throws VideoDecodeException when FFmpeg cannot open the file or it has no video stream
         * @throws IOException when decompressing a gzip file fails
         */
        public VideoFrameReader build() throws IOException {
            if (file == null) {
                throw new IllegalArgumentException("file is required: call setFile(path)");
            }
            if (everyNth < 1) {
                throw new IllegalArgumentException(
                        "everyNth must be at least 1, but got " + everyNth);
            }
            if (maxFrames < 1) {
                throw new IllegalArgumentException(
                        "maxFrames must be at least 1, but got " + maxFrames);
            }

            if (sizeSet && (width < 1 || height < 1)) {
                throw new IllegalArgumentException(
                        "size must be at least 1x1 pixels, but got " + width + "x" + height);
            }
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString(), null, "video file not found");
            }
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(
                        file.toString(), null, "video file is not a regular file");
            }

            FfmpegLogBridge.install();
            Path decompressed = isGzip(file) ? decompress(file) : null;
            FFmpegFrameGrabber grabber =
                    new FFmpegFrameGrabber((decompressed != null ? decompressed : file).toFile());
            try {
                grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
                if (sizeSet) {
                    grabber.setImageWidth(width);
                    grabber.setImageHeight(height);
                }
                grabber.start();
                if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
                    throw new VideoDecodeException(
                            "could not decode video "
                                    + file
                                    + ": it has no video stream (format "
                                    + grabber.getFormat()
                                    + ")");
                }
            } catch (FrameGrabber.Exception e) {
                closeAfterFailure(grabber, decompressed, e);
                throw decodeFailure(
                        file,
                        "when opening it",
                        "Check that it is a video file in a format FFmpeg reads.",
                        e);
            } catch (IOException | RuntimeException e) {
                closeAfterFailure(grabber, decompressed, e);
                throw e;
            }

            VideoFrameReader reader = new VideoFrameReader(this, decompressed, grabber);
            LOG.debug(
                    "Opened {} ({}, {}, {}x{}, {} fps, about {} frames)",
                    file,
                    grabber.getFormat(),
                    grabber.getVideoCodecName(),
                    reader.width,
                    reader.height,
                    grabber.getVideoFrameRate(),
                    grabber.getLengthInVideoFrames());
            return reader;
        }

        private static boolean isGzip(Path file) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                return in.read() == 0x1f && in.read() == 0x8b;
            }
        }

        private static Path decompress(Path file) throws IOException {
            String name = String.valueOf(file.getFileName());
            String innerName = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
            // Keep the inner name as suffix: FFmpeg uses the extension as a format hint.
            Path target = Files.createTempFile("saltstream-video-", "-" + innerName);
            try (InputStream in =
                    new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(target);
                throw new VideoDecodeException(
                        "could not decompress the gzip video " + file + ": " + e.getMessage(), e);
            }
            return target;
        }

        private static void closeAfterFailure(
                FFmpegFrameGrabber grabber, Path decompressed, Exception failure) {
            try {
                grabber.close();
            } catch (FrameGrabber.Exception e) {
                failure.addSuppressed(e);
            }
            if (decompressed != null) {
                try {
                    Files.deleteIfExists(decompressed);
                } catch (IOException e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }
}
