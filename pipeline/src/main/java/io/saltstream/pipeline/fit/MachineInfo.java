package io.saltstream.pipeline.fit;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The machine and engine a run used, for reports and benchmark records.
 *
 * @param availableProcessors logical CPUs available to the JVM
 * @param cpuModel the first "model name" of /proc/cpuinfo, or "unknown"
 * @param osName {@code os.name}
 * @param osArch {@code os.arch}
 * @param javaVersion {@code java.version}
 * @param javaVm {@code java.vm.name} and {@code java.vm.version}
 * @param maxHeapBytes the JVM's maximum heap
 * @param engine DJL engine name
 * @param engineVersion engine (PyTorch) version as DJL reports it
 * @param djlVersion DJL API version
 * @param device the device that ran the model
 * @param intraOpThreads PyTorch intra-op threads
 * @param interOpThreads PyTorch inter-op threads
 */
public record MachineInfo(
        int availableProcessors,
        String cpuModel,
        String osName,
        String osArch,
        String javaVersion,
        String javaVm,
        long maxHeapBytes,
        String engine,
        String engineVersion,
        String djlVersion,
        String device,
        int intraOpThreads,
        int interOpThreads) {

    /** Describes this JVM and the default engine, which must be PyTorch (it loads if needed). */
    public static MachineInfo describe(Device device) {
        Engine engine = Engine.getInstance();
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                readCpuModel(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory(),
                engine.getEngineName(),
                engine.getVersion(),
                Engine.getDjlVersion(),
                device.toString(),
                JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads());
    }

    /**
     * Sets PyTorch's intra-op threads. The system property {@code ai.djl.pytorch.num_threads} is
     * set first, so that an engine that is not loaded yet starts with it; then {@link
     * JniUtils#setNumThreads} applies it to an engine that is already loaded.
     *
     * @return the thread count PyTorch reports afterwards
     */
    public static int setIntraOpThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        Engine.getInstance();
        JniUtils.setNumThreads(threads);
        return JniUtils.getNumThreads();
    }

    private static String readCpuModel() {
        Path cpuInfo = Paths.get("/proc/cpuinfo");
        try {
            List<String> lines = Files.readAllLines(cpuInfo);
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    int colon = line.indexOf(':');
                    return colon >= 0 ? line.substring(colon + 1).strip() : line.strip();
                }
            }
        } catch (IOException | SecurityException e) {
            // Not Linux, or not readable: the model stays unknown.
        }
        return "unknown";
    }
}
