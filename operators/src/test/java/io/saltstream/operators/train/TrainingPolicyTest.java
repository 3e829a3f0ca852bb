package io.saltstream.operators.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrainingPolicyTest {

    @Test
    void parsesIgnoringCase() {
        assertThat(TrainingPolicy.parse("all")).isEqualTo(TrainingPolicy.ALL);
        assertThat(TrainingPolicy.parse(" LATEST ")).isEqualTo(TrainingPolicy.LATEST);
        assertThat(TrainingPolicy.LATEST).hasToString("latest");
    }

    @Test
    void unknownValueFails() {
        assertThatThrownBy(() -> TrainingPolicy.parse("newest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("train.policy is 'newest' but must be one of: all, latest");
        assertThatThrownBy(() -> TrainingPolicy.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("train.policy is 'null' but must be one of: all, latest");
    }
}
