package io.saltstream.operators.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntSupplier;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the GPU that Flink assigned to a subtask to a DJL {@link Device}.
 *
 * <p>Flink's external-resource framework with its GPU plugin ({@code external-resources: gpu},
 * {@code external-resource.gpu.amount}, {@code external-resource.gpu.driver-factory.class:
 * org.apache.flink.externalresource.gpu.GPUDriverFactory}, the {@code flink-external-resource-gpu}
 * jar in {@code plugins/}) hands each subtask a set of {@link ExternalResourceInfo} under the
 * resource name {@value #GPU_RESOURCE}, each with an {@value #INDEX_PROPERTY} property: the CUDA
 * device ordinal. The lowest index becomes {@code Device.gpu(index)}.
 *
 * <ul>
 *   <li>{@link DeviceMode#CPU}: the CPU, without looking at GPUs.
 *   <li>{@link DeviceMode#GPU}: the assigned GPU. No assigned GPU, or an engine that detects no GPU
 *       (a CPU-only PyTorch build), is an {@link IllegalStateException} that says what to
 *       configure.
 *   <li>{@link DeviceMode#AUTO}: the assigned GPU when the engine detects GPUs, otherwise the CPU.
 *       A GPU the engine detects but Flink did not assign is not used, so that subtasks sharing a
 *       machine do not all pile onto GPU 0.
 * </ul>
 *
 * <p>An assigned index at or above the engine's GPU count fails in both GPU modes, because it means
 * the discovery script and the process see different devices (for example when {@code
 * CUDA_VISIBLE_DEVICES} renumbers them).
 *
 * <pre>{@code
 * Device device = DeviceSelection.select(DeviceMode.AUTO, "train.device", getRuntimeContext());
 * }</pre>
 */
public final class DeviceSelection {

    /** Name of the external resource that Flink's GPU plugin provides. */
    public static final String GPU_RESOURCE = "gpu";

    /** Property of a GPU resource that contains its device index. */
    public static final String INDEX_PROPERTY = "index";

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelection.class);

    private static final String GPU_SETUP =
            "configure the task managers with external-resources: gpu,"
                    + " external-resource.gpu.amount: 1 and"
                    + " external-resource.gpu.driver-factory.class:"
                    + " org.apache.flink.externalresource.gpu.GPUDriverFactory, with the"
                    + " flink-external-resource-gpu jar in plugins/";

    private DeviceSelection() {}

    /**
     * Selects the device of a subtask from the GPUs Flink assigned to it and the GPUs the default
     * DJL engine detects, and logs the choice at INFO.
     *
     * @param mode the device option
     * @param key the option key, for messages, for example {@code train.device}
     * @param context the runtime context of the subtask
     * @return the device
     * @throws IllegalStateException if a GPU is required or assigned but cannot be used
     * @throws IllegalArgumentException if a GPU resource has an invalid index
     */
    public static Device select(DeviceMode mode, String key, RuntimeContext context) {
        Collection<ExternalResourceInfo> gpus = context.getExternalResourceInfos(GPU_RESOURCE);
        Device device = select(mode, key, gpus, () -> Engine.getInstance().getGpuCount());
        LOG.info(
                "{} = {}: subtask {} runs on {} (GPU indices assigned by Flink: {})",
                key,
                mode,
                context.getTaskInfo().getTaskNameWithSubtasks(),
                device,
                gpuIndices(gpus));
        return device;
    }

    /**
     * Selects a device from the assigned GPU resources and the engine's GPU count.
     *
     * @param mode the device option
     * @param key the option key, for messages
     * @param gpus the GPU resources Flink assigned to the subtask; may be empty
     * @param engineGpuCount the number of GPUs the DJL engine detects; called only when a GPU could
     *     be used, because asking the engine loads its native library
     * @return the device
     * @throws IllegalStateException if a GPU is required or assigned but cannot be used
     * @throws IllegalArgumentException if a GPU resource has an invalid index
     */
    public static Device select(
            DeviceMode mode,
            String key,
            Collection<ExternalResourceInfo> gpus,
            IntSupplier engineGpuCount) {
        if (mode == DeviceMode.CPU) {
            return Device.cpu();
        }
        OptionalInt assigned = firstGpuIndex(gpus);
        if (assigned.isEmpty()) {
            if (mode == DeviceMode.GPU) {
                throw new IllegalStateException(
                        key
                                + " = gpu but Flink assigned no GPU to this subtask: "
                                + GPU_SETUP
                                + ", and give the operator's slot sharing group a GPU resource;"
                                + " or set "
                                + key
                                + " to auto or cpu");
            }
            return Device.cpu();
        }
        int index = assigned.getAsInt();
        int visible = engineGpuCount.getAsInt();
        if (visible == 0) {
            if (mode == DeviceMode.GPU) {
                throw new IllegalStateException(
                        key
                                + " = gpu and Flink assigned GPU "
                                + index
                                + ", but the DJL engine detects no GPU: put a CUDA build of the"
                                + " PyTorch native library (pytorch-native-cu*) on the task"
                                + " managers and check the CUDA driver, or set "
                                + key
                                + " to cpu");
            }
            LOG.warn(
                    "{} = auto: Flink assigned GPU {} but the DJL engine detects no GPU (a CPU-only"
                            + " PyTorch build?), so this subtask runs on the CPU",
                    key,
                    index);
            return Device.cpu();
        }
        if (index >= visible) {
            throw new IllegalStateException(
                    key
                            + " = "
                            + mode
                            + ": Flink assigned GPU "
                            + index
                            + " but the DJL engine detects only "
                            + visible
                            + " GPU(s), indices 0 to "
                            + (visible - 1)
                            + "; the GPU discovery script and the process see different devices"
                            + " (check CUDA_VISIBLE_DEVICES on the task managers)");
        }
        return Device.gpu(index);
    }

    /**
     * Returns the lowest {@value #INDEX_PROPERTY} among the GPU resources.
     *
     * @param gpus the GPU resources; may be empty or null
     * @return the lowest index, or empty when there is no resource
     * @throws IllegalArgumentException if a resource has no index or one that is not an integer of
     *     at least 0
     */
    public static OptionalInt firstGpuIndex(Collection<ExternalResourceInfo> gpus) {
        List<Integer> indices = gpuIndices(gpus);
        return indices.stream().mapToInt(Integer::intValue).min();
    }

    private static List<Integer> gpuIndices(Collection<ExternalResourceInfo> gpus) {
        List<Integer> indices = new ArrayList<>();
        if (gpus == null) {
            return indices;
        }
        for (ExternalResourceInfo gpu : gpus) {
            Optional<String> property = gpu.getProperty(INDEX_PROPERTY);
            String text = property.map(String::trim).orElse(null);
            int index;
            try {
                index = text == null ? -1 : Integer.parseInt(text);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new IllegalArgumentException(
                        "a '"
                                + GPU_RESOURCE
                                + "' external resource has "
                                + INDEX_PROPERTY
                                + " '"
                                + text
                                + "' (properties "
                                + gpu.getKeys()
                                + "), expected an integer of at least 0; use Flink's GPU"
                                + " plugin, whose discovery script reports the CUDA indices");
            }
            indices.add(index);
        }
        indices.sort(Integer::compare);
        return indices;
    }
}
