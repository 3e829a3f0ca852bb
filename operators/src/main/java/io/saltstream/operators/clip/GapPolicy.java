package io.saltstream.operators.clip;

import java.util.Locale;

/**
 * Handling of a partial clip by {@link ClipAssembler} when a stream's sequence numbers jump (a gap:
 * frames that never arrived in time) or when the stream goes idle.
 */
public enum GapPolicy {

    /** Discards the partial clip and counts its frames in {@code saltstream.framesDropped}. */
    DROP,

    /**
     * Emits the partial clip as a shorter clip when it has at least {@code clip.min-flush-length}
     * frames and at least one frame that no earlier clip contained; otherwise discards it as {@link
     * #DROP} does. Nothing is padded: the flushed clip has fewer than {@code clip.length} frames.
     */
    FLUSH;

    /**
     * Parses an option value, ignoring case.
     *
     * @param value {@code drop} or {@code flush}
     * @return the policy
     * @throws IllegalArgumentException if the value names no policy
     */
    public static GapPolicy parse(String value) {
        if (value != null) {
            for (GapPolicy policy : values()) {
                if (policy.name().equalsIgnoreCase(value.trim())) {
                    return policy;
                }
            }
        }
        throw new IllegalArgumentException(
                "clip.gap-policy is '" + value + "' but must be one of: drop, flush");
    }

    /** Returns the option value, {@code drop} or {@code flush}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
