package io.saltstream.operators.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class TrainerProgressTest {

    @Test
    void flinkTreatsItAsPojo() {
        // A POJO, not a Kryo-serialized generic type, so fields can be added to saved state.
        assertThat(TypeInformation.of(TrainerProgress.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void startsWithoutSnapshot() {
        TrainerProgress progress = new TrainerProgress();

        assertThat(progress.modelVersion).isNull();
        assertThat(progress.modelVersionStep).isEqualTo(-1);
        assertThat(progress.clipsReceived).isZero();
    }
}
