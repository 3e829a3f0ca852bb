package io.saltstream.pipeline.ingest;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * One decoded video frame.
 *
 * @param index position of the frame among all decoded frames of the file, starting at 0; frames
 *     skipped by {@code everyNth} count too, so with everyNth = 5 the indices are 0, 5, 10, ...
 * @param timestampMicros presentation timestamp in microseconds from the start of the stream, as
 *     FFmpeg reports it; strictly increasing within one reader (see {@code timestampEstimated})
 * @param timestampEstimated true when the stream's timestamp was missing or not greater than the
 *     previous frame's, and the reader used the previous timestamp plus one frame duration instead
 * @param image the pixels as {@link BufferedImage#TYPE_3BYTE_BGR}; owned by this record (the reader
 *     allocates a new image per frame)
 */
public record VideoFrame(
        long index, long timestampMicros, boolean timestampEstimated, BufferedImage image) {

    /** Returns the frame width in pixels. */
    public int width() {
        return image.getWidth();
    }

    /** Returns the frame height in pixels. */
    public int height() {
        return image.getHeight();
    }

    /**
     * Returns the pixels as [H, W, 3] bytes, row-major, in R, G, B order (the layout of {@code
     * FrameEncoding.RAW_U8} with 3 channels).
     */
    public byte[] toRgbBytes() {
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }
}
