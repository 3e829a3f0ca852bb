package io.saltstream.operators.train;

import io.saltstream.operators.preprocess.ClipTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Clips held out of training for the quality metrics: a uniform sample of at most {@code capacity}
 * of the held-out clips.
 *
 * <p>Every {@code holdoutEvery}-th clip received (the {@code holdoutEvery}-th, the {@code 2 ·
 * holdoutEvery}-th, …) is held out and never trained on; the others go to training. The held-out
 * clips feed a reservoir sample (Vitter's algorithm R): the first {@code capacity} fill it, and the
 * j-th one after (0-based index j ≥ capacity) replaces a random slot with probability capacity / (j
 * + 1). The reservoir is thus a uniform sample of every held-out clip so far, and it changes less
 * and less as the stream goes on. The random draw of held-out clip j is seeded by the seed and j
 * alone, so a restored reservoir with its counters replays the same choices.
 *
 * <p>With capacity 0 no clip is held out. Thread-safe: the task thread offers clips while the
 * training thread reads a copy.
 */
final class HeldOutReservoir {

    private static final long SEED_STRIDE = 0x9E3779B97F4A7C15L;

    private final int capacity;
    private final int holdoutEvery;
    private final long seed;
    private final List<ClipTensor> clips = new ArrayList<>();
    private long clipsReceived;
    private long heldOut;

    /**
     * Creates an empty reservoir.
     *
     * @param capacity the most clips kept; 0 holds out nothing
     * @param holdoutEvery every this-many-th clip is held out, at least 2
     * @param seed seed of the replacement draws
     */
    HeldOutReservoir(int capacity, int holdoutEvery, long seed) {
        this.capacity = capacity;
        this.holdoutEvery = holdoutEvery;
        this.seed = seed;
    }

    /**
     * Counts a received clip and holds it out when its turn has come.
     *
     * @return whether the clip is held out, so it must not be trained on
     */
    synchronized boolean offer(ClipTensor clip) {
        clipsReceived++;
        if (capacity == 0 || clipsReceived % holdoutEvery != 0) {
            return false;
        }
        long index = heldOut++;
        if (clips.size() < capacity) {
            clips.add(clip);
        } else {
            long slot = new SplittableRandom(seed + index * SEED_STRIDE).nextLong(index + 1);
            if (slot < capacity) {
                clips.set((int) slot, clip);
            }
        }
        return true;
    }

    /** Returns the sampled clips; a copy of the list, the clips themselves are shared. */
    synchronized List<ClipTensor> clips() {
        return new ArrayList<>(clips);
    }

    /**
     * Replaces the content with a restored state.
     *
     * @param restored the sampled clips
     * @param received clips received so far
     * @param held clips held out so far
     */
    synchronized void restore(List<ClipTensor> restored, long received, long held) {
        clips.clear();
        for (ClipTensor clip : restored) {
            if (clips.size() < capacity) {
                clips.add(clip);
            }
        }
        clipsReceived = received;
        heldOut = held;
    }

    synchronized long getClipsReceived() {
        return clipsReceived;
    }

    synchronized long getHeldOut() {
        return heldOut;
    }

    synchronized int size() {
        return clips.size();
    }
}
