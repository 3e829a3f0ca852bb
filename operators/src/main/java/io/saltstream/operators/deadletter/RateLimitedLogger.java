package io.saltstream.operators.deadletter;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs every rejected record at DEBUG and at most one WARN per interval, so a flood of bad input
 * cannot flood the log. The WARN states how many warnings were suppressed since the previous one.
 *
 * <p>Not thread-safe and not serializable: an operator creates one in {@code open()} and calls it
 * from its task thread only.
 */
public final class RateLimitedLogger {

    /** Default interval between two WARN lines. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long lastWarnNanos;
    private boolean warnedBefore;
    private long suppressed;

    /**
     * Creates a logger that writes through {@code log}.
     *
     * @param log the logger of the operator
     * @param interval the minimum time between two WARN lines; must be positive
     */
    public RateLimitedLogger(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    /** Creates a logger that reads the time from {@code nanoClock}, for tests. */
    RateLimitedLogger(Logger log, Duration interval, LongSupplier nanoClock) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(
                    "the WARN interval is " + interval + " but must be positive");
        }
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Logs {@code message} at DEBUG, and at WARN when the interval since the last WARN has passed.
     *
     * @param message the full message, for example the dead-letter reason
     */
    public void warn(String message) {
        log.debug(message);
        long now = nanoClock.getAsLong();
        if (warnedBefore && now - lastWarnNanos < intervalNanos) {
            suppressed++;
            return;
        }
        if (suppressed > 0) {
            log.warn(
                    "{} ({} similar warnings suppressed since the previous one)",
                    message,
                    suppressed);
        } else {
            log.warn(message);
        }
        warnedBefore = true;
        lastWarnNanos = now;
        suppressed = 0;
    }

    /** Returns how many WARN lines were suppressed since the last one written. */
    public long getSuppressed() {
        return suppressed;
    }
}
