package io.saltstream.operators.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class RateLimitedLoggerTest {

    /** Records every line as "LEVEL message". */
    private static final class RecordingLogger extends AbstractLogger {

        private static final long serialVersionUID = 1L;

        final List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(
                Level level, Marker marker, String pattern, Object[] arguments, Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return true;
        }
    }

    @Test
    void warnsOncePerIntervalAndCountsSuppressed() {
        RecordingLogger log = new RecordingLogger();
        AtomicLong nanos = new AtomicLong(0);
        RateLimitedLogger logger = new RateLimitedLogger(log, Duration.ofSeconds(1), nanos::get);

        logger.warn("first");
        nanos.set(500_000_000L);
        logger.warn("second");
        logger.warn("third");
        assertThat(logger.getSuppressed()).isEqualTo(2);
        nanos.set(1_000_000_000L);
        logger.warn("fourth");

        assertThat(log.lines)
                .containsExactly(
                        "DEBUG first",
                        "WARN first",
                        "DEBUG second",
                        "DEBUG third",
                        "DEBUG fourth",
                        "WARN fourth (2 similar warnings suppressed since the previous one)");
        assertThat(logger.getSuppressed()).isZero();
    }

    @Test
    void rejectsNonPositiveInterval() {
        assertThatThrownBy(() -> new RateLimitedLogger(new RecordingLogger(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the WARN interval is PT0S but must be positive");
    }
}
