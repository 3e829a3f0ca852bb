package io.saltstream.operators.train;

import io.saltstream.operators.preprocess.ClipTensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounded buffer of the {@link TrainingPolicy#LATEST} policy: keeps the newest clips and drops the
 * oldest when full. The task thread adds clips; the training thread waits for a full batch and
 * takes it.
 *
 * <p>Thread-safe: every method synchronizes on this buffer, and no method blocks while holding
 * another lock, so callers may hold the trainer lock while they call {@link #takeBatch}.
 */
final class ClipBuffer {

    private final int capacity;
    private final ArrayDeque<ClipTensor> clips;
    private boolean inputEnded;
    private boolean stopped;

    /**
     * Creates an empty buffer.
     *
     * @param capacity the number of clips kept, at least 1
     */
    ClipBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("buffer capacity " + capacity + " must be >= 1");
        }
        this.capacity = capacity;
        this.clips = new ArrayDeque<>(capacity);
    }

    /**
     * Appends a clip, dropping the oldest clip when the buffer is full.
     *
     * @return the number of clips dropped: 0 or 1
     */
    synchronized int add(ClipTensor clip) {
        int dropped = 0;
        if (clips.size() == capacity) {
            clips.pollFirst();
            dropped = 1;
        }
        clips.addLast(clip);
        notifyAll();
        return dropped;
    }

    /**
     * Removes and returns the oldest {@code size} clips, or returns {@code null} when fewer are
     * buffered.
     */
    synchronized List<ClipTensor> takeBatch(int size) {
        if (clips.size() < size) {
            return null;
        }
        List<ClipTensor> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(clips.pollFirst());
        }
        return batch;
    }

    /**
     * Waits until at least {@code size} clips are buffered, the input has ended or the buffer is
     * stopped.
     *
     * @return whether {@code size} clips are buffered
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    synchronized boolean awaitBatch(int size) throws InterruptedException {
        while (clips.size() < size && !inputEnded && !stopped) {
            wait();
        }
        return clips.size() >= size;
    }

    /** Marks the end of the input: waiting stops once fewer than a batch of clips remain. */
    synchronized void endInput() {
        inputEnded = true;
        notifyAll();
    }

    /** Wakes every waiting thread for good; the training thread then exits. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    synchronized boolean isStopped() {
        return stopped;
    }

    /** Returns the buffered clips, oldest first, without removing them. */
    synchronized List<ClipTensor> copy() {
        return new ArrayList<>(clips);
    }

    /**
     * Removes every clip.
     *
     * @return the number of clips removed
     */
    synchronized int clear() {
        int removed = clips.size();
        clips.clear();
        return removed;
    }

    synchronized int size() {
        return clips.size();
    }

    int capacity() {
        return capacity;
    }
}
