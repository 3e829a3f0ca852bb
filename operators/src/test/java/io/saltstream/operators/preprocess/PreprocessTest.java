package io.saltstream.operators.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.TestFrames;
import io.saltstream.operators.clip.Clip;
import io.saltstream.operators.clip.ClipFrame;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.IIOException;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PreprocessTest {

    private OneInputStreamOperatorTestHarness<Clip, ClipTensor> harness;
    private Preprocess preprocess;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private List<ClipTensor> run(Preprocess function, Clip... clips) throws Exception {
        preprocess = function;
        harness = ProcessFunctionTestHarnesses.forProcessFunction(function);
        for (Clip clip : clips) {
            harness.processElement(clip, clip.eventTime);
        }
        return harness.extractOutputValues();
    }

    private List<DeadLetter> deadLetters() {
        return TestFrames.sideOutput(harness, DeadLetters.OUTPUT_TAG);
    }

    private static Clip clip(ClipFrame... frames) {
        return new Clip(
                "cam",
                frames[0].sequence,
                frames[frames.length - 1].sequence,
                frames[frames.length - 1].eventTime,
                5,
                new ArrayList<>(Arrays.asList(frames)));
    }

    private static ClipFrame raw(long sequence, int width, int height, int channels, byte[] data) {
        return new ClipFrame(
                sequence, 100 + sequence, FrameEncoding.RAW_U8, width, height, channels, data);
    }

    private static ClipFrame image(long sequence, BufferedImage image, String format) {
        FrameEncoding encoding = format.equals("png") ? FrameEncoding.PNG : FrameEncoding.JPEG;
        int channels = image.getType() == BufferedImage.TYPE_BYTE_GRAY ? 1 : 3;
        return new ClipFrame(
                sequence,
                100 + sequence,
                encoding,
                image.getWidth(),
                image.getHeight(),
                channels,
                TestFrames.write(image, format));
    }

    private static BufferedImage filled(int width, int height, int type, Color color) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(color);
        graphics.fillRect(0, 0, width, height);
        graphics.dispose();
        return image;
    }

    /** Returns the grey PNG/JPEG image type with every sample equal to {@code value}. */
    private static BufferedImage grey(int width, int height, int value) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, value);
            }
        }
        return image;
    }

    private static float normalised(float value, float mean, float std) {
        return (value / 255f - mean) / std;
    }

    private static Preprocess.Builder model(int channels, int height, int width) {
        return Preprocess.builder().setChannels(channels).setHeight(height).setWidth(width);
    }

    @Test
    void rawGreyAtModelSizeIsOnlyNormalised() throws Exception {
        byte[] pixels = new byte[28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i % 256);
        }

        ClipTensor tensor = run(model(1, 28, 28).build(), clip(raw(9, 28, 28, 1, pixels))).get(0);

        assertThat(tensor.shape).containsExactly(1, 1, 28, 28);
        assertThat(tensor.id).isEqualTo("cam:9-9");
        assertThat(tensor.streamId).isEqualTo("cam");
        assertThat(tensor.firstSequence).isEqualTo(9);
        assertThat(tensor.lastSequence).isEqualTo(9);
        assertThat(tensor.eventTime).isEqualTo(109);
        assertThat(tensor.label).isEqualTo(5);
        for (int i = 0; i < pixels.length; i++) {
            assertThat(tensor.data[i]).isEqualTo(normalised(i % 256, 0.5f, 0.5f));
        }
    }

    @Test
    void rawRgbIsLaidOutChannelFirst() throws Exception {
        // 2x2 RGB, interleaved: pixel (y, x) has red 10 * p, green 10 * p + 1, blue 10 * p + 2.
        byte[] pixels = new byte[12];
        for (int p = 0; p < 4; p++) {
            for (int c = 0; c < 3; c++) {
                pixels[p * 3 + c] = (byte) (10 * p + c);
            }
        }
        Preprocess function = model(3, 2, 2).optMean(0f, 0f, 0f).optStd(1f, 1f, 1f).build();

        ClipTensor tensor = run(function, clip(raw(0, 2, 2, 3, pixels))).get(0);

        assertThat(tensor.shape).containsExactly(3, 1, 2, 2);
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 4; p++) {
                assertThat(tensor.data[c * 4 + p]).isEqualTo((10 * p + c) / 255f);
            }
        }
    }

    @Test
    void constantPngMapsToExactNormalisedConstant() throws Exception {
        ClipTensor tensor =
                run(model(1, 16, 16).build(), clip(image(0, grey(40, 30, 200), "png"))).get(0);

        assertThat(tensor.shape).containsExactly(1, 1, 16, 16);
        assertThat(tensor.data).hasSize(256).containsOnly(normalised(200, 0.5f, 0.5f));
    }

    @Test
    void sixteenBitGreyPngIsScaledTo255() throws Exception {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.getRaster().setSample(x, y, 0, 65535);
            }
        }

        ClipTensor tensor = run(model(1, 4, 4).build(), clip(image(0, image, "png"))).get(0);

        assertThat(tensor.data).containsOnly(normalised(255f, 0.5f, 0.5f));
    }

    @Test
    void rgbPngBecomesGreyByLuma() throws Exception {
        BufferedImage rgb = filled(8, 8, BufferedImage.TYPE_INT_RGB, new Color(200, 100, 50));
        float luma = 0.299f * 200 + 0.587f * 100 + 0.114f * 50;

        ClipTensor tensor = run(model(1, 4, 4).build(), clip(image(0, rgb, "png"))).get(0);

        assertThat(tensor.shape).containsExactly(1, 1, 4, 4);
        assertThat(tensor.data).containsOnly(normalised(luma, 0.5f, 0.5f));
    }

    @Test
    void greyPngBecomesRgbWithImageNetNormalisation() throws Exception {
        ClipTensor tensor =
                run(model(3, 6, 6).build(), clip(image(0, grey(6, 6, 100), "png"))).get(0);

        assertThat(tensor.shape).containsExactly(3, 1, 6, 6);
        for (int c = 0; c < 3; c++) {
            float expected =
                    normalised(100, Preprocess.IMAGENET_MEAN[c], Preprocess.IMAGENET_STD[c]);
            assertThat(Arrays.copyOfRange(tensor.data, c * 36, (c + 1) * 36))
                    .containsOnly(expected);
        }
    }

    @Test
    void jpegIsDecodedResizedAndCropped() throws Exception {
        BufferedImage rgb = filled(64, 48, BufferedImage.TYPE_INT_RGB, new Color(30, 120, 220));

        ClipTensor tensor = run(model(3, 32, 32).build(), clip(image(0, rgb, "jpeg"))).get(0);

        assertThat(tensor.shape).containsExactly(3, 1, 32, 32);
        assertThat(tensor.data).hasSize(3 * 32 * 32);
        int[] colour = {30, 120, 220};
        for (int c = 0; c < 3; c++) {
            // JPEG is lossy: a flat colour decodes to within a few levels of itself.
            float expected =
                    normalised(colour[c], Preprocess.IMAGENET_MEAN[c], Preprocess.IMAGENET_STD[c]);
            float tolerance = 4 / 255f / Preprocess.IMAGENET_STD[c];
            for (int i = c * 1024; i < (c + 1) * 1024; i++) {
                assertThat(tensor.data[i]).isCloseTo(expected, within(tolerance));
            }
        }
    }

    @Test
    void greyJpegKeepsItsSamples() throws Exception {
        ClipTensor tensor =
                run(model(1, 8, 8).build(), clip(image(0, grey(8, 8, 90), "jpeg"))).get(0);

        for (float value : tensor.data) {
            assertThat(value).isCloseTo(normalised(90, 0.5f, 0.5f), within(2 / 255f / 0.5f));
        }
    }

    @Test
    void downscalingInterpolatesBilinearly() throws Exception {
        // v(y, x) = 10 x + 3 y is linear, so bilinear sampling reproduces it exactly at the
        // source coordinate (i + 0.5) * 2 - 0.5 = 2 i + 0.5 of a halving resize.
        byte[] pixels = new byte[64];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                pixels[y * 8 + x] = (byte) (10 * x + 3 * y);
            }
        }
        Preprocess function = model(1, 4, 4).optMean(0f).optStd(1f).build();

        ClipTensor tensor = run(function, clip(raw(0, 8, 8, 1, pixels))).get(0);

        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                float expected = 10 * (2 * x + 0.5f) + 3 * (2 * y + 0.5f);
                assertThat(tensor.data[y * 4 + x]).isEqualTo(expected / 255f);
            }
        }
    }

    @Test
    void wideImageIsCroppedAtCentre() throws Exception {
        // 12 wide, 6 high: the shorter side is already 6, so the crop keeps columns 3 to 8.
        byte[] pixels = new byte[72];
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 12; x++) {
                pixels[y * 12 + x] = (byte) (20 * x + y);
            }
        }
        Preprocess function = model(1, 6, 6).optMean(0f).optStd(1f).build();

        ClipTensor tensor = run(function, clip(raw(0, 12, 6, 1, pixels))).get(0);

        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                assertThat(tensor.data[y * 6 + x]).isEqualTo((20 * (x + 3) + y) / 255f);
            }
        }
    }

    @Test
    void tallImageIsResizedThenCroppedAtCentre() throws Exception {
        // 4 wide, 8 high, shorter side resized to 8: the image doubles to 8x16 and the crop
        // keeps rows 4 to 11 of it, which sample source rows (r + 0.5) / 2 - 0.5.
        byte[] pixels = new byte[32];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 4; x++) {
                pixels[y * 4 + x] = (byte) (16 * y);
            }
        }
        Preprocess function = model(1, 8, 8).optMean(0f).optStd(1f).build();

        ClipTensor tensor = run(function, clip(raw(0, 4, 8, 1, pixels))).get(0);

        for (int y = 0; y < 8; y++) {
            float sourceRow = (y + 4 + 0.5f) / 2 - 0.5f;
            for (int x = 0; x < 8; x++) {
                assertThat(tensor.data[y * 8 + x]).isCloseTo(16 * sourceRow / 255f, within(1e-6f));
            }
        }
    }

    @Test
    void clipFramesAreLaidOutFrameAfterFrame() throws Exception {
        Clip clip =
                clip(
                        raw(0, 4, 4, 1, filledBytes(16, 10)),
                        image(1, grey(4, 4, 20), "png"),
                        raw(2, 4, 4, 3, filledBytes(48, 30)));
        Preprocess function = model(3, 4, 4).optMean(0f, 0f, 0f).optStd(1f, 1f, 1f).build();

        ClipTensor tensor = run(function, clip).get(0);

        assertThat(tensor.shape).containsExactly(3, 3, 4, 4);
        assertThat(tensor.id).isEqualTo("cam:0-2");
        int[] frameValues = {10, 20, 30};
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < 3; t++) {
                int start = (c * 3 + t) * 16;
                assertThat(Arrays.copyOfRange(tensor.data, start, start + 16))
                        .containsOnly(frameValues[t] / 255f);
            }
        }
    }

    private static byte[] filledBytes(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Test
    void undecodableJpegSendsClipToDeadLetters() throws Exception {
        byte[] broken = new byte[100];
        for (int i = 0; i < broken.length; i++) {
            broken[i] = (byte) (i * 37);
        }
        broken[0] = (byte) 0xFF;
        broken[1] = (byte) 0xD8;
        broken[2] = (byte) 0xFF;
        ClipFrame bad = new ClipFrame(1, 101, FrameEncoding.JPEG, 8, 8, 3, broken);
        Clip badClip = clip(raw(0, 8, 8, 1, new byte[64]), bad);
        Clip goodClip = clip(raw(2, 8, 8, 1, new byte[64]), raw(3, 8, 8, 1, new byte[64]));

        List<ClipTensor> tensors = run(model(1, 8, 8).build(), badClip, goodClip);

        assertThat(tensors).extracting(tensor -> tensor.id).containsExactly("cam:2-3");
        DeadLetter letter = deadLetters().get(0);
        assertThat(letter.getReason())
                .startsWith("clip dropped: JPEG data of 100 bytes could not be decoded: ")
                .endsWith("(stream 'cam', sequence 1, clip cam:0-1)");
        assertThat(letter.getErrorClass()).isEqualTo(IIOException.class.getName());
        Frame payload = Frame.getDecoder().decode(letter.getPayload());
        assertThat(payload.getSequence()).isEqualTo(1);
        assertThat(payload.getEncoding()).isEqualTo(FrameEncoding.JPEG);
        assertThat(TestFrames.bytes(payload.getData())).isEqualTo(broken);
        assertThat(preprocess.getDeadLetterCount()).isEqualTo(1);
    }

    @Test
    void declaredSizeMismatchSendsClipToDeadLetters() throws Exception {
        ClipFrame png = image(0, grey(5, 4, 0), "png");
        png.width = 6;

        List<ClipTensor> tensors = run(model(1, 4, 4).build(), clip(png));

        assertThat(tensors).isEmpty();
        assertThat(deadLetters())
                .singleElement()
                .extracting(DeadLetter::getReason)
                .isEqualTo(
                        "clip dropped: PNG frame declares 6x4 but decodes to 5x4 (stream 'cam',"
                                + " sequence 0, clip cam:0-0)");
    }

    @Test
    void rawSizeMismatchSendsClipToDeadLetters() throws Exception {
        run(model(1, 4, 4).build(), clip(raw(0, 4, 4, 1, new byte[15])));

        assertThat(deadLetters())
                .singleElement()
                .extracting(DeadLetter::getReason)
                .isEqualTo(
                        "clip dropped: RAW_U8 frame 4x4x1 needs 16 bytes but has 15 (stream"
                                + " 'cam', sequence 0, clip cam:0-0)");
    }

    @Test
    void defaultsFollowChannelCount() {
        Preprocess grey = model(1, 28, 28).build();
        Preprocess rgb = model(3, 224, 160).build();

        assertThat(grey.getMean()).containsExactly(0.5f);
        assertThat(grey.getStd()).containsExactly(0.5f);
        assertThat(rgb.getMean()).containsExactly(Preprocess.IMAGENET_MEAN);
        assertThat(rgb.getStd()).containsExactly(Preprocess.IMAGENET_STD);
        assertThat(rgb.getResizeShorterSide()).isEqualTo(224);
        assertThat(rgb.getProducedType()).isEqualTo(OperatorTypes.CLIP_TENSOR);
    }

    @Test
    void builderRejectsInvalidSettings() {
        assertThatThrownBy(() -> model(2, 8, 8).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "preprocess.channels is 2 but must be 1 (grey) or 3 (RGB); set it to the"
                                + " model's channel count");
        assertThatThrownBy(() -> model(1, 0, 8).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.height is 0 but must be 1 or more");
        assertThatThrownBy(() -> model(1, 8, -1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.width is -1 but must be 1 or more");
        assertThatThrownBy(() -> model(3, 224, 200).optResizeShorterSide(200).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "preprocess.resize-shorter-side is 200 but must be at least"
                                + " max(preprocess.height, preprocess.width) = 224 so the centre"
                                + " crop fits");
        assertThatThrownBy(() -> model(3, 8, 8).optMean(0.5f).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.mean is [0.5] but must have one value per channel (3)");
        assertThatThrownBy(() -> model(1, 8, 8).optStd(0f).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.std is [0.0] but every value must be finite and positive");
        assertThatThrownBy(() -> model(1, 8, 8).optMean(Float.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.mean is [NaN] but every value must be finite");
    }
}
