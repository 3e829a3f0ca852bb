package io.saltstream.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class VideoFrameTest {

    @Test
    void toRgbBytesOrdersRedGreenBlue() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
        image.setRGB(0, 0, 0x112233);
        image.setRGB(1, 0, 0xA0B0C0);
        VideoFrame frame = new VideoFrame(0, 0, false, image);

        assertThat(frame.toRgbBytes())
                .containsExactly(0x11, 0x22, 0x33, (byte) 0xA0, (byte) 0xB0, (byte) 0xC0);
        assertThat(frame.width()).isEqualTo(2);
        assertThat(frame.height()).isEqualTo(1);
    }
}
