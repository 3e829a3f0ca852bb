package io.saltstream.pipeline.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Locates the repository's {@code deploy/} folder and the files in it, for the deploy tests. */
final class DeployFiles {

    private DeployFiles() {}

    /**
     * Returns the repository root: the working directory when it contains {@code deploy/}, else its
     * parent (Maven runs the pipeline module's tests in {@code pipeline/}).
     *
     * @throws IllegalStateException when neither contains {@code deploy/}
     */
    static Path root() {
        Path working = Path.of("").toAbsolutePath();
        for (Path candidate = working; candidate != null; candidate = candidate.getParent()) {
            if (Files.isDirectory(candidate.resolve("deploy"))
                    && Files.isRegularFile(candidate.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "deploy/ not found in "
                        + working
                        + " or a parent folder; run the tests from the"
                        + " repository or its pipeline module");
    }

    /** Returns {@code relative} resolved against the repository root. */
    static Path path(String relative) {
        return root().resolve(relative);
    }

    /** Returns every file under {@code deploy/} whose name ends with one of {@code suffixes}. */
    static List<Path> filesEndingWith(String... suffixes) {
        try (Stream<Path> files = Files.walk(path("deploy"))) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> endsWithAny(file.getFileName().toString(), suffixes))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("failed to list deploy/", e);
        }
    }

    /** Returns the file's text, UTF-8. */
    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read " + file, e);
        }
    }

    private static boolean endsWithAny(String name, String... suffixes) {
        for (String suffix : suffixes) {
            if (name.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }
}
