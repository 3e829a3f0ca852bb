package io.saltstream.operators.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saltstream.operators.preprocess.ClipTensor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClipBufferTest {

    private static ClipTensor clip(long sequence) {
        return new ClipTensor(
                "cam", sequence, sequence, sequence, null, new int[] {1, 1, 1, 1}, new float[1]);
    }

    private static List<Long> sequences(List<ClipTensor> clips) {
        return clips.stream().map(c -> c.firstSequence).collect(Collectors.toList());
    }

    @Test
    void fullBufferDropsOldest() {
        ClipBuffer buffer = new ClipBuffer(3);
        int dropped = 0;

        for (long sequence = 0; sequence < 5; sequence++) {
            dropped += buffer.add(clip(sequence));
        }

        assertThat(dropped).isEqualTo(2);
        assertThat(sequences(buffer.copy())).containsExactly(2L, 3L, 4L);
    }

    @Test
    void takeBatchReturnsOldestOrNull() {
        ClipBuffer buffer = new ClipBuffer(5);
        for (long sequence = 0; sequence < 3; sequence++) {
            buffer.add(clip(sequence));
        }

        assertThat(buffer.takeBatch(4)).isNull();
        assertThat(sequences(buffer.takeBatch(2))).containsExactly(0L, 1L);
        assertThat(buffer.size()).isEqualTo(1);
    }

    @Test
    void awaitBatchEndsWithInputOrStop() throws Exception {
        ClipBuffer ended = new ClipBuffer(4);
        ended.add(clip(0));
        ended.endInput();
        assertThat(ended.awaitBatch(2)).isFalse();

        ClipBuffer stopped = new ClipBuffer(4);
        CompletableFuture<Boolean> waiting =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return stopped.awaitBatch(2);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        stopped.stop();
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(stopped.isStopped()).isTrue();
    }

    @Test
    void awaitBatchReturnsOnceBatchArrives() throws Exception {
        ClipBuffer buffer = new ClipBuffer(4);
        CompletableFuture<Boolean> waiting =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return buffer.awaitBatch(2);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        buffer.add(clip(0));
        buffer.add(clip(1));

        assertThat(waiting.get(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void capacityBelowOneFails() {
        assertThatThrownBy(() -> new ClipBuffer(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("buffer capacity 0 must be >= 1");
    }
}
