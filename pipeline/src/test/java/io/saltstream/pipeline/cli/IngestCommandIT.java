package io.saltstream.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.pipeline.ingest.IdxDataset;
import io.saltstream.pipeline.ingest.IdxReader;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.kafka.TopicReader;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Runs {@code saltstream ingest images} and {@code saltstream ingest video} against a real embedded
 * Kafka broker and reads the frames back with a consumer.
 */
class IngestCommandIT {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.builder().build();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void fashionMnistImagesReadBack() throws IOException {
        Path folder = dataFolder("datasets/fashion-mnist");
        Path images = folder.resolve("train-images-idx3-ubyte.gz");
        Path labels = folder.resolve("train-labels-idx1-ubyte.gz");
        kafka.createTopic("images", 2);

        Result result =
                run(
                        "ingest",
                        "images",
                        "--images",
                        images.toString(),
                        "--labels",
                        labels.toString(),
                        "--limit",
                        "1000",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        "images",
                        "--start-time",
                        START.toString());

        assertThat(result.exitCode).as(result.err).isZero();
        assertThat(result.out).startsWith("ingested 1000 images (28x28, RAW_U8)");
        List<Frame> frames = readFrames("images", 1000);
        assertThat(frames).hasSize(1000);
        IdxDataset expected = IdxReader.readDataset(images, labels, 1000);
        Set<Integer> classes = new HashSet<>();
        for (int i = 0; i < frames.size(); i++) {
            Frame frame = frames.get(i);
            // One stream, so one partition, so frames arrive in publishing order.
            assertThat(frame.getStreamId()).isEqualTo("train-images");
            assertThat(frame.getSequence()).isEqualTo(i);
            assertThat(frame.getEventTime()).isEqualTo(START.plusMillis(i));
            assertThat(frame.getWidth()).isEqualTo(28);
            assertThat(frame.getHeight()).isEqualTo(28);
            assertThat(frame.getChannels()).isEqualTo(1);
            assertThat(frame.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
            assertThat(bytes(frame.getData())).isEqualTo(expected.image(i));
            assertThat(frame.getLabel()).isBetween(0, 9).isEqualTo(expected.label(i));
            assertThat(frame.getSource()).isEqualTo("train-images-idx3-ubyte.gz");
            classes.add(frame.getLabel());
        }
        assertThat(classes).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void pngImagesWithoutLabelsDecodeToSamePixels() throws IOException {
        Path folder = dataFolder("datasets/fashion-mnist");
        Path images = folder.resolve("t10k-images-idx3-ubyte.gz");
        kafka.createTopic("png-images", 1);

        Result result =
                run(
                        "ingest",
                        "images",
                        "--images",
                        images.toString(),
                        "--limit",
                        "20",
                        "--encoding",
                        "png",
                        "--stream-id",
                        "fashion-mnist-test",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        "png-images");

        assertThat(result.exitCode).as(result.err).isZero();
        List<Frame> frames = readFrames("png-images", 20);
        assertThat(frames).hasSize(20);
        IdxDataset expected = IdxReader.readDataset(images, null, 20);
        for (Frame frame : frames) {
            assertThat(frame.getStreamId()).isEqualTo("fashion-mnist-test");
            assertThat(frame.getEncoding()).isEqualTo(FrameEncoding.PNG);
            assertThat(frame.getLabel()).isNull();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(frame.getData())));
            byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            assertThat(pixels).isEqualTo(expected.image((int) frame.getSequence()));
        }
    }

    @Test
    void vtestFramesReadBack() throws IOException {
        Path vtest = dataFolder("doc/opencv-doc/examples/data").resolve("vtest.avi");
        kafka.createTopic("video", 2);

        Result result =
                run(
                        "ingest",
                        "video",
                        "--file",
                        vtest.toString(),
                        "--stream-id",
                        "camera-1",
                        "--max-frames",
                        "100",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        "video",
                        "--start-time",
                        START.toString());

        assertThat(result.exitCode).as(result.err).isZero();
        assertThat(result.out).startsWith("ingested 100 frames (768x576, JPEG) of vtest.avi");
        List<Frame> frames = readFrames("video", 100);
        assertThat(frames).hasSize(100);
        for (int i = 0; i < frames.size(); i++) {
            Frame frame = frames.get(i);
            assertThat(frame.getStreamId()).isEqualTo("camera-1");
            assertThat(frame.getWidth()).isEqualTo(768);
            assertThat(frame.getHeight()).isEqualTo(576);
            assertThat(frame.getChannels()).isEqualTo(3);
            assertThat(frame.getEncoding()).isEqualTo(FrameEncoding.JPEG);
            assertThat(frame.getLabel()).isNull();
            assertThat(frame.getSource()).isEqualTo("vtest.avi");
            if (i > 0) {
                assertThat(frame.getSequence()).isGreaterThan(frames.get(i - 1).getSequence());
                assertThat(frame.getEventTime()).isAfter(frames.get(i - 1).getEventTime());
            }
        }
        assertThat(frames.get(0).getSequence()).isZero();
        assertThat(frames.get(0).getEventTime()).isEqualTo(START);
        BufferedImage decoded =
                ImageIO.read(new ByteArrayInputStream(bytes(frames.get(99).getData())));
        assertThat(decoded.getWidth()).isEqualTo(768);
        assertThat(decoded.getHeight()).isEqualTo(576);
    }

    @Test
    void gzipVideoScaledAndThinned() throws IOException {
        Path box = dataFolder("doc/opencv-doc/opencv4/html").resolve("box.mp4.gz");
        kafka.createTopic("small-video", 1);

        Result result =
                run(
                        "ingest",
                        "video",
                        "--file",
                        box.toString(),
                        "--every-nth",
                        "5",
                        "--max-frames",
                        "12",
                        "--size",
                        "64x48",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        "small-video");

        assertThat(result.exitCode).as(result.err).isZero();
        List<Frame> frames = readFrames("small-video", 12);
        assertThat(frames).hasSize(12);
        for (int i = 0; i < frames.size(); i++) {
            Frame frame = frames.get(i);
            assertThat(frame.getStreamId()).isEqualTo("box");
            assertThat(frame.getSequence()).isEqualTo(i);
            assertThat(frame.getWidth()).isEqualTo(64);
            assertThat(frame.getHeight()).isEqualTo(48);
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes(frame.getData())));
            assertThat(decoded.getWidth()).isEqualTo(64);
            assertThat(decoded.getHeight()).isEqualTo(48);
        }
    }

    private static List<Frame> readFrames(String topic, int expected) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.read(
                        kafka.bootstrapServers(),
                        topic,
                        expected,
                        READ_TIMEOUT,
                        "read_uncommitted");
        List<Frame> frames = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            frames.add(Frame.fromByteBuffer(ByteBuffer.wrap(record.value())));
        }
        return frames;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static Path dataFolder(String relativePath) {
        String dataDir = System.getProperty("saltstream.data.dir", "data");
        Path folder = Path.of(dataDir, "root/usr/share", relativePath);
        Assumptions.assumeTrue(
                Files.isDirectory(folder),
                "skipping: " + folder + " not found; run bin/fetch-data");
        return folder;
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = SaltstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    private record Result(int exitCode, String out, String err) {}
}
