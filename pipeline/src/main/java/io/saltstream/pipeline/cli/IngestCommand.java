package io.saltstream.pipeline.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.io.output.WriterOutputStream;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code saltstream ingest}: publishes images or video frames to Kafka as Avro {@code Frame}
 * records. The work is done by the subcommands {@link IngestImagesCommand} and {@link
 * IngestVideoCommand}; this class contains the options and checks they share.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = "Publish images (IDX files) or video frames to Kafka as Avro Frame records.",
        subcommands = {IngestImagesCommand.class, IngestVideoCommand.class})
public final class IngestCommand implements Runnable {

    private static final Pattern HOST_PORT =
            Pattern.compile("([^\\s:,]+|\\[[0-9a-fA-F:.]+]):(\\d{1,5})");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})[xX](\\d{1,9})");

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "Missing subcommand: use 'saltstream ingest images' or 'saltstream ingest video'.");
    }

    /** Options naming the Kafka target, shared by both subcommands. */
    static final class KafkaTarget {
        @Option(
                names = "--bootstrap-servers",
                required = true,
                paramLabel = "HOST:PORT",
                description = "Kafka brokers to connect to, comma-separated, e.g. 127.0.0.1:9092.")
        String bootstrapServers;

        @Option(
                names = "--topic",
                defaultValue = "frames",
                paramLabel = "TOPIC",
                description = "Topic to publish to (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(
                names = "--start-time",
                paramLabel = "INSTANT",
                description =
                        "Event time of the first frame, as an ISO-8601 instant such as"
                                + " 2024-05-01T12:00:00Z (default: now).")
        String startTime;

        /** Checks the options and returns the start time, truncated to milliseconds. */
        Instant validate(CommandLine commandLine) {
            validateBootstrapServers(commandLine, bootstrapServers);
            try {
                Topic.validate(topic);
            } catch (InvalidTopicException e) {
                throw new ParameterException(
                        commandLine,
                        "Invalid value '"
                                + topic
                                + "' for option '--topic': "
                                + e.getMessage()
                                + " Use letters, digits, '.', '_' and '-' only.");
            }
            return parseStartTime(commandLine, startTime);
        }
    }

    /**
     * Checks that {@code value} is a comma-separated list of HOST:PORT pairs with ports from 1 to
     * 65535.
     */
    static void validateBootstrapServers(CommandLine commandLine, String value) {
        for (String server : value.split(",", -1)) {
            Matcher matcher = HOST_PORT.matcher(server.strip());
            boolean valid = matcher.matches();
            if (valid) {
                int port = Integer.parseInt(matcher.group(2));
                valid = port >= 1 && port <= 65535;
            }
            if (!valid) {
                throw new ParameterException(
                        commandLine,
                        "Invalid value '"
                                + value
                                + "' for option '--bootstrap-servers': '"
                                + server
                                + "' is not HOST:PORT with a port from 1 to 65535; use for example"
                                + " 127.0.0.1:9092.");
            }
        }
    }

    /** Parses an ISO-8601 instant, or returns the current time when {@code value} is null. */
    static Instant parseStartTime(CommandLine commandLine, String value) {
        if (value == null) {
            return Instant.now().truncatedTo(ChronoUnit.MILLIS);
        }
        try {
            return Instant.parse(value).truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + value
                            + "' for option '--start-time': expected an ISO-8601 instant in UTC"
                            + " such as 2024-05-01T12:00:00Z.");
        }
    }

    /**
     * Returns a stream that writes to the command's error writer, for {@code FramePublisher}'s
     * progress lines; tests capture it with {@link CommandLine#setErr}. Do not close it: that would
     * close the error writer.
     */
    static PrintStream progressStream(CommandLine commandLine) {
        try {
            WriterOutputStream output =
                    WriterOutputStream.builder()
                            .setWriter(commandLine.getErr())
                            .setCharset(StandardCharsets.UTF_8)
                            .setWriteImmediately(true)
                            .get();
            return new PrintStream(output, true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not wrap the error output", e);
        }
    }

    /**
     * Prints {@code message} as one error line on the command's error writer; returns exit code 1.
     */
    static int fail(CommandLine commandLine, String message) {
        commandLine
                .getErr()
                .println(commandLine.getCommandSpec().qualifiedName() + ": error: " + message);
        commandLine.getErr().flush();
        return 1;
    }

    /** Checks that an input file exists and is a regular file. */
    static void requireFile(CommandLine commandLine, String option, Path file, String hint) {
        if (!Files.exists(file)) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + file
                            + "' for option '"
                            + option
                            + "': file not found. "
                            + hint);
        }
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + file
                            + "' for option '"
                            + option
                            + "': not a regular file. "
                            + hint);
        }
    }

    /** Checks that a count option is at least 1. */
    static void requirePositive(CommandLine commandLine, String option, long value, String hint) {
        if (value < 1) {
            throw new ParameterException(
                    commandLine,
                    "Invalid value '"
                            + value
                            + "' for option '"
                            + option
                            + "': must be at least 1. "
                            + hint);
        }
    }

    /** Parses WIDTHxHEIGHT into {width, height}, both at least 1. */
    static int[] parseSize(CommandLine commandLine, String value) {
        Matcher matcher = SIZE.matcher(value.strip());
        if (matcher.matches()) {
            int width = Integer.parseInt(matcher.group(1));
            int height = Integer.parseInt(matcher.group(2));
            if (width >= 1 && height >= 1) {
                return new int[] {width, height};
            }
        }
        throw new ParameterException(
                commandLine,
                "Invalid value '"
                        + value
                        + "' for option '--size': expected WIDTHxHEIGHT in pixels, both at least"
                        + " 1, such as 64x64.");
    }
}
