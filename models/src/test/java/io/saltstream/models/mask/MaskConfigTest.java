package io.saltstream.models.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MaskConfigTest {

    @Test
    void defaultsOfOptionalRanges() {
        MaskConfig config = MaskConfig.builder().setNumBlocks(3).setSpatialScale(0.1, 0.3).build();

        assertThat(config.getMinAspectRatio()).isEqualTo(0.75);
        assertThat(config.getMaxAspectRatio()).isEqualTo(1.5);
        assertThat(config.getMinTemporalScale()).isEqualTo(1.0);
        assertThat(config.getMaxTemporalScale()).isEqualTo(1.0);
    }

    @Test
    void videoDefaultsFollowVJepa() {
        List<MaskConfig> configs = MaskConfig.videoDefaults();

        assertThat(configs).hasSize(2);
        assertThat(configs.get(0).getNumBlocks()).isEqualTo(8);
        assertThat(configs.get(0).getMinSpatialScale()).isEqualTo(0.15);
        assertThat(configs.get(0).getMaxSpatialScale()).isEqualTo(0.15);
        assertThat(configs.get(1).getNumBlocks()).isEqualTo(2);
        assertThat(configs.get(1).getMaxSpatialScale()).isEqualTo(0.7);
        assertThat(configs).allMatch(c -> c.getMinTemporalScale() == 1.0);
    }

    @Test
    void imageDefaults() {
        List<MaskConfig> configs = MaskConfig.imageDefaults();

        assertThat(configs)
                .containsExactly(
                        MaskConfig.builder().setNumBlocks(4).setSpatialScale(0.15, 0.2).build());
    }

    @Test
    void missingValuesListed() {
        assertThatThrownBy(() -> MaskConfig.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numBlocks is missing: call setNumBlocks")
                .hasMessageContaining("spatialScale is missing: call setSpatialScale");
    }

    @Test
    void numBlocksMustBePositive() {
        assertThatThrownBy(
                        () ->
                                MaskConfig.builder()
                                        .setNumBlocks(0)
                                        .setSpatialScale(0.1, 0.2)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numBlocks = 0 must be at least 1");
    }

    @Test
    void scalesMustLieInUnitInterval() {
        assertThatThrownBy(
                        () ->
                                MaskConfig.builder()
                                        .setNumBlocks(1)
                                        .setSpatialScale(0.0, 0.5)
                                        .optTemporalScale(0.5, 1.2)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spatialScale = [0.0, 0.5] must hold values in (0, 1]")
                .hasMessageContaining("temporalScale = [0.5, 1.2] must hold values in (0, 1]");
    }

    @Test
    void minAboveMaxRejected() {
        assertThatThrownBy(
                        () ->
                                MaskConfig.builder()
                                        .setNumBlocks(1)
                                        .setSpatialScale(0.4, 0.2)
                                        .optAspectRatio(2.0, 1.0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spatialScale = [0.4, 0.2] must have min <= max")
                .hasMessageContaining("aspectRatio = [2.0, 1.0] must have min <= max");
    }

    @Test
    void aspectRatioMustBePositive() {
        assertThatThrownBy(
                        () ->
                                MaskConfig.builder()
                                        .setNumBlocks(1)
                                        .setSpatialScale(0.1, 0.2)
                                        .optAspectRatio(0.0, 1.0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("aspectRatio = [0.0, 1.0] must hold finite values > 0");
    }
}
