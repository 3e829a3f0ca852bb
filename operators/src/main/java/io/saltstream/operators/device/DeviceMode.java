package io.saltstream.operators.device;

import java.util.Locale;

/** Choice of the device that runs a model operator: the values of {@code train.device}. */
public enum DeviceMode {

    /**
     * The GPU that Flink assigned to the subtask when there is one and the DJL engine detects GPUs;
     * otherwise the CPU.
     */
    AUTO,

    /** Always the CPU, even on a task manager with GPUs. */
    CPU,

    /** The GPU that Flink assigned to the subtask; the operator fails to open without one. */
    GPU;

    /**
     * Parses an option value, ignoring case.
     *
     * @param key the option key, for messages, for example {@code train.device}
     * @param value {@code auto}, {@code cpu} or {@code gpu}
     * @return the mode
     * @throws IllegalArgumentException if the value names no mode
     */
    public static DeviceMode parse(String key, String value) {
        if (value != null) {
            for (DeviceMode mode : values()) {
                if (mode.name().equalsIgnoreCase(value.trim())) {
                    return mode;
                }
            }
        }
        throw new IllegalArgumentException(
                key + " is '" + value + "' but must be one of: auto, cpu, gpu");
    }

    /** Returns the option value: {@code auto}, {@code cpu} or {@code gpu}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
