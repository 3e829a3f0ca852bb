package io.saltstream.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoFrameReaderTest {

    @TempDir Path folder;

    @Test
    void vtestFirstFrames() throws IOException {
        Path vtest = video("examples/data/vtest.avi");

        try (VideoFrameReader reader =
                VideoFrameReader.builder().setFile(vtest).optMaxFrames(20).build()) {
            assertThat(reader.width()).isEqualTo(768);
            assertThat(reader.height()).isEqualTo(576);
            List<VideoFrame> frames = readAll(reader);

            assertThat(frames).hasSize(20);
            long frameMicros = Math.round(1_000_000 / reader.frameRate());
            for (int i = 0; i < frames.size(); i++) {
                VideoFrame frame = frames.get(i);
                assertThat(frame.index()).isEqualTo(i);
                assertThat(frame.width()).isEqualTo(768);
                assertThat(frame.height()).isEqualTo(576);
                assertThat(frame.timestampEstimated()).isFalse();
                // vtest.avi has a constant frame rate, so timestamps are index * frame duration.
                assertThat(frame.timestampMicros()).isEqualTo(i * frameMicros);
            }
            assertThat(reader.hasNext()).isFalse();
            assertThatThrownBy(reader::next)
                    .isInstanceOf(NoSuchElementException.class)
                    .hasMessage("no more frames in " + vtest + " after 20 frames");
        }
    }

    @Test
    void framesDifferOverTime() throws IOException {
        Path vtest = video("examples/data/vtest.avi");

        try (VideoFrameReader reader =
                VideoFrameReader.builder().setFile(vtest).optEveryNth(50).optMaxFrames(2).build()) {
            byte[] first = reader.next().toRgbBytes();
            byte[] later = reader.next().toRgbBytes();

            // People walk through the scene: frames 50 apart must not be equal or black.
            assertThat(later).isNotEqualTo(first);
            assertThat(mean(first)).isBetween(20.0, 235.0);
        }
    }

    @Test
    void everyNthSkipsFramesAndCountsThem() throws IOException {
        Path vtest = video("examples/data/vtest.avi");

        try (VideoFrameReader reader =
                VideoFrameReader.builder().setFile(vtest).optEveryNth(100).build()) {
            List<VideoFrame> frames = readAll(reader);

            long decoded = reader.decodedFrames();
            assertThat(decoded).isEqualTo(reader.declaredFrameCount());
            assertThat(frames).hasSize((int) ((decoded + 99) / 100));
            for (int i = 0; i < frames.size(); i++) {
                assertThat(frames.get(i).index()).isEqualTo(i * 100L);
            }
            assertIncreasingTimestamps(frames);
        }
    }

    @Test
    void maxFramesCountsReturnedFrames() throws IOException {
        Path vtest = video("examples/data/vtest.avi");

        try (VideoFrameReader reader =
                VideoFrameReader.builder().setFile(vtest).optEveryNth(3).optMaxFrames(4).build()) {
            List<VideoFrame> frames = readAll(reader);

            assertThat(frames).extracting(VideoFrame::index).containsExactly(0L, 3L, 6L, 9L);
            assertThat(reader.returnedFrames()).isEqualTo(4);
            assertThat(reader.decodedFrames()).isEqualTo(10);
        }
    }

    @Test
    void sizeScalesToExactSize() throws IOException {
        Path vtest = video("examples/data/vtest.avi");

        try (VideoFrameReader reader =
                VideoFrameReader.builder().setFile(vtest).optSize(64, 48).optMaxFrames(3).build()) {
            assertThat(reader.width()).isEqualTo(64);
            assertThat(reader.height()).isEqualTo(48);
            for (VideoFrame frame : readAll(reader)) {
                assertThat(frame.width()).isEqualTo(64);
                assertThat(frame.height()).isEqualTo(48);
                assertThat(frame.toRgbBytes()).hasSize(64 * 48 * 3);
            }
        }
    }

    @Test
    void sizeWithPaddedRowsDecodes() throws IOException {
        // FFmpeg pads the rows of an 8-pixel-wide BGR frame beyond 24 bytes.
        Path vtest = video("examples/data/vtest.avi");

        try (VideoFrameReader reader =
                VideoFrameReader.builder().setFile(vtest).optSize(8, 8).optMaxFrames(2).build()) {
            List<VideoFrame> frames = readAll(reader);
            assertThat(frames).hasSize(2);
            assertThat(frames.get(0).width()).isEqualTo(8);
            assertThat(frames.get(0).toRgbBytes()).hasSize(8 * 8 * 3);
        }
    }

    @Test
    void megamindTimestampsStayIncreasing() throws IOException {
        Path megamind = video("examples/data/Megamind.avi");

        try (VideoFrameReader reader = VideoFrameReader.builder().setFile(megamind).build()) {
            List<VideoFrame> frames = readAll(reader);

            assertThat(frames).hasSize(reader.declaredFrameCount());
            assertThat(frames.get(0).width()).isEqualTo(720);
            assertThat(frames.get(0).height()).isEqualTo(528);
            assertIncreasingTimestamps(frames);
            // FFmpeg reports timestamp 0 for the last frame flushed from the decoder.
            assertThat(reader.estimatedTimestamps()).isPositive();
            assertThat(frames.get(frames.size() - 1).timestampEstimated()).isTrue();
        }
    }

    @Test
    void gzipVideoDecompressedAndDeleted() throws IOException {
        Path box = video("opencv4/html/box.mp4.gz");
        Set<Path> before = temporaryVideos();

        try (VideoFrameReader reader =
                VideoFrameReader.builder().setFile(box).optMaxFrames(30).build()) {
            assertThat(reader.file()).isEqualTo(box);
            assertThat(temporaryVideos()).hasSize(before.size() + 1);
            List<VideoFrame> frames = readAll(reader);

            assertThat(frames).hasSize(30);
            assertThat(frames.get(0).width()).isEqualTo(640);
            assertThat(frames.get(0).height()).isEqualTo(480);
            assertIncreasingTimestamps(frames);
        }
        assertThat(temporaryVideos()).isEqualTo(before);
    }

    @Test
    void cutGzipVideoRejected() throws IOException {
        Path box = video("opencv4/html/box.mp4.gz");
        Path cut = folder.resolve("cut.mp4.gz");
        try (InputStream in = Files.newInputStream(box)) {
            Files.write(cut, in.readNBytes(10_000));
        }
        Set<Path> before = temporaryVideos();

        assertThatThrownBy(() -> VideoFrameReader.builder().setFile(cut).build())
                .isInstanceOf(VideoDecodeException.class)
                .hasMessage(
                        "could not decompress the gzip video "
                                + cut
                                + ": Unexpected end of ZLIB input stream");
        assertThat(temporaryVideos()).isEqualTo(before);
    }

    @Test
    void textFileRejectedWithFfmpegReason() throws IOException {
        Path garbage = folder.resolve("notes.avi");
        Files.writeString(garbage, "this is a text file renamed to .avi\n".repeat(20));

        assertThatThrownBy(() -> VideoFrameReader.builder().setFile(garbage).build())
                .isInstanceOf(VideoDecodeException.class)
                .hasMessageStartingWith(
                        "could not decode video "
                                + garbage
                                + " when opening it: ffmpeg said \"Invalid data found when"
                                + " processing input\" (avformat_open_input() error")
                .hasMessageEndingWith("). Check that it is a video file in a format FFmpeg reads.")
                .hasMessageNotContaining("setFormat");
    }

    @Test
    void missingFileNamed() {
        Path missing = folder.resolve("missing.avi");

        assertThatThrownBy(() -> VideoFrameReader.builder().setFile(missing).build())
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing + ": video file not found");
    }

    @Test
    void folderRejected() {
        assertThatThrownBy(() -> VideoFrameReader.builder().setFile(folder).build())
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(folder + ": video file is not a regular file");
    }

    @Test
    void invalidOptionsRejected() {
        Path file = folder.resolve("any.avi");

        assertThatThrownBy(() -> VideoFrameReader.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("file is required: call setFile(path)");
        assertThatThrownBy(() -> VideoFrameReader.builder().setFile(file).optEveryNth(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("everyNth must be at least 1, but got 0");
        assertThatThrownBy(() -> VideoFrameReader.builder().setFile(file).optMaxFrames(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFrames must be at least 1, but got -1");
        assertThatThrownBy(() -> VideoFrameReader.builder().setFile(file).optSize(0, 10).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size must be at least 1x1 pixels, but got 0x10");
    }

    static Path video(String relativePath) {
        String dataDir = System.getProperty("saltstream.data.dir", "data");
        Path file = Path.of(dataDir, "root/usr/share/doc/opencv-doc", relativePath);
        Assumptions.assumeTrue(
                Files.isRegularFile(file), "skipping: " + file + " not found; run bin/fetch-data");
        return file;
    }

    private static List<VideoFrame> readAll(VideoFrameReader reader) {
        List<VideoFrame> frames = new ArrayList<>();
        reader.forEachRemaining(frames::add);
        return frames;
    }

    private static void assertIncreasingTimestamps(List<VideoFrame> frames) {
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).timestampMicros())
                    .as("timestamp of frame %d", frames.get(i).index())
                    .isGreaterThan(frames.get(i - 1).timestampMicros());
        }
    }

    private static double mean(byte[] values) {
        long sum = 0;
        for (byte value : values) {
            sum += value & 0xFF;
        }
        return (double) sum / values.length;
    }

    private static Set<Path> temporaryVideos() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("saltstream-video-"))
                    .collect(Collectors.toSet());
        }
    }
}
