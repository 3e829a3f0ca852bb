package io.saltstream.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.schemas.FrameEncoding;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ImageEncoderTest {

    @Test
    void pngRoundTripIsLossless() throws IOException {
        byte[] pixels = new byte[28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 13);
        }

        try (ImageEncoder encoder = ImageEncoder.png()) {
            assertThat(encoder.encoding()).isEqualTo(FrameEncoding.PNG);
            byte[] first = encoder.encode(ImageEncoder.greyImage(pixels, 28, 28));
            byte[] second = encoder.encode(ImageEncoder.greyImage(pixels, 28, 28));

            assertThat(second).isEqualTo(first);
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(first));
            assertThat(decoded.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
            assertThat(((DataBufferByte) decoded.getRaster().getDataBuffer()).getData())
                    .isEqualTo(pixels);
        }
    }

    @Test
    void jpegDecodesToCloseColours() throws IOException {
        BufferedImage image = new BufferedImage(32, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                image.setRGB(x, y, 0x3080C0);
            }
        }

        try (ImageEncoder encoder = ImageEncoder.jpeg()) {
            byte[] jpeg = encoder.encode(image);
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));

            assertThat(encoder.encoding()).isEqualTo(FrameEncoding.JPEG);
            assertThat(jpeg[0] & 0xFF).isEqualTo(0xFF);
            assertThat(jpeg[1] & 0xFF).isEqualTo(0xD8);
            assertThat(decoded.getWidth()).isEqualTo(32);
            assertThat(decoded.getHeight()).isEqualTo(16);
            int rgb = decoded.getRGB(5, 5);
            assertThat((rgb >> 16) & 0xFF).isCloseTo(0x30, Offset.offset(4));
            assertThat((rgb >> 8) & 0xFF).isCloseTo(0x80, Offset.offset(4));
            assertThat(rgb & 0xFF).isCloseTo(0xC0, Offset.offset(4));
        }
    }

    @Test
    void invalidQualityRejected() {
        assertThatThrownBy(() -> ImageEncoder.jpeg(1.5f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JPEG quality must be in [0, 1], but got 1.5");
    }

    @Test
    void greyImageSizeMismatchRejected() {
        assertThatThrownBy(() -> ImageEncoder.greyImage(new byte[10], 4, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pixels must contain width*height = 12 bytes, but contains 10");
    }
}
