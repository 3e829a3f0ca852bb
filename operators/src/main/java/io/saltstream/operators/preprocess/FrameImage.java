package io.saltstream.operators.preprocess;

import io.saltstream.operators.clip.ClipFrame;
import io.saltstream.operators.deadletter.RejectedRecordException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * The pixels of one decoded frame as float planes with values in [0, 255]: {@code planes[c][y *
 * width + x]} for channel c, row y and column x.
 */
final class FrameImage {

    /** Rule name stored as the dead letter's {@code errorClass} when no reader knows the data. */
    static final String RULE_UNDECODABLE = "undecodable-image";

    /** Rule name stored as the dead letter's {@code errorClass} for a size mismatch. */
    static final String RULE_SIZE_MISMATCH = "image-size-mismatch";

    /** ITU-R BT.601 luma weights of red, green and blue, used for RGB to grey. */
    private static final float LUMA_RED = 0.299f;

    private static final float LUMA_GREEN = 0.587f;
    private static final float LUMA_BLUE = 0.114f;

    final int width;
    final int height;
    final float[][] planes;

    private FrameImage(int width, int height, float[][] planes) {
        this.width = width;
        this.height = height;
        this.planes = planes;
    }

    /**
     * Decodes a frame. RAW_U8 data is read directly; JPEG and PNG go through {@link ImageIO}. Grey
     * images keep one plane and every other colour model is read as sRGB into three planes; an
     * alpha channel is ignored.
     *
     * @param frame the frame
     * @param where the stream and sequence, for messages
     * @return the decoded image
     * @throws RejectedRecordException if the data does not decode or its size differs from the
     *     declared width and height
     */
    static FrameImage decode(ClipFrame frame, String where) throws RejectedRecordException {
        switch (frame.encoding) {
            case RAW_U8:
                return decodeRaw(frame, where);
            case JPEG:
            case PNG:
                return decodeEncoded(frame, where);
            default:
                throw new IllegalStateException("unhandled frame encoding " + frame.encoding);
        }
    }

    private static FrameImage decodeRaw(ClipFrame frame, String where)
            throws RejectedRecordException {
        int channels = frame.channels;
        long expected = (long) frame.width * frame.height * channels;
        if (frame.data.length != expected) {
            throw new RejectedRecordException(
                    "RAW_U8 frame "
                            + frame.width
                            + "x"
                            + frame.height
                            + "x"
                            + channels
                            + " needs "
                            + expected
                            + " bytes but has "
                            + frame.data.length
                            + where,
                    RULE_SIZE_MISMATCH);
        }
        int pixels = frame.width * frame.height;
        float[][] planes = new float[channels][pixels];
        for (int i = 0; i < pixels; i++) {
            for (int c = 0; c < channels; c++) {
                // Interleaved samples: pixel i's channel c is at i * channels + c.
                planes[c][i] = frame.data[i * channels + c] & 0xFF;
            }
        }
        return new FrameImage(frame.width, frame.height, planes);
    }

