package io.saltstream.operators.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RawRecordTest {

    @Test
    void equalityComparesBytes() {
        RawRecord record = new RawRecord("frames", 1, 2, 3, new byte[] {4}, new byte[] {5, 6});

        assertThat(record)
                .isEqualTo(new RawRecord("frames", 1, 2, 3, new byte[] {4}, new byte[] {5, 6}))
                .hasSameHashCodeAs(
                        new RawRecord("frames", 1, 2, 3, new byte[] {4}, new byte[] {5, 6}));
        assertThat(record)
                .isNotEqualTo(new RawRecord("frames", 1, 2, 3, new byte[] {4}, new byte[] {5, 7}));
    }

    @Test
    void toStringShowsCoordinatesAndSizes() {
        RawRecord record = new RawRecord("frames", 1, 2, 3, null, new byte[] {5, 6});

        assertThat(record)
                .hasToString("RawRecord{frames-1@2, timestamp=3, keyBytes=null, valueBytes=2}");
    }
}
