package io.saltstream.pipeline.kafka;

import java.util.Locale;

/**
 * Counts of one {@link FramePublisher} run.
 *
 * @param topic the topic the records were sent to
 * @param records records the broker acknowledged
 * @param bytes key plus value bytes of the acknowledged records, before compression
 * @param seconds wall-clock seconds from the publisher's creation to this summary
 * @param errors records that failed (rejected by the client or the broker, or timed out)
 * @param firstError the first failure with the record's key and size in its message, or {@code
 *     null} when no record failed
 */
public record PublishSummary(
        String topic, long records, long bytes, double seconds, long errors, Throwable firstError) {

    /** Returns true when at least one record failed. */
    public boolean hasErrors() {
        return errors > 0;
    }

    /** Returns acknowledged records per second, or 0 before any time has passed. */
    public double recordsPerSecond() {
        return seconds > 0 ? records / seconds : 0.0;
    }

    /**
     * Formats the counts as one line, for example {@code published 100 records (0.08 MB) to
     * 'frames' in 1.2 s (83 records/s), 0 errors}. The first error's message follows when there is
     * one.
     */
    public String describe() {
        String line =
                String.format(
                        Locale.ROOT,
                        "published %d records (%.2f MB) to '%s' in %.1f s (%.0f records/s), %d errors",
                        records,
                        bytes / 1e6,
                        topic,
                        seconds,
                        recordsPerSecond(),
                        errors);
        return firstError == null ? line : line + "; first error: " + firstError.getMessage();
    }
}
