package io.saltstream.operators.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.preprocess.ClipTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HeldOutReservoirTest {

    private static ClipTensor clip(long sequence) {
        return new ClipTensor(
                "cam", sequence, sequence, sequence, null, new int[] {1, 1, 1, 1}, new float[1]);
    }

    private static List<Long> sequences(HeldOutReservoir reservoir) {
        return reservoir.clips().stream().map(c -> c.firstSequence).collect(Collectors.toList());
    }

    @Test
    void holdsOutEveryNthClip() {
        HeldOutReservoir reservoir = new HeldOutReservoir(100, 3, 0);
        List<Long> heldOut = new ArrayList<>();

        for (long sequence = 0; sequence < 12; sequence++) {
            if (reservoir.offer(clip(sequence))) {
                heldOut.add(sequence);
            }
        }

        assertThat(heldOut).containsExactly(2L, 5L, 8L, 11L);
        assertThat(sequences(reservoir)).containsExactly(2L, 5L, 8L, 11L);
        assertThat(reservoir.getClipsReceived()).isEqualTo(12);
        assertThat(reservoir.getHeldOut()).isEqualTo(4);
    }

    @Test
    void zeroCapacityHoldsOutNothing() {
        HeldOutReservoir reservoir = new HeldOutReservoir(0, 2, 0);

        for (long sequence = 0; sequence < 10; sequence++) {
            assertThat(reservoir.offer(clip(sequence))).isFalse();
        }
        assertThat(reservoir.size()).isZero();
    }

    @Test
    void fullReservoirReplacesAndStaysBounded() {
        HeldOutReservoir reservoir = new HeldOutReservoir(5, 2, 42);

        for (long sequence = 0; sequence < 2000; sequence++) {
            reservoir.offer(clip(sequence));
        }

        List<Long> kept = sequences(reservoir);
        assertThat(kept).hasSize(5).allMatch(sequence -> sequence % 2 == 1);
        assertThat(kept).isNotEqualTo(List.of(1L, 3L, 5L, 7L, 9L));
    }

    @Test
    void sampleIsUniformOverHeldOutClips() {
        // 1000 held-out clips, 10 kept per seed: about half of the kept clips come from the first
        // 500 held-out clips.
        int early = 0;
        int total = 0;
        for (long seed = 0; seed < 50; seed++) {
            HeldOutReservoir reservoir = new HeldOutReservoir(10, 2, seed);
            for (long sequence = 0; sequence < 2000; sequence++) {
                reservoir.offer(clip(sequence));
            }
            for (long sequence : sequences(reservoir)) {
                total++;
                if (sequence < 1000) {
                    early++;
                }
            }
        }

        assertThat(total).isEqualTo(500);
        assertThat(early).isBetween(200, 300);
    }

    @Test
    void restoredReservoirReplaysSameChoices() {
        HeldOutReservoir uninterrupted = new HeldOutReservoir(4, 2, 7);
        for (long sequence = 0; sequence < 400; sequence++) {
            uninterrupted.offer(clip(sequence));
        }

        HeldOutReservoir before = new HeldOutReservoir(4, 2, 7);
        for (long sequence = 0; sequence < 150; sequence++) {
            before.offer(clip(sequence));
        }
        HeldOutReservoir after = new HeldOutReservoir(4, 2, 7);
        after.restore(before.clips(), before.getClipsReceived(), before.getHeldOut());
        for (long sequence = 150; sequence < 400; sequence++) {
            after.offer(clip(sequence));
        }

        assertThat(sequences(after)).isEqualTo(sequences(uninterrupted));
        assertThat(after.getHeldOut()).isEqualTo(uninterrupted.getHeldOut());
    }
}
