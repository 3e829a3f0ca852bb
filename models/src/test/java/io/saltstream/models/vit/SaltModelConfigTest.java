package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SaltModelConfigTest {

    @Test
    void jsonRoundTripKeepsEverySection() {
        SaltModelConfig config = VisionTransformerPresets.video64();

        String json = config.toJson();
        SaltModelConfig read = SaltModelConfig.fromJson(json);

        assertThat(read).isEqualTo(config).hasSameHashCodeAs(config);
        assertThat(read.getEncoder()).isEqualTo(config.getEncoder());
        assertThat(read.getDecoder()).isEqualTo(config.getDecoder());
        assertThat(json).startsWith("{\"preset\":\"video-64\",\"encoder\":{");
    }

    @Test
    void jsonMissingSectionRejected() {
        String json =
                "{\"preset\":\"x\",\"encoder\":"
                        + VisionTransformerPresets.image28().getEncoder().toJson()
                        + "}";

        assertThatThrownBy(() -> SaltModelConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing required keys [predictor, decoder]");
    }

    @Test
    void jsonInvalidNestedValueRejected() {
        String json =
                VisionTransformerPresets.image28()
                        .toJson()
                        .replace(
                                "\"predictor\":{\"embedDim\":64", "\"predictor\":{\"embedDim\":66");

        assertThatThrownBy(() -> SaltModelConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid PredictorConfig")
                .hasMessageContaining("embedDim = 66 must be divisible by numHeads = 4");
    }

    @Test
    void jsonNotAnObjectRejected() {
        assertThatThrownBy(() -> SaltModelConfig.fromJson("[1, 2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid SaltModelConfig JSON");
        assertThatThrownBy(() -> SaltModelConfig.fromJson(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got null");
    }

    @Test
    void builderNamesMissingParts() {
        assertThatThrownBy(() -> SaltModelConfig.builder().optPresetName(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("presetName = ' ' must be a non-blank name")
                .hasMessageContaining("encoder is missing: call setEncoder")
                .hasMessageContaining("predictor is missing: call setPredictor")
                .hasMessageContaining("decoder is missing: call setDecoder");
    }

    @Test
    void customIsTheDefaultPresetName() {
        SaltModelConfig preset = VisionTransformerPresets.image28();
        SaltModelConfig custom =
                SaltModelConfig.builder()
                        .setEncoder(preset.getEncoder())
                        .setPredictor(preset.getPredictor())
                        .setDecoder(preset.getDecoder())
                        .build();

        assertThat(custom.getPresetName()).isEqualTo(SaltModelConfig.CUSTOM_PRESET);
        assertThat(custom).isNotEqualTo(preset);
    }

    @Test
    void predictorAndDecoderCountsUseEncoderWidths() {
        SaltModelConfig config = VisionTransformerPresets.image28();
        int dim = config.getEncoder().getEmbedDim();

        assertThat(config.predictorParameterCount())
                .isEqualTo(config.getPredictor().parameterCount(dim, dim));
        assertThat(config.decoderParameterCount())
                .isEqualTo(config.getDecoder().parameterCount(dim, 16));
    }

    @Test
    void predictorConfigValidation() {
        assertThatThrownBy(
                        () ->
                                PredictorConfig.builder()
                                        .setEmbedDim(9)
                                        .setDepth(-2)
                                        .setNumHeads(3)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid PredictorConfig")
                .hasMessageContaining("depth = -2 must be at least 0");
        assertThatThrownBy(
                        () ->
                                PredictorConfig.builder()
                                        .setEmbedDim(9)
                                        .setDepth(1)
                                        .setNumHeads(3)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim = 9 must be even");
        assertThatThrownBy(() -> PredictorConfig.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim is missing")
                .hasMessageContaining("depth is missing")
                .hasMessageContaining("numHeads is missing");
    }

    @Test
    void predictorConfigJsonRoundTrip() {
        PredictorConfig config =
                PredictorConfig.builder()
                        .setEmbedDim(32)
                        .setDepth(3)
                        .setNumHeads(4)
                        .optMlpRatio(2)
                        .build();

        assertThat(PredictorConfig.fromJson(config.toJson())).isEqualTo(config);
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }
}
