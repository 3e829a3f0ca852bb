package io.saltstream.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueRangeTest {

    @Test
    void parsesMinCommaMax() {
        assertThat(ValueRange.parse("mask.spatial-scale", " 0.15 , 0.2 "))
                .isEqualTo(new ValueRange(0.15, 0.2));
    }

    @Test
    void parsesBracketedList() {
        assertThat(ValueRange.parse("mask.aspect-ratio", "[0.75, 1.5]"))
                .isEqualTo(new ValueRange(0.75, 1.5));
    }

    @Test
    void singleNumberIsMinAndMax() {
        assertThat(ValueRange.parse("mask.temporal-scale", "1.0"))
                .isEqualTo(new ValueRange(1.0, 1.0));
    }

    @Test
    void toStringParsesBack() {
        ValueRange range = new ValueRange(0.15, 0.7);

        assertThat(ValueRange.parse("k", range.toString())).isEqualTo(range);
    }

    @Test
    void rejectsMinAboveMax() {
        assertThatThrownBy(() -> ValueRange.parse("mask.spatial-scale", "0.3,0.2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '0.3,0.2' for 'mask.spatial-scale': range min 0.3 is"
                                + " greater than max 0.2");
    }

    @Test
    void rejectsThreeNumbers() {
        assertThatThrownBy(() -> ValueRange.parse("mask.spatial-scale", "0.1,0.2,0.3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '0.1,0.2,0.3' for 'mask.spatial-scale': expected"
                                + " \"min,max\" or a single number");
    }

    @Test
    void rejectsText() {
        assertThatThrownBy(() -> ValueRange.parse("mask.spatial-scale", "0.1,wide"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid value '0.1,wide' for 'mask.spatial-scale': 'wide' is not a"
                                + " finite number");
    }

    @Test
    void rejectsInfinity() {
        assertThatThrownBy(() -> ValueRange.parse("mask.aspect-ratio", "1,Infinity"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("'Infinity' is not a finite number");
    }
}
