package io.saltstream.pipeline.config;

import java.util.Locale;

/** Device an operator runs its model on. */
public enum ComputeDevice {
    /** The GPU Flink assigned to the subtask when there is one, else the CPU. */
    AUTO,
    /** Always the CPU. */
    CPU,
    /** The GPU Flink assigned to the subtask; the operator fails without one. */
    GPU;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
