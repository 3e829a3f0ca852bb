package io.saltstream.pipeline.demo;

import io.saltstream.models.vit.VisionTransformerPresets;
import io.saltstream.pipeline.fit.DataFiles;
import io.saltstream.pipeline.ingest.IdxImage;
import io.saltstream.pipeline.ingest.IdxReader;
import io.saltstream.pipeline.ingest.ImageEncoder;
import io.saltstream.pipeline.ingest.VideoFrame;
import io.saltstream.pipeline.ingest.VideoFrameReader;
import io.saltstream.pipeline.kafka.FramePublisher;
import io.saltstream.pipeline.kafka.PublishSummary;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.io.output.WriterOutputStream;

/**
 * The input of a demo run: the first Fashion-MNIST training images, or the frames of the OpenCV
 * sample videos scaled to 64x64. Publishes them as frames and counts the clips they make.
 */
final class DemoData {

    /** Frames per clip of the video demo: the frames of the video-64 preset. */
    static final int VIDEO_CLIP_LENGTH = 16;

    /** Side of the video frames after scaling, the input size of video-64. */
    static final int VIDEO_SIZE = 64;

    private final boolean video;
    private final Path dataDir;
    private final Integer limit;

    private DemoData(boolean video, Path dataDir, Integer limit) {
        this.video = video;
        this.dataDir = dataDir;
        this.limit = limit;
    }

    /** Returns the image demo's data: the first {@code limit} Fashion-MNIST training images. */
    static DemoData images(Path dataDir, Integer limit) {
        return new DemoData(false, dataDir, limit);
    }

    /** Returns the video demo's data: up to {@code framesPerVideo} frames of each sample video. */
    static DemoData videos(Path dataDir, Integer framesPerVideo) {
        return new DemoData(true, dataDir, framesPerVideo);
    }

    /** Returns the model preset for this data. */
    String preset() {
        return video ? VisionTransformerPresets.VIDEO_64 : VisionTransformerPresets.IMAGE_28;
    }

    /** Returns whether the frames carry class labels. */
    boolean labelled() {
        return !video;
    }

    /** Returns the files this data needs. */
    List<Path> files() {
        if (video) {
            Path folder = dataDir.resolve(DataFiles.OPENCV_VIDEO_DIR);
            return DemoRunner.VIDEOS.stream().map(folder::resolve).toList();
        }
        DataFiles.FashionMnistFiles mnist = DataFiles.fashionMnist(dataDir);
        return List.of(
                mnist.trainImages(), mnist.trainLabels(), mnist.testImages(), mnist.testLabels());
    }

    /**
     * Makes sure the files exist: runs {@code <home>/bin/fetch-data --dir <data dir>} when one is
     * missing and the project folder is known.
     *
     * @throws IllegalStateException naming the missing file and the command that fetches it
     */
    void ensureFiles(Path home, PrintWriter out) throws IOException, InterruptedException {
        Path missing = firstMissing();
        if (missing == null) {
            return;
        }
        String command = "bin/fetch-data --dir " + dataDir;
        Path fetchData = home == null ? null : home.resolve("bin/fetch-data");
        if (fetchData == null || !Files.isExecutable(fetchData)) {
            throw new IllegalStateException(
                    missing
                            + " not found. Fetch the demo data with '"
                            + command
                            + "' in the saltstream folder, then run the demo again.");
        }
        out.println(missing + " not found; fetching the demo data with " + command);
        out.flush();
        Process process =
                new ProcessBuilder(fetchData.toString(), "--dir", dataDir.toString())
                        .directory(home.toFile())
                        .inheritIO()
                        .start();
        int exitCode = process.waitFor();
        missing = firstMissing();
        if (exitCode != 0 || missing != null) {
            throw new IllegalStateException(
                    "bin/fetch-data exited with code "
                            + exitCode
                            + (missing == null ? "" : " and " + missing + " is still missing")
                            + "; run '"
                            + command
                            + "' by hand and see its messages");
        }
    }

    private Path firstMissing() {
        for (Path file : files()) {
            if (!Files.isRegularFile(file)) {
                return file;
            }
        }
        return null;
    }

    /** Summary of what {@link #publish} sent. */
    record Ingested(String description, long frames, long clips) {}

