package io.saltstream.operators.clip;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.TestFrames;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ClipFrameTest {

    @Test
    void copiesPixelFieldsOfFrame() {
        Frame frame = TestFrames.raw("cam", 8, 4321, 2, 1, 3, new byte[] {1, 2, 3, 4, 5, 6});
        frame.setLabel(3);

        ClipFrame clipFrame = ClipFrame.of(frame);

        assertThat(clipFrame)
                .isEqualTo(
                        new ClipFrame(
                                8,
                                4321,
                                FrameEncoding.RAW_U8,
                                2,
                                1,
                                3,
                                new byte[] {1, 2, 3, 4, 5, 6}));
        assertThat(frame.getData().position()).isZero();
    }

    @Test
    void copiesOnlyRemainingBytesOfSlicedBuffer() {
        Frame frame = TestFrames.raw("cam", 0, 0, 1, 1, 1, new byte[] {9});
        ByteBuffer sliced = ByteBuffer.wrap(new byte[] {7, 8, 9});
        sliced.position(2);
        frame.setData(sliced);

        assertThat(ClipFrame.of(frame).data).containsExactly(9);
    }

    @Test
    void rebuildsFrame() {
        Frame frame = TestFrames.raw("cam", 8, 4321, 2, 1, 1, new byte[] {1, 2});
        frame.setLabel(3);

        assertThat(ClipFrame.of(frame).toFrame("cam", 3)).isEqualTo(frame);
    }

    @Test
    void toStringHidesBytes() {
        ClipFrame frame = new ClipFrame(1, 2, FrameEncoding.PNG, 3, 4, 1, new byte[50]);

        assertThat(frame)
                .hasToString("ClipFrame{sequence=1, eventTime=2, PNG 3x4x1, dataBytes=50}");
    }
}
