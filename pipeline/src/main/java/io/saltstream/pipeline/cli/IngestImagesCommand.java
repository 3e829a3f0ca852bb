package io.saltstream.pipeline.cli;

import io.saltstream.pipeline.ingest.IdxImage;
import io.saltstream.pipeline.ingest.IdxReader;
import io.saltstream.pipeline.ingest.ImageEncoder;
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
 * {@code saltstream ingest images}: publishes the images of an IDX file (such as Fashion-MNIST) as
 * one stream of single-frame clips. Image {@code i} becomes a {@code Frame} with sequence {@code
 * i}, event time start time + {@code i} ms, its label, and the file name as source. All images
 * share one stream id, so downstream keyed state grows per ingest, not per image.
 */
@Command(
        name = "images",
        mixinStandardHelpOptions = true,
        description = {
            "Publish the grey images of an IDX file (MNIST, Fashion-MNIST) to Kafka, one Frame per"
                    + " image.",
            "All images form one stream: image i gets sequence i and event time START + i ms."
        })
final class IngestImagesCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(IngestImagesCommand.class);
    private static final String FETCH_HINT =
            "Pass an IDX file such as train-images-idx3-ubyte.gz; bin/fetch-data downloads"
                    + " Fashion-MNIST into data/.";

    /** Storage format of the pixels in {@code Frame.data}. */
    enum ImageFormat {
        RAW(FrameEncoding.RAW_U8),
        PNG(FrameEncoding.PNG);

        final FrameEncoding encoding;

        ImageFormat(FrameEncoding encoding) {
            this.encoding = encoding;
        }
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin IngestCommand.KafkaTarget kafka;

    @Option(
            names = "--images",
            required = true,
            paramLabel = "FILE",
            description = "IDX images file, plain or gzip-compressed.")
    Path imagesFile;

    @Option(
            names = "--labels",
            paramLabel = "FILE",
            description =
                    "IDX labels file with one label per image. Without it, frames carry no label.")
    Path labelsFile;

    @Option(
            names = "--stream-id",
            paramLabel = "ID",
            description =
                    "Stream id of all frames (default: the images file name without .gz and"
                            + " -idx3-ubyte, e.g. train-images).")
    String streamId;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Publish only the first N images (default: all).")
    Long limit;

    @Option(
            names = "--encoding",
            defaultValue = "raw",
            paramLabel = "raw|png",
            description =
                    "raw: one unsigned byte per pixel (RAW_U8); png: lossless PNG (default:"
                            + " ${DEFAULT-VALUE}).")
    ImageFormat format;

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        Instant startTime = kafka.validate(commandLine);
        IngestCommand.requireFile(commandLine, "--images", imagesFile, FETCH_HINT);
        if (labelsFile != null) {
            IngestCommand.requireFile(commandLine, "--labels", labelsFile, FETCH_HINT);
        }
        if (limit != null) {
            IngestCommand.requirePositive(
                    commandLine, "--limit", limit, "Omit --limit to publish every image.");
        }
        String stream = streamId != null ? streamId : defaultStreamId(imagesFile);
        if (stream.isBlank()) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    "Invalid value '"
                            + stream
                            + "' for option '--stream-id': a stream id must not be blank.");
        }

        try (IdxReader reader = IdxReader.open(imagesFile, labelsFile)) {
            return publish(commandLine, reader, stream, startTime);
        } catch (IOException | UncheckedIOException | KafkaException e) {
            return IngestCommand.fail(commandLine, e.getMessage());
        }
    }

    private int publish(
            CommandLine commandLine, IdxReader reader, String stream, Instant startTime) {
        long total = limit == null ? reader.imageCount() : Math.min(limit, reader.imageCount());
        if (total == 0) {
            return IngestCommand.fail(
                    commandLine, imagesFile + " contains no images: its header declares 0.");
        }
        String source = String.valueOf(imagesFile.getFileName());
        LOG.info(
                "Publishing {} of {} images ({}x{}, {}, {}) from {} as stream '{}' to topic '{}'"
                        + " at {}",
                total,
                reader.imageCount(),
                reader.columns(),
                reader.rows(),
                format.encoding,
                reader.hasLabels() ? "with labels" : "without labels",
                imagesFile,
                stream,
                kafka.topic,
                kafka.bootstrapServers);
        PrintStream progress = IngestCommand.progressStream(commandLine);
        PublishSummary summary;
        try (ImageEncoder png = format == ImageFormat.PNG ? ImageEncoder.png() : null;
                FramePublisher publisher =
                        FramePublisher.builder()
                                .setBootstrapServers(kafka.bootstrapServers)
                                .setTopic(kafka.topic)
                                .optProgressOutput(progress)
                                .build()) {
            for (long i = 0; i < total; i++) {
                IdxImage image = reader.next();
                byte[] data =
                        png == null
                                ? image.pixels()
                                : png.encode(
                                        ImageEncoder.greyImage(
                                                image.pixels(), image.columns(), image.rows()));
                Frame frame =
                        Frame.newBuilder()
                                .setStreamId(stream)
                                .setSequence(i)
                                .setEventTime(startTime.plusMillis(i))
                                .setWidth(image.columns())
                                .setHeight(image.rows())
                                .setChannels(1)
                                .setEncoding(format.encoding)
                                .setData(ByteBuffer.wrap(data))
                                .setLabel(
                                        image.label().isPresent() ? image.label().getAsInt() : null)
                                .setSource(source)
                                .build();
                publisher.publish(frame);
            }
            summary = publisher.finish();
        } catch (IOException e) {
            return IngestCommand.fail(commandLine, e.getMessage());
        }
        if (summary.hasErrors()) {
            return IngestCommand.fail(
                    commandLine,
                    summary.errors()
                            + " of "
                            + total
                            + " frames failed; first error: "
                            + summary.firstError().getMessage());
        }
        commandLine
                .getOut()
                .printf(
                        Locale.ROOT,
                        "ingested %d images (%dx%d, %s) from %s as stream '%s', sequence 0..%d,"
                                + " event times %s to %s: %s%n",
                        summary.records(),
                        reader.columns(),
                        reader.rows(),
                        format.encoding,
                        source,
                        stream,
                        total - 1,
                        startTime,
                        startTime.plusMillis(total - 1),
                        summary.describe());
        commandLine.getOut().flush();
        return 0;
    }

    /** Returns the file name without {@code .gz} and the IDX suffix: train-images, t10k-images. */
    static String defaultStreamId(Path imagesFile) {
        String name = String.valueOf(imagesFile.getFileName());
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        return name.replaceFirst("-idx\\d-ubyte$", "").replaceFirst("\\.idx\\d?$", "");
    }
}
