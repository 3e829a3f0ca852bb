package io.saltstream.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WarmupCosineScheduleTest {

    private static WarmupCosineSchedule schedule() {
        return WarmupCosineSchedule.builder()
                .optStartValue(1e-4)
                .setPeakValue(1e-3)
                .optFinalValue(1e-5)
                .optWarmupSteps(10)
                .setTotalSteps(110)
                .build();
    }

    @Test
    void warmupStartsAtStartValue() {
        assertThat(schedule().valueAt(0)).isEqualTo(1e-4);
    }

    @Test
    void warmupIsLinear() {
        // Halfway through the warm-up: start + 5/10 * (peak - start).
        assertThat(schedule().valueAt(5)).isCloseTo(1e-4 + 0.5 * (1e-3 - 1e-4), within(1e-15));
    }

    @Test
    void peakAtEndOfWarmup() {
        assertThat(schedule().valueAt(10)).isEqualTo(1e-3);
    }

    @Test
    void cosineMidpointIsMean() {
        // 50 of the 100 decay steps: cos(pi / 2) = 0, so the value is the mean of peak and final.
        assertThat(schedule().valueAt(60)).isCloseTo((1e-3 + 1e-5) / 2, within(1e-15));
    }

    @Test
    void cosineQuarterPoint() {
        double expected = 1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI * 0.25));
        assertThat(schedule().valueAt(35)).isCloseTo(expected, within(1e-15));
    }

    @Test
    void finalValueAtAndAfterTotal() {
        assertThat(schedule().valueAt(110)).isEqualTo(1e-5);
        assertThat(schedule().valueAt(1_000_000)).isEqualTo(1e-5);
    }

    @Test
    void lastStepBeforeTotalIsAboveFinal() {
        assertThat(schedule().valueAt(109)).isGreaterThan(1e-5).isLessThan(1.1e-5);
    }

    @Test
    void decreasesMonotonicallyAfterPeak() {
        WarmupCosineSchedule schedule = schedule();
        for (long step = 10; step < 110; step++) {
            assertThat(schedule.valueAt(step + 1)).isLessThanOrEqualTo(schedule.valueAt(step));
        }
    }

    @Test
    void noWarmupStartsAtPeak() {
        WarmupCosineSchedule schedule =
                WarmupCosineSchedule.builder().setPeakValue(0.5).setTotalSteps(4).build();
        assertThat(schedule.valueAt(0)).isEqualTo(0.5);
        assertThat(schedule.valueAt(2)).isCloseTo(0.25, within(1e-15));
        assertThat(schedule.valueAt(4)).isEqualTo(0.0);
    }

    @Test
    void warmupAsLongAsScheduleEndsAtFinal() {
        WarmupCosineSchedule schedule =
                WarmupCosineSchedule.builder()
                        .setPeakValue(1.0)
                        .optFinalValue(0.1)
                        .optWarmupSteps(4)
                        .setTotalSteps(4)
                        .build();
        assertThat(schedule.valueAt(2)).isEqualTo(0.5);
        assertThat(schedule.valueAt(4)).isEqualTo(0.1);
    }

    @Test
    void negativeStepRejected() {
        assertThatThrownBy(() -> schedule().valueAt(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step must be >= 0, got -1");
    }

    @Test
    void missingPeakRejected() {
        assertThatThrownBy(() -> WarmupCosineSchedule.builder().setTotalSteps(10).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("peakValue is required");
    }

    @Test
    void missingTotalStepsRejected() {
        assertThatThrownBy(() -> WarmupCosineSchedule.builder().setPeakValue(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("totalSteps must be >= 1, got -1");
    }

    @Test
    void warmupLongerThanTotalRejected() {
        assertThatThrownBy(
                        () ->
                                WarmupCosineSchedule.builder()
                                        .setPeakValue(1)
                                        .optWarmupSteps(11)
                                        .setTotalSteps(10)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("warmupSteps must be in [0, totalSteps=10], got 11");
    }

    @Test
    void negativeValueRejected() {
        assertThatThrownBy(
                        () ->
                                WarmupCosineSchedule.builder()
                                        .setPeakValue(1)
                                        .optFinalValue(-0.1)
                                        .setTotalSteps(10)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("finalValue must be a finite number >= 0, got -0.1");
    }

    @Test
    void infinitePeakRejected() {
        assertThatThrownBy(
                        () ->
                                WarmupCosineSchedule.builder()
                                        .setPeakValue(Double.POSITIVE_INFINITY)
                                        .setTotalSteps(10)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("peakValue must be a finite number >= 0, got Infinity");
    }
}
