package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class VisionTransformerConfigTest {

    private static VisionTransformerConfig.Builder valid() {
        return VisionTransformerConfig.builder()
                .setInputChannels(3)
                .setImageHeight(64)
                .setImageWidth(32)
                .optFrames(8)
                .setPatchSize(8)
                .optTubeletSize(2)
                .setEmbedDim(48)
                .setDepth(2)
                .setNumHeads(4);
    }

    /**
     * Parameter count of a timm ViT with a 1000-class head, a class token and learned positions for
     * 197 tokens, minus those three, which this encoder does not have.
     */
    private static long timmWithoutHeadClassTokenAndPositions(long timmTotal, long dim) {
        long head = dim * 1000 + 1000;
        long classToken = dim;
        long positions = 197 * dim;
        return timmTotal - head - classToken - positions;
    }

    @Test
    void derivedGridValues() {
        VisionTransformerConfig config = valid().build();

        assertThat(config.getGridFrames()).isEqualTo(4);
        assertThat(config.getGridHeight()).isEqualTo(8);
        assertThat(config.getGridWidth()).isEqualTo(4);
        assertThat(config.getNumPatches()).isEqualTo(128);
        assertThat(config.getPatchVolume()).isEqualTo(2 * 8 * 8 * 3);
        assertThat(config.getMlpHiddenDim()).isEqualTo(192);
        assertThat(config.isVideo()).isTrue();
        assertThat(config.inputShape(5)).isEqualTo(new Shape(5, 3, 8, 64, 32));
    }

    @Test
    void defaultsDescribeAnImage() {
        VisionTransformerConfig config =
                valid().optFrames(1).optTubeletSize(1).build().toBuilder().build();

        assertThat(config.isVideo()).isFalse();
        assertThat(config.getFrames()).isEqualTo(1);
        assertThat(config.getMlpRatio()).isEqualTo(4.0);
        assertThat(config.getLayerNormEps()).isEqualTo(1e-6);
        assertThat(config.inputShape(2)).isEqualTo(new Shape(2, 3, 64, 32));
    }

    @Test
    void missingValuesListed() {
        assertThatThrownBy(() -> VisionTransformerConfig.builder().setInputChannels(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid VisionTransformerConfig: ")
                .hasMessageContaining("imageHeight is missing: call setImageHeight")
                .hasMessageContaining("patchSize is missing: call setPatchSize")
                .hasMessageContaining("depth is missing: call setDepth")
                .hasMessageNotContaining("inputChannels");
    }

    @Test
    void nonPositiveValuesRejected() {
        assertThatThrownBy(() -> valid().setInputChannels(0).setDepth(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputChannels = 0 must be at least 1")
                .hasMessageContaining("depth = -1 must be at least 0");
    }

    @Test
    void headsMustDivideEmbedDim() {
        assertThatThrownBy(() -> valid().setNumHeads(5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim = 48 must be divisible by numHeads = 5");
    }

    @Test
    void imageSidesMustBeMultiplesOfPatch() {
        assertThatThrownBy(() -> valid().setImageHeight(60).setImageWidth(36).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imageHeight = 60 must be divisible by patchSize = 8")
                .hasMessageContaining("imageWidth = 36 must be divisible by patchSize = 8");
    }

    @Test
    void framesMustBeMultipleOfTubelet() {
        assertThatThrownBy(() -> valid().optFrames(7).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frames = 7 must be divisible by tubeletSize = 2");
    }

    @Test
    void embedDimMustSuitPositions() {
        assertThatThrownBy(() -> valid().setEmbedDim(4).setNumHeads(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim = 4 must be even and at least 6");
    }

    @Test
    void badRatioAndEpsilonRejected() {
        assertThatThrownBy(() -> valid().optMlpRatio(Double.NaN).optLayerNormEps(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mlpRatio = NaN must be finite and > 0")
                .hasMessageContaining("layerNormEps = 0.0 must be finite and > 0");
    }

    @Test
    void jsonRoundTrip() {
        VisionTransformerConfig config = valid().optMlpRatio(2.5).build();

        String json = config.toJson();
        VisionTransformerConfig read = VisionTransformerConfig.fromJson(json);

        assertThat(read).isEqualTo(config).hasSameHashCodeAs(config);
        assertThat(json).contains("\"embedDim\":48").doesNotContain("numPatches");
    }

    @Test
    void jsonOptionalKeysTakeDefaults() {
        String json =
                "{\"inputChannels\":1,\"imageHeight\":28,\"imageWidth\":28,\"patchSize\":4,"
                        + "\"embedDim\":16,\"depth\":1,\"numHeads\":2}";

        VisionTransformerConfig config = VisionTransformerConfig.fromJson(json);

        assertThat(config.getFrames()).isEqualTo(1);
        assertThat(config.getTubeletSize()).isEqualTo(1);
        assertThat(config.getMlpRatio()).isEqualTo(4.0);
    }

    @Test
    void jsonUnknownKeyRejected() {
        String json = valid().build().toJson().replace("\"depth\"", "\"dept\"");

        assertThatThrownBy(() -> VisionTransformerConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid VisionTransformerConfig JSON")
                .hasMessageContaining("dept");
    }

    @Test
    void jsonMissingKeyRejected() {
        String json = "{\"inputChannels\":1,\"imageHeight\":28,\"imageWidth\":28}";

        assertThatThrownBy(() -> VisionTransformerConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "missing required keys [patchSize, embedDim, depth, numHeads]");
    }

    @Test
    void jsonInvalidValueRejectedWithRule() {
        String json = valid().build().toJson().replace("\"numHeads\":4", "\"numHeads\":5");

        assertThatThrownBy(() -> VisionTransformerConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim = 48 must be divisible by numHeads = 5");
    }

    @Test
    void jsonFractionForIntegerRejected() {
        String json = valid().build().toJson().replace("\"depth\":2", "\"depth\":2.5");

        assertThatThrownBy(() -> VisionTransformerConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid VisionTransformerConfig JSON");
    }

    @Test
    void equalsComparesEveryField() {
        assertThat(valid().build()).isEqualTo(valid().build());
        assertThat(valid().build()).isNotEqualTo(valid().optLayerNormEps(1e-5).build());
        assertThat(valid().build()).isNotEqualTo(valid().setDepth(3).build());
    }

    @Test
    void vitBase16ImageMatchesTimmCount() {
        VisionTransformerConfig config =
                VisionTransformerPresets.byName("vit-base-image").getEncoder();

        // timm vit_base_patch16_224: 86,567,656 parameters.
        assertThat(config.encoderParameterCount())
                .isEqualTo(timmWithoutHeadClassTokenAndPositions(86_567_656L, 768))
                .isEqualTo(85_646_592L);
    }

    @Test
    void otherImagePresetsMatchTimmCounts() {
        // timm vit_tiny/small/large_patch16_224: 5,717,416 / 22,050,664 / 304,326,632.
        assertThat(
                        VisionTransformerPresets.byName("vit-tiny-image")
                                .getEncoder()
                                .encoderParameterCount())
                .isEqualTo(timmWithoutHeadClassTokenAndPositions(5_717_416L, 192));
        assertThat(
                        VisionTransformerPresets.byName("vit-small-image")
                                .getEncoder()
                                .encoderParameterCount())
                .isEqualTo(timmWithoutHeadClassTokenAndPositions(22_050_664L, 384));
        assertThat(
                        VisionTransformerPresets.byName("vit-large-image")
                                .getEncoder()
                                .encoderParameterCount())
                .isEqualTo(timmWithoutHeadClassTokenAndPositions(304_326_632L, 1024));
    }

    @Test
    void videoPatchEmbeddingHasTubeletTimesWeights() {
        for (String name : new String[] {"vit-tiny", "vit-small", "vit-base", "vit-large"}) {
            VisionTransformerConfig video = VisionTransformerPresets.byName(name).getEncoder();
            VisionTransformerConfig image =
                    VisionTransformerPresets.byName(name + "-image").getEncoder();
            long patchWeights = (long) image.getEmbedDim() * image.getPatchVolume();

            assertThat(video.encoderParameterCount() - image.encoderParameterCount())
                    .as(name)
                    .isEqualTo((video.getTubeletSize() - 1) * patchWeights);
        }
    }
}
