package io.saltstream.operators.train;

/**
 * Counters of {@link SaltTrainerOperator} kept in operator state next to the trainer checkpoint:
 * the trainer's own counters (step, phase, samples seen) live in its checkpoint.
 *
 * <p>A Flink POJO (public no-argument constructor, public fields), so fields can be added later
 * with Flink's POJO schema evolution.
 */
public class TrainerProgress {

    /** Clips received so far, held out or not; drives the every-n-th hold-out. */
    public long clipsReceived;

    /** Clips held out so far; drives the reservoir's replacement draws. */
    public long clipsHeldOut;

    /** Version of the newest ModelSnapshot emitted, or {@code null} before the first. */
    public String modelVersion;

    /** Step of the newest ModelSnapshot emitted, -1 before the first. */
    public long modelVersionStep = -1;

    /** Creates empty progress, for Flink's POJO serializer. */
    public TrainerProgress() {}

    @Override
    public String toString() {
        return "TrainerProgress{clipsReceived="
                + clipsReceived
                + ", clipsHeldOut="
                + clipsHeldOut
                + ", modelVersion="
                + modelVersion
                + ", modelVersionStep="
                + modelVersionStep
                + "}";
    }
}