    private static FrameImage decodeEncoded(ClipFrame frame, String where)
            throws RejectedRecordException {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(frame.data));
        } catch (IOException | RuntimeException e) {
            throw new RejectedRecordException(
                    frame.encoding
                            + " data of "
                            + frame.data.length
                            + " bytes could not be decoded: "
                            + e.getMessage()
                            + where,
                    e.getClass().getName());
        }
        if (image == null) {
            throw new RejectedRecordException(
                    "no image reader recognises the "
                            + frame.data.length
                            + " bytes declared as "
                            + frame.encoding
                            + where,
                    RULE_UNDECODABLE);
        }
        if (image.getWidth() != frame.width || image.getHeight() != frame.height) {
            throw new RejectedRecordException(
                    frame.encoding
                            + " frame declares "
                            + frame.width
                            + "x"
                            + frame.height
                            + " but decodes to "
                            + image.getWidth()
                            + "x"
                            + image.getHeight()
                            + where,
                    RULE_SIZE_MISMATCH);
        }
        return fromBufferedImage(image);
    }

    private static FrameImage fromBufferedImage(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel colorModel = image.getColorModel();
        boolean grey =
                colorModel.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                        && !(colorModel instanceof IndexColorModel);
        if (grey) {
            // Read the raw samples: getRGB would convert linear grey to sRGB and alter values.
            Raster raster = image.getRaster();
            float scale = 255f / ((1 << colorModel.getComponentSize(0)) - 1);
            float[] plane = new float[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    plane[y * width + x] = raster.getSample(x, y, 0) * scale;
                }
            }
            return new FrameImage(width, height, new float[][] {plane});
        }
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        float[][] planes = new float[3][width * height];
        for (int i = 0; i < argb.length; i++) {
            planes[0][i] = (argb[i] >> 16) & 0xFF;
            planes[1][i] = (argb[i] >> 8) & 0xFF;
            planes[2][i] = argb[i] & 0xFF;
        }
        return new FrameImage(width, height, planes);
    }

    /**
     * Converts to {@code channels} planes: grey is repeated into red, green and blue; RGB becomes
     * grey by the ITU-R BT.601 luma weights 0.299, 0.587 and 0.114.
     *
     * @param channels 1 or 3
     * @return this image when it already has that many planes, otherwise a converted copy
     */
    FrameImage withChannels(int channels) {
        if (planes.length == channels) {
            return this;
        }
        if (channels == 3) {
            return new FrameImage(width, height, new float[][] {planes[0], planes[0], planes[0]});
        }
        float[] grey = new float[width * height];
        for (int i = 0; i < grey.length; i++) {
            grey[i] =
                    LUMA_RED * planes[0][i] + LUMA_GREEN * planes[1][i] + LUMA_BLUE * planes[2][i];
        }
        return new FrameImage(width, height, new float[][] {grey});
    }

    /**
     * Resizes so the shorter side is {@code shorterSide} pixels (bilinear, pixel centres aligned as
     * in {@code align_corners = false}), crops the centre {@code outHeight x outWidth}, and writes
     * {@code (value / 255 - mean[c]) / std[c]} into frame {@code t} of a C, T, H, W tensor.
     *
     * <p>Only the cropped pixels are interpolated. Bilinear interpolation reads 2x2 neighbours, so
     * a large downscale aliases; a constant image stays exactly constant because each sample is
     * {@code a + w * (b - a)}.
     *
     * @param shorterSide target length of the shorter side; at least max(outHeight, outWidth)
     * @param outHeight H
     * @param outWidth W
     * @param mean per-channel mean of values scaled to [0, 1]
     * @param std per-channel standard deviation of values scaled to [0, 1]
     * @param out the tensor [C, T, H, W]
     * @param t frame index in the tensor
     * @param frameCount T
     */
    void resizeCropNormalise(
            int shorterSide,
            int outHeight,
            int outWidth,
            float[] mean,
            float[] std,
            float[] out,
            int t,
            int frameCount) {
        double scale = (double) shorterSide / Math.min(width, height);
        int resizedWidth =
                width <= height
                        ? shorterSide
                        : (int) Math.max(shorterSide, Math.round(width * scale));
        int resizedHeight =
                height <= width
                        ? shorterSide
                        : (int) Math.max(shorterSide, Math.round(height * scale));
        int offsetX = (resizedWidth - outWidth) / 2;
        int offsetY = (resizedHeight - outHeight) / 2;

        int[] x0 = new int[outWidth];
        int[] x1 = new int[outWidth];
        float[] wx = new float[outWidth];
        sampleGrid(width, resizedWidth, offsetX, x0, x1, wx);
        int[] y0 = new int[outHeight];
        int[] y1 = new int[outHeight];
        float[] wy = new float[outHeight];
        sampleGrid(height, resizedHeight, offsetY, y0, y1, wy);

        for (int c = 0; c < planes.length; c++) {
            float[] plane = planes[c];
            // Channel c, frame t starts at ((c * T + t) * H) * W in the C, T, H, W layout.
            int base = (c * frameCount + t) * outHeight * outWidth;
            for (int y = 0; y < outHeight; y++) {
                int top = y0[y] * width;
                int bottom = y1[y] * width;
                for (int x = 0; x < outWidth; x++) {
                    float topValue = lerp(plane[top + x0[x]], plane[top + x1[x]], wx[x]);
                    float bottomValue = lerp(plane[bottom + x0[x]], plane[bottom + x1[x]], wx[x]);
                    float value = lerp(topValue, bottomValue, wy[y]);
                    out[base + y * outWidth + x] = (value / 255f - mean[c]) / std[c];
                }
            }
        }
    }

    /**
     * Computes, for each output position along one axis, the two source indices and the weight of
     * the second: output i maps to source coordinate (i + offset + 0.5) * source / resized - 0.5,
     * clamped to the image.
     */
    private static void sampleGrid(
            int source, int resized, int offset, int[] first, int[] second, float[] weight) {
        double ratio = (double) source / resized;
        for (int i = 0; i < first.length; i++) {
            double coordinate = (i + offset + 0.5) * ratio - 0.5;
            coordinate = Math.min(Math.max(coordinate, 0), source - 1);
            int lower = (int) Math.floor(coordinate);
            first[i] = lower;
            second[i] = Math.min(lower + 1, source - 1);
            weight[i] = (float) (coordinate - lower);
        }
    }

    private static float lerp(float a, float b, float weight) {
        return a + weight * (b - a);
    }
}
