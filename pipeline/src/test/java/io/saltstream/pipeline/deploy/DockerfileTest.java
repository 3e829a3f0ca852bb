package io.saltstream.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the Dockerfiles in deploy/docker without Docker. Every COPY source exists in the
 * repository or is the jar the build writes, and the build context lets it through. The base images
 * and library versions match the Maven build, and the images set up the paths that the Kubernetes
 * manifests use.
 */
class DockerfileTest {

    private static final String CPU = "deploy/docker/Dockerfile";
    private static final String GPU = "deploy/docker/Dockerfile.gpu";
    private static final String USRLIB_JAR = "/opt/flink/usrlib/";

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void copySourcesExistOrAreBuilt(String path) {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(path));

        List<Dockerfile.Instruction> copies = dockerfile.all("COPY");
        assertThat(copies).isNotEmpty();
        for (Dockerfile.Instruction copy : copies) {
            if (copy.option("--from") != null) {
                continue;
            }
            for (String source : copy.sources()) {
                assertThat(
                                source.equals(ProjectBuild.jarPath())
                                        || Files.isRegularFile(DeployFiles.path(source)))
                        .as(
                                "COPY source %s of %s is a repository file or %s",
                                source, path, ProjectBuild.jarPath())
                        .isTrue();
            }
        }
        assertThat(dockerfile.all("ADD")).as("ADD in %s", path).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void buildContextIncludesCopySources(String path) {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(path));
        List<String> ignore =
                DeployFiles.read(DeployFiles.path(path + ".dockerignore"))
                        .lines()
                        .map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .toList();

        assertThat(ignore.get(0)).as("first pattern of %s.dockerignore", path).isEqualTo("**");
        for (Dockerfile.Instruction copy : dockerfile.all("COPY")) {
            if (copy.option("--from") == null) {
                for (String source : copy.sources()) {
                    assertThat(ignore).as("%s.dockerignore", path).contains("!" + source);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void jarLandsInUsrlib(String path) {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(path));

        assertThat(dockerfile.all("COPY"))
                .filteredOn(copy -> copy.option("--from") == null)
                .filteredOn(copy -> copy.sources().contains(ProjectBuild.jarPath()))
                .extracting(Dockerfile.Instruction::destination)
                .contains(USRLIB_JAR + ProjectBuild.jarName());
    }

    @Test
    void cpuImageIsOfficialFlinkImage() {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(CPU));

        List<String> images = dockerfile.baseImages();
        assertThat(images.get(images.size() - 1)).isEqualTo(officialFlinkImage());
    }

    @Test
    void cpuImageUnpacksNativesForOffline() {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(CPU));
        Map<String, String> environment = dockerfile.finalEnvironment();

        String cacheDir = environment.get("DJL_CACHE_DIR");
        assertThat(cacheDir).isNotBlank();
        assertThat(environment).containsEntry("ENGINE_CACHE_DIR", cacheDir);
        assertThat(environment).containsEntry("DJL_OFFLINE", "true");
        assertThat(dockerfile.runScripts())
                .contains("-DDJL_CACHE_DIR=" + cacheDir)
                .contains("-Dai.djl.offline=true")
                .contains("WarmDjlCache.java");
        assertThat(dockerfile.all("COPY"))
                .filteredOn(copy -> "djl-natives".equals(copy.option("--from")))
                .extracting(Dockerfile.Instruction::destination)
                .containsExactly(cacheDir);
    }

    @Test
    void gpuImageCopiesOfficialFlink() {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(GPU));

        assertThat(dockerfile.baseImages()).contains(officialFlinkImage());
        assertThat(dockerfile.argDefaults().get("CUDA_IMAGE")).startsWith("nvidia/cuda:12.8");
        assertThat(dockerfile.all("ENTRYPOINT"))
                .extracting(Dockerfile.Instruction::arguments)
                .containsExactly("[\"/docker-entrypoint.sh\"]");
    }

    @Test
    void gpuImagePointsDjlAtLibtorch() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(GPU));
        Map<String, String> environment = dockerfile.finalEnvironment();
        String version = environment.get("PYTORCH_VERSION");
        String flavor = environment.get("PYTORCH_FLAVOR");

        assertThat(version).isEqualTo(ProjectBuild.property("pytorch.native.version"));
        assertThat(environment.get("PYTORCH_LIBRARY_PATH")).isEqualTo("/opt/libtorch/lib");
        assertThat(environment).containsEntry("DJL_OFFLINE", "true");
        String cudaDigits = flavor.substring("cu".length());
        assertThat(dockerfile.argDefaults().get("LIBTORCH_URL"))
                .contains("/" + flavor + "/")
                .contains("-" + version + "%2B" + flavor + ".zip");
        assertThat(dockerfile.argDefaults().get("CUDA_IMAGE"))
                .contains(":" + cudaDigits.substring(0, 2) + "." + cudaDigits.substring(2) + ".");

        // The JNI bridge the image extracts must be in the pytorch-jni jar of this build, built for
        // this libtorch version and DJL version.
        String jni = "jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so";
        assertThat(dockerfile.runScripts()).contains(jni);
        assertThat(getClass().getClassLoader().getResource(jni)).as(jni).isNotNull();
        Properties properties = new Properties();
        try (InputStream in =
                getClass().getClassLoader().getResourceAsStream("jnilib/pytorch.properties")) {
            assertThat(in).as("jnilib/pytorch.properties").isNotNull();
            properties.load(in);
        }
        assertThat(properties.getProperty("jni_version"))
                .isEqualTo(version + "-" + ProjectBuild.property("djl.version"));
    }

    @Test
    void gpuImageChecksDiscoveryScript() {
        Dockerfile dockerfile = Dockerfile.read(DeployFiles.path(GPU));
        Map<String, Object> flink =
                YamlDocuments.mapAt(
                        YamlDocuments.ofKind(
                                DeployFiles.path("deploy/k8s/flinkdeployment-gpu.yaml"),
                                "FlinkDeployment"),
                        "spec.flinkConfiguration");
        Path script =
                Path.of(
                        String.valueOf(
                                flink.get("external-resource.gpu.param.discovery-script.path")));
        Path flinkHome = Path.of("/opt/flink");

        // Path.startsWith compares names only; AssertJ's startsWith would look for the file.
        assertThat(script.startsWith(flinkHome)).as("%s is under %s", script, flinkHome).isTrue();
        assertThat(dockerfile.all("WORKDIR"))
                .extracting(Dockerfile.Instruction::arguments)
                .containsExactly(flinkHome.toString());
        assertThat(dockerfile.runScripts()).contains("test -x " + flinkHome.relativize(script));
    }

    /** Returns the official Flink image of the build's Flink and Java versions. */
    private static String officialFlinkImage() {
        return "flink:"
                + ProjectBuild.property("flink.version")
                + "-java"
                + ProjectBuild.property("maven.compiler.release");
    }
}
