package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CosineScheduleTest {

    @Test
    void startsAtStartValue() {
        assertThat(new CosineSchedule(0.04, 0.4, 100).valueAt(0)).isEqualTo(0.04);
    }

    @Test
    void midpointIsMean() {
        assertThat(new CosineSchedule(0.04, 0.4, 100).valueAt(50)).isCloseTo(0.22, within(1e-15));
    }

    @Test
    void increasingScheduleRises() {
        CosineSchedule schedule = new CosineSchedule(0.04, 0.4, 100);
        for (long step = 0; step < 100; step++) {
            assertThat(schedule.valueAt(step + 1)).isGreaterThanOrEqualTo(schedule.valueAt(step));
        }
    }

    @Test
    void decreasingScheduleAtQuarter() {
        double expected = 0.0 + (1.0 - 0.0) * 0.5 * (1 + Math.cos(Math.PI * 0.25));
        assertThat(new CosineSchedule(1.0, 0.0, 8).valueAt(2)).isCloseTo(expected, within(1e-15));
    }

    @Test
    void finalValueAtAndAfterTotal() {
        CosineSchedule schedule = new CosineSchedule(0.04, 0.4, 100);
        assertThat(schedule.valueAt(100)).isEqualTo(0.4);
        assertThat(schedule.valueAt(5000)).isEqualTo(0.4);
    }

    @Test
    void constantWhenStartEqualsFinal() {
        assertThat(new CosineSchedule(0.05, 0.05, 10).valueAt(3)).isEqualTo(0.05);
    }

    @Test
    void zeroTotalStepsRejected() {
        assertThatThrownBy(() -> new CosineSchedule(0.04, 0.4, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("totalSteps must be >= 1, got 0");
    }

    @Test
    void nanStartRejected() {
        assertThatThrownBy(() -> new CosineSchedule(Double.NaN, 0.4, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("startValue must be a finite number >= 0, got NaN");
    }

    @Test
    void negativeStepRejected() {
        assertThatThrownBy(() -> new CosineSchedule(0.04, 0.4, 10).valueAt(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step must be >= 0, got -3");
    }
}
