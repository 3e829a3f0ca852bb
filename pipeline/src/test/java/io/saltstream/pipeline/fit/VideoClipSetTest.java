package io.saltstream.pipeline.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoClipSetTest {

    @TempDir Path folder;

    private static Path sampleVideo() {
        Path video = DataFiles.defaultVideo(DataFiles.defaultDataDirectory());
        Assumptions.assumeTrue(
                Files.isRegularFile(video),
                "skipping: " + video + " not found; run bin/fetch-data");
        return video;
    }

    // 64x64 keeps each BGR row a multiple of FFmpeg's 64-byte line alignment: VideoFrameReader
    // rejects frames whose rows FFmpeg pads, such as 8x8.
    @Test
    void clipsCutAtStrideWithinVideo() throws IOException {
        VideoClipSet clips = VideoClipSet.decode(List.of(sampleVideo()), 3, 4, 64, 64, 2);

        int frames = clips.frameCount();
        assertThat(frames).isGreaterThan(4);
        assertThat(clips.size()).isEqualTo((frames - 4) / 2 + 1);
        assertThat(clips.sampleShape()).containsExactly(3, 4, 64, 64);
        assertThat(clips.hasLabels()).isFalse();
    }

    @Test
    void consecutiveClipsShareFrames() throws IOException {
        VideoClipSet clips = VideoClipSet.decode(List.of(sampleVideo()), 3, 4, 64, 64, 4);
        VideoClipSet everyFrame = clips.withStride(1);
        int plane = 64 * 64;
        float[] first = new float[clips.sampleLength()];
        float[] second = new float[clips.sampleLength()];

        everyFrame.copySample(0, first, 0);
        everyFrame.copySample(1, second, 0);

        // Layout [C, T, H, W]: frame t + 1 of clip 0 is frame t of clip 1, in every channel.
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < 3; t++) {
                float[] later =
                        Arrays.copyOfRange(first, (c * 4 + t + 1) * plane, (c * 4 + t + 2) * plane);
                float[] earlier =
                        Arrays.copyOfRange(second, (c * 4 + t) * plane, (c * 4 + t + 1) * plane);
                assertThat(earlier).containsExactly(later);
            }
        }
        assertThat(everyFrame.size()).isEqualTo(clips.frameCount() - 3);
    }

    @Test
    void valuesNormalisedWithImageNetStatistics() throws IOException {
        VideoClipSet clips = VideoClipSet.decode(List.of(sampleVideo()), 3, 2, 64, 64, 2);
        float[] clip = new float[clips.sampleLength()];
        int plane = 64 * 64;

        clips.copySample(0, clip, 0);

        // Red: (v / 255 - 0.485) / 0.229 lies in [-2.118, 2.249] for v in [0, 255].
        for (int i = 0; i < 2 * plane; i++) {
            assertThat(clip[i]).isBetween(-2.12f, 2.25f);
        }
        assertThat(clips.description())
                .contains("clips of 2 frames at stride 2 (64x64, 3 channels)");
    }

    @Test
    void missingVideoRejected() {
        Path missing = folder.resolve("missing.avi");

        assertThatThrownBy(() -> VideoClipSet.decode(List.of(missing), 3, 2, 8, 8, 1))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing.avi");
    }

    @Test
    void twoChannelsRejected() {
        assertThatThrownBy(() -> VideoClipSet.decode(List.of(folder), 2, 2, 8, 8, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("channels = 2 is not supported: expected 1 (grey) or 3 (RGB)");
    }
}
