package io.saltstream.pipeline.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Checks of the loop's settings; FitCommandTest runs the loop with a real trainer. */
class TrainingLoopTest {

    @Test
    void durationsFormatted() {
        assertThat(TrainingLoop.formatDuration(3.44)).isEqualTo("3.4s");
        assertThat(TrainingLoop.formatDuration(123)).isEqualTo("2m03s");
        assertThat(TrainingLoop.formatDuration(3723)).isEqualTo("1h02m03s");
        assertThat(TrainingLoop.formatDuration(Double.NaN)).isEqualTo("?");
    }

    @Test
    void missingTrainerRejected() {
        assertThatThrownBy(() -> TrainingLoop.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trainer is missing: call setTrainer");
    }
}
