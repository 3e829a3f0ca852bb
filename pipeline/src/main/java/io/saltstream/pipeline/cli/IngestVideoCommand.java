package io.saltstream.pipeline.cli;

import io.saltstream.pipeline.ingest.ImageEncoder;
import io.saltstream.pipeline.ingest.VideoFrame;
import io.saltstream.pipeline.ingest.VideoFrameReader;
import io.saltstream.pipeline.kafka.FramePublisher;
import io.saltstream.pipeline.kafka.PublishSummary;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.FrameEncoding;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saltstream ingest video}: decodes a video file with FFmpeg and publishes its frames as
 * JPEG {@code Frame}s of one stream, with sequence numbers 0, 1, 2, ... and event times start time
 * + the frame's presentation timestamp.
 */
@Command(
        name = "video",
        mixinStandardHelpOptions = true,
        description = {
            "Decode a video file (any format FFmpeg reads; .gz files are decompressed first) and"
                    + " publish its frames to Kafka as JPEG Frames of one stream.",
            "Frame k gets sequence k and event time START + its presentation timestamp."
        })
final class IngestVideoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(IngestVideoCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin IngestCommand.KafkaTarget kafka;

    @Option(
            names = "--file",
            required = true,
            paramLabel = "PATH",
            description =
                    "Video file, e.g. vtest.avi; gzip-compressed files such as box.mp4.gz work too.")
    Path file;

    @Option(
            names = "--stream-id",
            paramLabel = "ID",
            description =
                    "Stream id of all frames (default: the file name without .gz and its"
                            + " extension, e.g. vtest).")
    String streamId;

    @Option(
            names = "--every-nth",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Publish every N-th decoded frame, starting with the first (default: ${DEFAULT-VALUE}).")
    int everyNth;

    @Option(
            names = "--max-frames",
            paramLabel = "N",
            description = "Stop after publishing N frames (default: all).")
    Long maxFrames;

    @Option(
            names = "--size",
            paramLabel = "WxH",
            description =
                    "Scale every frame to exactly W x H pixels, e.g. 64x64; the aspect ratio is not"
                            + " kept (default: the video's size).")
    String size;

    @Option(
            names = "--jpeg-quality",
            defaultValue = "0.9",
            paramLabel = "Q",
            description = "JPEG quality from 0 (smallest) to 1 (best) (default: ${DEFAULT-VALUE}).")
    float jpegQuality;

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        Instant startTime = kafka.validate(commandLine);
        IngestCommand.requireFile(
                commandLine,
                "--file",
                file,
                "Pass a video file; bin/fetch-data downloads sample videos into data/.");
        IngestCommand.requirePositive(
                commandLine, "--every-nth", everyNth, "Use 1 to publish every frame.");
        if (maxFrames != null) {
            IngestCommand.requirePositive(
                    commandLine, "--max-frames", maxFrames, "Omit --max-frames to publish all.");
        }
        if (!(jpegQuality >= 0 && jpegQuality <= 1)) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    "Invalid value '"
                            + jpegQuality
                            + "' for option '--jpeg-quality': must be from 0 to 1, such as 0.9.");
        }
        VideoFrameReader.Builder builder =
                VideoFrameReader.builder().setFile(file).optEveryNth(everyNth);
        if (maxFrames != null) {
            builder.optMaxFrames(maxFrames);
        }
        if (size != null) {
            int[] widthHeight = IngestCommand.parseSize(commandLine, size);
            builder.optSize(widthHeight[0], widthHeight[1]);
        }
        String stream = streamId != null ? streamId : defaultStreamId(file);
        if (stream.isBlank()) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    "Invalid value '"
                            + stream
                            + "' for option '--stream-id': a stream id must not be blank.");
        }

        try (VideoFrameReader reader = builder.build()) {
            return publish(commandLine, reader, stream, startTime);
        } catch (IOException | UncheckedIOException | KafkaException e) {
            return IngestCommand.fail(commandLine, e.getMessage());
        }
    }

    private int publish(
            CommandLine commandLine, VideoFrameReader reader, String stream, Instant startTime)
            throws IOException {
        LOG.info(
                "Publishing frames of {} ({}x{}, {} fps, about {} frames, every-nth={},"
                        + " max-frames={}) as stream '{}' to topic '{}' at {}",
                file,
                reader.width(),
                reader.height(),
                String.format(Locale.ROOT, "%.3f", reader.frameRate()),
                reader.declaredFrameCount(),
                everyNth,
                maxFrames == null ? "all" : maxFrames,
                stream,
                kafka.topic,
                kafka.bootstrapServers);
        String source = String.valueOf(file.getFileName());
        PrintStream progress = IngestCommand.progressStream(commandLine);
        PublishSummary summary;
        long sequence = 0;
        Instant firstEventTime = null;
        Instant lastEventTime = null;
        try (ImageEncoder jpeg = ImageEncoder.jpeg(jpegQuality);
                FramePublisher publisher =
                        FramePublisher.builder()
                                .setBootstrapServers(kafka.bootstrapServers)
                                .setTopic(kafka.topic)
                                .optProgressOutput(progress)
                                .build()) {
            while (reader.hasNext()) {
                VideoFrame decoded = reader.next();
                // Frame.eventTime has millisecond precision; Avro drops the rest.
                Instant eventTime =
                        startTime
                                .plus(decoded.timestampMicros(), ChronoUnit.MICROS)
                                .truncatedTo(ChronoUnit.MILLIS);
                Frame frame =
                        Frame.newBuilder()
                                .setStreamId(stream)
                                .setSequence(sequence)
                                .setEventTime(eventTime)
                                .setWidth(decoded.width())
                                .setHeight(decoded.height())
                                .setChannels(3)
                                .setEncoding(FrameEncoding.JPEG)
                                .setData(ByteBuffer.wrap(jpeg.encode(decoded.image())))
                                .setLabel(null)
                                .setSource(source)
                                .build();
                publisher.publish(frame);
                if (firstEventTime == null) {
                    firstEventTime = eventTime;
                }
                lastEventTime = eventTime;
                sequence++;
            }
            summary = publisher.finish();
        }
        if (sequence == 0) {
            return IngestCommand.fail(commandLine, "FFmpeg decoded no frames from " + file + ".");
        }
        if (summary.hasErrors()) {
            return IngestCommand.fail(
                    commandLine,
                    summary.errors()
                            + " of "
                            + sequence
                            + " frames failed; first error: "
                            + summary.firstError().getMessage());
        }
        if (reader.estimatedTimestamps() > 0) {
            LOG.info(
                    "{} of {} decoded frames had a missing or repeated timestamp; each got the"
                            + " previous timestamp plus one frame duration",
                    reader.estimatedTimestamps(),
                    reader.decodedFrames());
        }
        commandLine
                .getOut()
                .printf(
                        Locale.ROOT,
                        "ingested %d frames (%dx%d, JPEG) of %s as stream '%s', sequence 0..%d,"
                                + " event times %s to %s (%d frames decoded): %s%n",
                        summary.records(),
                        reader.width(),
                        reader.height(),
                        source,
                        stream,
                        sequence - 1,
                        firstEventTime,
                        lastEventTime,
                        reader.decodedFrames(),
                        summary.describe());
        commandLine.getOut().flush();
        return 0;
    }

    /** Returns the file name without {@code .gz} and its extension: vtest.avi -> vtest. */
    static String defaultStreamId(Path file) {
        String name = String.valueOf(file.getFileName());
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
