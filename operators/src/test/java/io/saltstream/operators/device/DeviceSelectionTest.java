package io.saltstream.operators.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

class DeviceSelectionTest {

    private static final String KEY = "train.device";

    /** A GPU resource as Flink's GPU plugin describes it: one "index" property. */
    private static final class GpuResource implements ExternalResourceInfo {
        private final Map<String, String> properties;

        GpuResource(Map<String, String> properties) {
            this.properties = properties;
        }

        static GpuResource index(String index) {
            return new GpuResource(Map.of(DeviceSelection.INDEX_PROPERTY, index));
        }

        @Override
        public Optional<String> getProperty(String key) {
            return Optional.ofNullable(properties.get(key));
        }

        @Override
        public Collection<String> getKeys() {
            return properties.keySet();
        }
    }

    private static IntSupplier engineGpus(int count) {
        return () -> count;
    }

    @Test
    void autoUsesAssignedGpu() {
        Device device =
                DeviceSelection.select(
                        DeviceMode.AUTO, KEY, List.of(GpuResource.index("1")), engineGpus(2));

        assertThat(device).isEqualTo(Device.gpu(1));
    }

    @Test
    void lowestAssignedIndexWins() {
        List<ExternalResourceInfo> gpus =
                List.of(GpuResource.index("3"), GpuResource.index("2"), GpuResource.index(" 5 "));

        assertThat(DeviceSelection.firstGpuIndex(gpus)).hasValue(2);
        assertThat(DeviceSelection.select(DeviceMode.GPU, KEY, gpus, engineGpus(8)))
                .isEqualTo(Device.gpu(2));
    }

    @Test
    void autoWithoutAssignedGpuUsesCpu() {
        AtomicInteger engineQueries = new AtomicInteger();

        Device device =
                DeviceSelection.select(
                        DeviceMode.AUTO,
                        KEY,
                        List.of(),
                        () -> {
                            engineQueries.incrementAndGet();
                            return 4;
                        });

        assertThat(device).isEqualTo(Device.cpu());
        assertThat(engineQueries).hasValue(0);
    }

    @Test
    void autoFallsBackWhenEngineSeesNoGpu() {
        Device device =
                DeviceSelection.select(
                        DeviceMode.AUTO, KEY, List.of(GpuResource.index("0")), engineGpus(0));

        assertThat(device).isEqualTo(Device.cpu());
    }

    @Test
    void cpuIgnoresAssignedGpu() {
        Device device =
                DeviceSelection.select(
                        DeviceMode.CPU,
                        KEY,
                        List.of(GpuResource.index("0")),
                        () -> {
                            throw new AssertionError("cpu must not query the engine");
                        });

        assertThat(device).isEqualTo(Device.cpu());
    }

    @Test
    void gpuWithoutAssignedGpuFails() {
        assertThatThrownBy(
                        () -> DeviceSelection.select(DeviceMode.GPU, KEY, List.of(), engineGpus(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("train.device = gpu but Flink assigned no GPU")
                .hasMessageContaining("external-resources: gpu")
                .hasMessageContaining("GPUDriverFactory")
                .hasMessageContaining("set train.device to auto or cpu");
    }

    @Test
    void gpuWithCpuOnlyEngineFails() {
        assertThatThrownBy(
                        () ->
                                DeviceSelection.select(
                                        DeviceMode.GPU,
                                        KEY,
                                        List.of(GpuResource.index("0")),
                                        engineGpus(0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Flink assigned GPU 0, but the DJL engine detects no GPU")
                .hasMessageContaining("pytorch-native-cu");
    }

    @Test
    void indexBeyondEngineGpusFails() {
        assertThatThrownBy(
                        () ->
                                DeviceSelection.select(
                                        DeviceMode.AUTO,
                                        KEY,
                                        List.of(GpuResource.index("2")),
                                        engineGpus(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "Flink assigned GPU 2 but the DJL engine detects only 1 GPU(s)")
                .hasMessageContaining("CUDA_VISIBLE_DEVICES");
    }

    @Test
    void invalidIndexFails() {
        assertThatThrownBy(
                        () ->
                                DeviceSelection.select(
                                        DeviceMode.GPU,
                                        KEY,
                                        List.of(GpuResource.index("first")),
                                        engineGpus(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 'first'")
                .hasMessageContaining("expected an integer of at least 0");
        assertThatThrownBy(
                        () ->
                                DeviceSelection.firstGpuIndex(
                                        List.of(new GpuResource(Map.of("uuid", "GPU-1")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 'null'")
                .hasMessageContaining("[uuid]");
    }

    @Test
    void modeParsesIgnoringCase() {
        assertThat(DeviceMode.parse(KEY, " GPU ")).isEqualTo(DeviceMode.GPU);
        assertThat(DeviceMode.parse(KEY, "auto")).isEqualTo(DeviceMode.AUTO);
        assertThat(DeviceMode.CPU).hasToString("cpu");
        assertThatThrownBy(() -> DeviceMode.parse(KEY, "tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("train.device is 'tpu' but must be one of: auto, cpu, gpu");
    }
}
