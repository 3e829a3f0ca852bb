package io.saltstream.pipeline.deploy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Values of the Maven build that the deployment files must agree with. */
final class ProjectBuild {

    private ProjectBuild() {}

    /**
     * Returns a property of the parent pom, such as {@code flink.version}.
     *
     * @throws IllegalStateException when the property is not defined
     */
    static String property(String name) {
        return element(DeployFiles.read(DeployFiles.path("pom.xml")), name, "pom.xml");
    }

    /** Returns the path of the runnable jar that the pipeline module's shade plugin writes. */
    static String jarPath() {
        String finalName =
                element(
                        DeployFiles.read(DeployFiles.path("pipeline/pom.xml")),
                        "finalName",
                        "pipeline/pom.xml");
        return "pipeline/target/" + finalName + ".jar";
    }

    /** Returns the file name of the runnable jar, such as saltstream.jar. */
    static String jarName() {
        String path = jarPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String element(String xml, String name, String file) {
        Matcher matcher =
                Pattern.compile(
                                "<"
                                        + Pattern.quote(name)
                                        + ">([^<]+)</"
                                        + Pattern.quote(name)
                                        + ">")
                        .matcher(xml);
        if (!matcher.find()) {
            throw new IllegalStateException("<" + name + "> not found in " + file);
        }
        return matcher.group(1).strip();
    }
}
