package io.saltstream.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs deploy/docker/WarmDjlCache.java the way the CPU image build does: as a single-file program
 * in a new JVM, offline. The test classpath takes the place of the job jar, and the DJL cache of
 * the tests, which already contains the natives, the place of the image's cache folder.
 */
class WarmDjlCacheIT {

    private static final long TIMEOUT_SECONDS = 120;

    @Test
    void warmUpLoadsPyTorchOffline() throws IOException, InterruptedException {
        String cacheDir = System.getProperty("DJL_CACHE_DIR");
        assertThat(cacheDir).as("system property DJL_CACHE_DIR set by Failsafe").isNotBlank();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path output = Files.createTempFile("warm-djl-cache", ".log");

        Process process =
                new ProcessBuilder(
                                List.of(
                                        java.toString(),
                                        "-Xmx512m",
                                        "-DDJL_CACHE_DIR=" + cacheDir,
                                        "-DENGINE_CACHE_DIR=" + cacheDir,
                                        "-Dai.djl.offline=true",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        DeployFiles.path("deploy/docker/WarmDjlCache.java")
                                                .toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        boolean ended = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);

        assertThat(ended)
                .as("WarmDjlCache ended within %d s; output:%n%s", TIMEOUT_SECONDS, log)
                .isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", log).isZero();
        assertThat(log)
                .contains("PyTorch " + ProjectBuild.property("pytorch.native.version"))
                .contains("loaded offline from " + Path.of(cacheDir, "pytorch"));
    }
}
