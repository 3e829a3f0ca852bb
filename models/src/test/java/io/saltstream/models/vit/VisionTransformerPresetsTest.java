package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VisionTransformerPresetsTest {

    @Test
    void everyNameResolvesToItsPreset() {
        for (String name : VisionTransformerPresets.names()) {
            SaltModelConfig config = VisionTransformerPresets.byName(name);

            assertThat(config.getPresetName()).isEqualTo(name);
            assertThat(SaltModelConfig.fromJson(config.toJson())).isEqualTo(config);
        }
    }

    @Test
    void standardNamesPresent() {
        assertThat(VisionTransformerPresets.names())
                .contains("vit-tiny", "vit-small", "vit-base", "vit-large", "image-28", "video-64");
    }

    @Test
    void standardSizes() {
        int[][] expected = {{192, 12, 3}, {384, 12, 6}, {768, 12, 12}, {1024, 24, 16}};
        String[] names = {"vit-tiny", "vit-small", "vit-base", "vit-large"};
        for (int i = 0; i < names.length; i++) {
            VisionTransformerConfig encoder =
                    VisionTransformerPresets.byName(names[i]).getEncoder();

            assertThat(encoder.getEmbedDim()).as(names[i]).isEqualTo(expected[i][0]);
            assertThat(encoder.getDepth()).as(names[i]).isEqualTo(expected[i][1]);
            assertThat(encoder.getNumHeads()).as(names[i]).isEqualTo(expected[i][2]);
            assertThat(encoder.getPatchSize()).as(names[i]).isEqualTo(16);
            assertThat(encoder.getTubeletSize()).as(names[i]).isEqualTo(2);
            assertThat(encoder.getFrames()).as(names[i]).isEqualTo(16);
            assertThat(encoder.getImageHeight()).as(names[i]).isEqualTo(224);
            assertThat(encoder.getNumPatches()).as(names[i]).isEqualTo(8 * 14 * 14);
        }
    }

    @Test
    void vitLargePredictorFollowsVJepa() {
        PredictorConfig predictor = VisionTransformerPresets.vitLarge().getPredictor();

        assertThat(predictor.getEmbedDim()).isEqualTo(384);
        assertThat(predictor.getDepth()).isEqualTo(12);
    }

    @Test
    void image28Geometry() {
        VisionTransformerConfig encoder = VisionTransformerPresets.image28().getEncoder();

        assertThat(encoder.isVideo()).isFalse();
        assertThat(encoder.getGridHeight()).isEqualTo(7);
        assertThat(encoder.getGridWidth()).isEqualTo(7);
        assertThat(encoder.getPatchVolume()).isEqualTo(16);
        assertThat(encoder.getEmbedDim()).isEqualTo(128);
    }

    @Test
    void video64Geometry() {
        VisionTransformerConfig encoder = VisionTransformerPresets.video64().getEncoder();

        assertThat(encoder.isVideo()).isTrue();
        assertThat(encoder.getGridFrames()).isEqualTo(8);
        assertThat(encoder.getGridHeight()).isEqualTo(8);
        assertThat(encoder.getNumPatches()).isEqualTo(512);
        assertThat(encoder.getPatchVolume()).isEqualTo(2 * 8 * 8 * 3);
    }

    @Test
    void imageVariantsHaveOneFrame() {
        VisionTransformerConfig encoder =
                VisionTransformerPresets.byName("vit-base-image").getEncoder();

        assertThat(encoder.getFrames()).isEqualTo(1);
        assertThat(encoder.getTubeletSize()).isEqualTo(1);
        assertThat(encoder.getNumPatches()).isEqualTo(196);
    }

    @Test
    void unknownNameListsValidNames() {
        assertThatThrownBy(() -> VisionTransformerPresets.byName("vit-huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown model preset 'vit-huge'")
                .hasMessageContaining(
                        "vit-tiny, vit-small, vit-base, vit-large, image-28, video-64");
    }

    @Test
    void nullNameRejected() {
        assertThatThrownBy(() -> VisionTransformerPresets.byName(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown model preset 'null'");
    }
}
