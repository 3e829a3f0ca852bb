package io.saltstream.pipeline.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The instructions of a Dockerfile, read without Docker: comments dropped, continuation lines
 * joined, {@code ARG} defaults and {@code ENV} values collected.
 */
final class Dockerfile {

    /** One instruction, such as {@code COPY --chown=flink:flink a /b}: keyword and arguments. */
    record Instruction(String keyword, String arguments) {

        /** Returns the arguments split on white space, options such as --from included. */
        List<String> words() {
            return Arrays.asList(arguments.strip().split("\\s+"));
        }

        /** Returns the value of an option such as {@code --from}, or null. */
        String option(String name) {
            for (String word : words()) {
                if (word.startsWith(name + "=")) {
                    return word.substring(name.length() + 1);
                }
            }
            return null;
        }

        /** Returns the sources of a COPY or ADD: every argument except options and the last. */
        List<String> sources() {
            List<String> paths =
                    words().stream().filter(w -> !w.startsWith("--")).collect(Collectors.toList());
            return paths.subList(0, paths.size() - 1);
        }

        /** Returns the destination of a COPY or ADD. */
        String destination() {
            List<String> words = words();
            return words.get(words.size() - 1);
        }
    }

    private static final Pattern KEY_VALUE =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");

    private final Path file;
    private final List<Instruction> instructions;

    private Dockerfile(Path file, List<Instruction> instructions) {
        this.file = file;
        this.instructions = List.copyOf(instructions);
    }

    /** Reads and splits {@code file} into instructions. */
    static Dockerfile read(Path file) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : DeployFiles.read(file).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase();
            instructions.add(
                    new Instruction(keyword, space < 0 ? "" : text.substring(space + 1).strip()));
        }
        return new Dockerfile(file, instructions);
    }

    Path file() {
        return file;
    }

    /** Returns the instructions with the given keyword, in order. */
    List<Instruction> all(String keyword) {
        return instructions.stream()
                .filter(instruction -> instruction.keyword().equals(keyword))
                .collect(Collectors.toList());
    }

    /** Returns the default of every {@code ARG NAME=value}. */
    Map<String, String> argDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Instruction arg : all("ARG")) {
            Matcher matcher = KEY_VALUE.matcher(arg.arguments());
            if (matcher.find()) {
                defaults.put(matcher.group(1), unquote(matcher.group(2)));
            }
        }
        return defaults;
    }

    /** Returns every variable set by {@code ENV} in the last stage. */
    Map<String, String> finalEnvironment() {
        List<Instruction> from = all("FROM");
        Instruction lastFrom = from.get(from.size() - 1);
        Map<String, String> environment = new LinkedHashMap<>();
        boolean inFinalStage = false;
        for (Instruction instruction : instructions) {
            if (instruction == lastFrom) {
                inFinalStage = true;
            }
            if (inFinalStage && instruction.keyword().equals("ENV")) {
                Matcher matcher = KEY_VALUE.matcher(instruction.arguments());
                while (matcher.find()) {
                    environment.put(matcher.group(1), unquote(matcher.group(2)));
                }
            }
        }
        return environment;
    }

    /** Returns the image of {@code FROM} with {@code ${ARG}} replaced by the ARG's default. */
    List<String> baseImages() {
        Map<String, String> defaults = argDefaults();
        List<String> images = new ArrayList<>();
        for (Instruction from : all("FROM")) {
            String image = from.words().get(0);
            Matcher variable = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}").matcher(image);
            StringBuilder resolved = new StringBuilder();
            while (variable.find()) {
                String value = defaults.get(variable.group(1));
                variable.appendReplacement(
                        resolved,
                        Matcher.quoteReplacement(value == null ? variable.group() : value));
            }
            variable.appendTail(resolved);
            images.add(resolved.toString());
        }
        return images;
    }

    /** Returns the text of every RUN instruction, joined. */
    String runScripts() {
        return all("RUN").stream().map(Instruction::arguments).collect(Collectors.joining("\n"));
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
