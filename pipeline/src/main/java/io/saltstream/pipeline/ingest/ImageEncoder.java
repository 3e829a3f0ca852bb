package io.saltstream.pipeline.ingest;

import io.saltstream.schemas.FrameEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Encodes images as JPEG or PNG with Java's ImageIO, reusing one {@link ImageWriter} for all
 * images. Not thread-safe; close it to release the writer.
 */
public final class ImageEncoder implements AutoCloseable {

    /** JPEG quality of {@link #jpeg()}: high enough that compression artefacts stay faint. */
    public static final float DEFAULT_JPEG_QUALITY = 0.9f;

    private final FrameEncoding encoding;
    private final ImageWriter writer;
    private final ImageWriteParam parameters;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);

    private ImageEncoder(FrameEncoding encoding, String format, Float jpegQuality) {
        this.encoding = encoding;
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JVM has no ImageIO writer for " + format);
        }
        this.writer = writers.next();
        this.parameters = writer.getDefaultWriteParam();
        if (jpegQuality != null) {
            parameters.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            parameters.setCompressionQuality(jpegQuality);
        }
    }

    /** Creates a JPEG encoder with quality {@value #DEFAULT_JPEG_QUALITY}. */
    public static ImageEncoder jpeg() {
        return jpeg(DEFAULT_JPEG_QUALITY);
    }

    /**
     * Creates a JPEG encoder.
     *
     * @param quality from 0 (smallest file) to 1 (best quality)
     * @throws IllegalArgumentException when quality is outside [0, 1]
     */
    public static ImageEncoder jpeg(float quality) {
        if (!(quality >= 0 && quality <= 1)) {
            throw new IllegalArgumentException(
                    "JPEG quality must be in [0, 1], but got " + quality);
        }
        return new ImageEncoder(FrameEncoding.JPEG, "jpeg", quality);
    }

    /** Creates a lossless PNG encoder. */
    public static ImageEncoder png() {
        return new ImageEncoder(FrameEncoding.PNG, "png", null);
    }

    /** Returns the encoding this encoder writes. */
    public FrameEncoding encoding() {
        return encoding;
    }

    /** Encodes one image and returns the encoded bytes. */
    public byte[] encode(BufferedImage image) throws IOException {
        buffer.reset();
        try (ImageOutputStream output = ImageIO.createImageOutputStream(buffer)) {
            writer.setOutput(output);
            writer.write(null, new IIOImage(image, null, null), parameters);
        } finally {
            writer.setOutput(null);
        }
        return buffer.toByteArray();
    }

    /**
     * Copies [H, W] unsigned grey bytes, row-major, into a new {@link
     * BufferedImage#TYPE_BYTE_GRAY}.
     */
    public static BufferedImage greyImage(byte[] pixels, int width, int height) {
        if (pixels.length != width * height) {
            throw new IllegalArgumentException(
                    "pixels must contain width*height = "
                            + width * height
                            + " bytes, but contains "
                            + pixels.length);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, width, height, pixels);
        return image;
    }

    @Override
    public void close() {
        writer.dispose();
    }
}
