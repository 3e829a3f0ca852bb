package io.saltstream.pipeline.config;

import java.util.Collection;
import java.util.Optional;

/**
 * Finds the known option key closest to a misspelt one, for "did you mean" hints.
 *
 * <p>The distance is the Levenshtein distance between the keys, with two shortcuts: a name whose
 * hyphenated words abbreviate to the other name in the same section ("learning-rate" and "lr") is 1
 * away, and the same name in another section is 1 away plus a small share of the section distance,
 * so the closest section wins. A key is suggested when its distance is at most a quarter of the
 * unknown key's length, and at least 2.
 */
final class KeySuggestions {

    private KeySuggestions() {}

    /** Returns the known key closest to {@code unknown}, when one is close enough. */
    static Optional<String> closest(String unknown, Collection<String> known) {
        String best = null;
        double bestDistance = Double.MAX_VALUE;
        for (String candidate : known) {
            double distance = distance(unknown, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        double limit = Math.max(2, unknown.length() / 4.0);
        return bestDistance <= limit ? Optional.ofNullable(best) : Optional.empty();
    }

    static double distance(String unknown, String candidate) {
        double distance = levenshtein(unknown, candidate);
        String unknownSection = section(unknown);
        String candidateSection = section(candidate);
        String unknownName = name(unknown);
        String candidateName = name(candidate);
        if (unknownSection.equals(candidateSection)
                && (abbreviates(unknownName, candidateName)
                        || abbreviates(candidateName, unknownName))) {
            distance = Math.min(distance, 1);
        }
        if (unknownName.equals(candidateName) && !unknownSection.equals(candidateSection)) {
            distance =
                    Math.min(distance, 1 + levenshtein(unknownSection, candidateSection) / 100.0);
        }
        return distance;
    }

    /** Whether the initials of the hyphenated words of {@code words} spell {@code abbreviation}. */
    private static boolean abbreviates(String words, String abbreviation) {
        String[] parts = words.split("-");
        if (parts.length < 2) {
            return false;
        }
        StringBuilder initials = new StringBuilder();
        for (String part : parts) {
            if (!part.isEmpty()) {
                initials.append(part.charAt(0));
            }
        }
        return initials.toString().equals(abbreviation);
    }

    private static String section(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? "" : key.substring(0, dot);
    }

    private static String name(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(dot + 1);
    }

    private static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
