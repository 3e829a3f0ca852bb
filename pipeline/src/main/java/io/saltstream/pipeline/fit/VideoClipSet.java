package io.saltstream.pipeline.fit;

import io.saltstream.operators.preprocess.Preprocess;
import io.saltstream.pipeline.ingest.VideoFrame;
import io.saltstream.pipeline.ingest.VideoFrameReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clips of T consecutive frames cut from video files, as model inputs of shape [C, T, H, W].
 *
 * <p>Every frame is decoded with {@link VideoFrameReader} and scaled to exactly W×H pixels by
 * FFmpeg (the aspect ratio is not kept), then normalised like the pipeline's {@link Preprocess}:
 * each value v in [0, 255] becomes {@code (v / 255 - mean[c]) / std[c]} with the ImageNet means and
 * standard deviations for RGB, or the grey mean and standard deviation 0.5 for one channel (the
 * BT.601 luma of the RGB frame). The decoded frames stay in memory as floats (C·H·W·4 bytes each:
 * 48 KiB at 64×64 RGB), and clips are assembled when a sample is copied, so sets with different
 * strides share the frames ({@link #withStride}).
 *
 * <p>Clip i of a video starts at frame i·stride; a clip never crosses from one video into the next.
 * A video shorter than T frames contributes no clip. Videos have no labels.
 */
public final class VideoClipSet implements SampleSet {

    private static final Logger LOG = LoggerFactory.getLogger(VideoClipSet.class);

    private final List<Path> files;
    private final List<float[][]> videos;
    private final int[] shape;
    private final int stride;
    private final int[] clipVideo;
    private final int[] clipStart;

    private VideoClipSet(List<Path> files, List<float[][]> videos, int[] shape, int stride) {
        this.files = files;
        this.videos = videos;
        this.shape = shape;
        this.stride = stride;
        int frames = shape[1];
        List<int[]> clips = new ArrayList<>();
        for (int video = 0; video < videos.size(); video++) {
            int length = videos.get(video).length;
            for (int start = 0; start + frames <= length; start += stride) {
                clips.add(new int[] {video, start});
            }
        }
        this.clipVideo = new int[clips.size()];
        this.clipStart = new int[clips.size()];
        for (int i = 0; i < clips.size(); i++) {
            clipVideo[i] = clips.get(i)[0];
            clipStart[i] = clips.get(i)[1];
        }
    }

    /**
     * Decodes every frame of the videos and cuts clips of {@code frames} frames every {@code
     * stride} frames.
     *
     * @param channels C, 3 for RGB or 1 for grey
     * @throws IllegalArgumentException for an empty file list, a size or stride below 1, or a
     *     channel count other than 1 or 3
     * @throws java.nio.file.NoSuchFileException when a video does not exist
     * @throws io.saltstream.pipeline.ingest.VideoDecodeException when FFmpeg cannot decode a video
     */
    public static VideoClipSet decode(
            List<Path> files, int channels, int frames, int height, int width, int stride)
            throws IOException {
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("files must name at least one video");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(
                    "channels = " + channels + " is not supported: expected 1 (grey) or 3 (RGB)");
        }
        if (frames < 1 || height < 1 || width < 1 || stride < 1) {
            throw new IllegalArgumentException(
                    "frames, height, width and stride must be at least 1, got "
                            + frames
                            + ", "
                            + height
                            + ", "
                            + width
                            + ", "
                            + stride);
        }
        float[] mean = channels == 1 ? Preprocess.GREY_MEAN : Preprocess.IMAGENET_MEAN;
        float[] std = channels == 1 ? Preprocess.GREY_STD : Preprocess.IMAGENET_STD;
        List<float[][]> videos = new ArrayList<>();
        for (Path file : files) {
            long started = System.nanoTime();
            List<float[]> decoded = new ArrayList<>();
            try (VideoFrameReader reader =
                    VideoFrameReader.builder().setFile(file).optSize(width, height).build()) {
                while (reader.hasNext()) {
                    VideoFrame frame = reader.next();
                    decoded.add(normalize(frame.toRgbBytes(), channels, height * width, mean, std));
                }
            }
            LOG.info(
                    "Decoded {} frames of {} at {}x{} in {} ms",
                    decoded.size(),
                    file,
                    width,
                    height,
                    (System.nanoTime() - started) / 1_000_000);
            if (decoded.size() < frames) {
                LOG.warn(
                        "{} has {} frames, fewer than the {} of one clip: it contributes no clip",
                        file,
                        decoded.size(),
                        frames);
            }
            videos.add(decoded.toArray(new float[0][]));
        }
        return new VideoClipSet(
                List.copyOf(files), videos, new int[] {channels, frames, height, width}, stride);
    }

    /** Returns planar [C, H, W] values of one frame given as [H, W, 3] RGB bytes. */
    private static float[] normalize(
            byte[] rgb, int channels, int pixels, float[] mean, float[] std) {
        float[] planes = new float[channels * pixels];
        for (int p = 0; p < pixels; p++) {
            float red = (rgb[3 * p] & 0xFF) / 255f;
            float green = (rgb[3 * p + 1] & 0xFF) / 255f;
            float blue = (rgb[3 * p + 2] & 0xFF) / 255f;
            if (channels == 1) {
                float luma = 0.299f * red + 0.587f * green + 0.114f * blue;
                planes[p] = (luma - mean[0]) / std[0];
            } else {
                planes[p] = (red - mean[0]) / std[0];
                planes[pixels + p] = (green - mean[1]) / std[1];
                planes[2 * pixels + p] = (blue - mean[2]) / std[2];
            }
        }
        return planes;
    }

    /** Returns the clips of the same decoded frames at another stride. */
    public VideoClipSet withStride(int newStride) {
        if (newStride < 1) {
            throw new IllegalArgumentException("stride must be at least 1, got " + newStride);
        }
        return new VideoClipSet(files, videos, shape, newStride);
    }

    /** Frames between the starts of two consecutive clips. */
    public int stride() {
        return stride;
    }

    /** Returns the decoded video files, in order. */
    public List<Path> files() {
        return files;
    }

    /** Decoded frames of all videos together. */
    public int frameCount() {
        int count = 0;
        for (float[][] video : videos) {
            count += video.length;
        }
        return count;
    }

    @Override
    public int size() {
        return clipStart.length;
    }

    @Override
    public int[] sampleShape() {
        return shape;
    }

    @Override
    public void copySample(int index, float[] target, int offset) {
        Objects.checkIndex(index, clipStart.length);
        float[][] frames = videos.get(clipVideo[index]);
        int start = clipStart[index];
        int channels = shape[0];
        int length = shape[1];
        int plane = shape[2] * shape[3];
        // Frames are stored [C, H, W]; a clip is [C, T, H, W], so plane c of frame t goes to
        // offset (c·T + t)·H·W.
        for (int t = 0; t < length; t++) {
            float[] frame = frames[start + t];
            for (int c = 0; c < channels; c++) {
                System.arraycopy(
                        frame, c * plane, target, offset + (c * length + t) * plane, plane);
            }
        }
    }

    @Override
    public boolean hasLabels() {
        return false;
    }

    @Override
    public int label(int index) {
        throw new IllegalStateException("video clips have no labels");
    }

    @Override
    public String description() {
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            names.add(String.valueOf(file.getFileName()));
        }
        return size()
                + " clips of "
                + shape[1]
                + " frames at stride "
                + stride
                + " ("
                + shape[3]
                + "x"
                + shape[2]
                + ", "
                + shape[0]
                + " channels) from "
                + frameCount()
                + " frames of "
                + String.join(", ", names);
    }
}
