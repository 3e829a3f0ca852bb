package io.saltstream.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KeySuggestionsTest {

    private static final List<String> KNOWN =
            SaltstreamOptions.all().stream()
                    .map(RegisteredOption::key)
                    .collect(Collectors.toList());

    @Test
    void abbreviationInSameSection() {
        assertThat(KeySuggestions.closest("optimization.learning-rate", KNOWN))
                .contains("optimization.lr");
    }

    @Test
    void typo() {
        assertThat(KeySuggestions.closest("kafka.bootstrap-server", KNOWN))
                .contains("kafka.bootstrap-servers");
        assertThat(KeySuggestions.closest("mask.num-block", KNOWN)).contains("mask.num-blocks");
    }

    @Test
    void nameInOtherSection() {
        assertThat(KeySuggestions.closest("train.warmup-steps", KNOWN))
                .contains("optimization.warmup-steps");
    }

    @Test
    void misspeltSection() {
        assertThat(KeySuggestions.closest("optimisation.lr", KNOWN)).contains("optimization.lr");
    }

    @Test
    void nothingCloseGivesEmpty() {
        assertThat(KeySuggestions.closest("flink.state-backend", KNOWN)).isEmpty();
    }
}