    /**
     * Publishes the frames to {@code topic}: images as RAW_U8 frames of one stream with their
     * labels, videos as 64x64 JPEG frames, one stream per video.
     *
     * @throws IllegalStateException when a record is not acknowledged by the broker
     */
    Ingested publish(String bootstrapServers, String topic, PrintWriter out) throws IOException {
        PrintStream progress =
                new PrintStream(
                        WriterOutputStream.builder()
                                .setWriter(out)
                                .setCharset(StandardCharsets.UTF_8)
                                .get(),
                        true,
                        StandardCharsets.UTF_8);
        try (FramePublisher publisher =
                FramePublisher.builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopic(topic)
                        .optProgressOutput(progress)
                        .build()) {
            Ingested ingested = video ? publishVideos(publisher) : publishImages(publisher);
            PublishSummary summary = publisher.finish();
            if (summary.hasErrors()) {
                throw new IllegalStateException(
                        summary.errors()
                                + " frames were not published; first error: "
                                + summary.firstError().getMessage());
            }
            return ingested;
        }
    }

    private Ingested publishImages(FramePublisher publisher) throws IOException {
        DataFiles.FashionMnistFiles files = DataFiles.fashionMnist(dataDir);
        int count = limit == null ? DemoRunner.DEFAULT_IMAGE_LIMIT : limit;
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long published = 0;
        try (IdxReader reader = IdxReader.open(files.trainImages(), files.trainLabels())) {
            while (published < count && reader.hasNext()) {
                IdxImage image = reader.next();
                publisher.publish(
                        Frame.newBuilder()
                                .setStreamId("fashion-mnist-train")
                                .setSequence(published)
                                .setEventTime(start.plusMillis(published))
                                .setWidth(image.columns())
                                .setHeight(image.rows())
                                .setChannels(1)
                                .setEncoding(FrameEncoding.RAW_U8)
                                .setData(ByteBuffer.wrap(image.pixels()))
                                .setLabel(
                                        image.label().isPresent() ? image.label().getAsInt() : null)
                                .setSource(String.valueOf(files.trainImages().getFileName()))
                                .build());
                published++;
            }
        }
        return new Ingested(
                "Fashion-MNIST training images 0.." + (published - 1), published, published);
    }

    private Ingested publishVideos(FramePublisher publisher) throws IOException {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long frames = 0;
        long clips = 0;
        List<String> parts = new ArrayList<>();
        try (ImageEncoder jpeg = ImageEncoder.jpeg()) {
            for (Path file : files()) {
                VideoFrameReader.Builder builder =
                        VideoFrameReader.builder().setFile(file).optSize(VIDEO_SIZE, VIDEO_SIZE);
                if (limit != null) {
                    builder.optMaxFrames(limit);
                }
                String stream = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                long sequence = 0;
                Instant last = start;
                try (VideoFrameReader reader = builder.build()) {
                    while (reader.hasNext()) {
                        VideoFrame decoded = reader.next();
                        last =
                                start.plus(decoded.timestampMicros(), ChronoUnit.MICROS)
                                        .truncatedTo(ChronoUnit.MILLIS);
                        publisher.publish(
                                Frame.newBuilder()
                                        .setStreamId(stream)
                                        .setSequence(sequence)
                                        .setEventTime(last)
                                        .setWidth(decoded.width())
                                        .setHeight(decoded.height())
                                        .setChannels(3)
                                        .setEncoding(FrameEncoding.JPEG)
                                        .setData(ByteBuffer.wrap(jpeg.encode(decoded.image())))
                                        .setLabel(null)
                                        .setSource(String.valueOf(file.getFileName()))
                                        .build());
                        sequence++;
                    }
                }
                frames += sequence;
                clips += sequence / VIDEO_CLIP_LENGTH;
                parts.add(String.format(Locale.ROOT, "%s (%d frames)", stream, sequence));
                // The next video starts after this one, so its frames are not behind the
                // watermark that this video's frames moved forward.
                start = last.plusSeconds(1);
            }
        }
        return new Ingested(
                "videos " + String.join(", ", parts) + " at 64x64, clips of 16 frames",
                frames,
                clips);
    }
}
