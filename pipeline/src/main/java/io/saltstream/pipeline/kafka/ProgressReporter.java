package io.saltstream.pipeline.kafka;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints a progress line for long runs, at most once per interval, for example {@code frames: 12000
 * records, 5980 records/s, 0 errors}. Call {@link #update} as often as convenient: it only prints
 * when the interval has passed since the last line. Not thread-safe: call it from one thread.
 */
public final class ProgressReporter {

    /** The default time between two progress lines. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    private final PrintStream out;
    private final String label;
    private final long intervalNanos;
    private final long startNanos;
    private long lastPrintNanos;
    private long lastPrintRecords;

    /**
     * Creates a reporter.
     *
     * @param out where the lines go (usually {@code System.err}, so stdout stays free for data), or
     *     {@code null} to print nothing
     * @param label the prefix of each line, for example the topic name
     * @param interval the minimum time between two lines; must be positive
     * @throws IllegalArgumentException when the label is null or the interval is not positive
     */
    public ProgressReporter(PrintStream out, String label, Duration interval) {
        if (label == null) {
            throw new IllegalArgumentException("label must not be null");
        }
        if (interval == null || interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException(
                    "progress interval must be positive, got " + interval);
        }
        this.out = out;
        this.label = label;
        this.intervalNanos = interval.toNanos();
        this.startNanos = System.nanoTime();
        this.lastPrintNanos = startNanos;
    }

    /** Returns a reporter that prints nothing. */
    public static ProgressReporter disabled() {
        return new ProgressReporter(null, "", DEFAULT_INTERVAL);
    }

    /**
     * Prints a progress line when the interval has passed since the last one. The rate in the line
     * is taken over that interval, not over the whole run.
     *
     * @param records records done so far
     * @param errors records failed so far
     */
    public void update(long records, long errors) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        long elapsed = now - lastPrintNanos;
        if (elapsed < intervalNanos) {
            return;
        }
        double rate = (records - lastPrintRecords) / (elapsed / 1e9);
        out.printf(
                Locale.ROOT,
                "%s: %d records, %.0f records/s, %d errors%n",
                label,
                records,
                rate,
                errors);
        out.flush();
        lastPrintNanos = now;
        lastPrintRecords = records;
    }

    /** Prints one final line, usually {@link PublishSummary#describe()}. */
    public void finish(String summaryLine) {
        if (out == null) {
            return;
        }
        out.println(summaryLine);
        out.flush();
    }

    /** Returns the seconds since this reporter was created. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
