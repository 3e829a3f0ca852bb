package io.saltstream.models.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PixelDecoderTest {

    private NDManager manager;
    private ParameterStore store;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
        store = new ParameterStore(manager, false);
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Test
    void outputHasPatchVolumePerTarget() {
        VisionTransformerConfig encoder = VisionTransformerTest.videoConfig(1);
        PredictorConfig size =
                PredictorConfig.builder().setEmbedDim(8).setDepth(1).setNumHeads(2).build();
        PixelDecoder decoder =
                PixelDecoder.builder().setEncoderConfig(encoder).setDecoderConfig(size).build();
        decoder.initialize(manager, DataType.FLOAT32, decoder.inputShapes(1, 6, 2));
        NDArray context = manager.randomNormal(new Shape(1, 6, 16));
        NDArray contextIndices = manager.create(new long[][] {{0, 1, 2, 3, 4, 5}});
        NDArray targetIndices = manager.create(new long[][] {{6, 7}});

        NDArray out =
                decoder.forward(store, new NDList(context, contextIndices, targetIndices), false)
                        .head();

        assertThat(out.getShape()).isEqualTo(new Shape(1, 2, encoder.getPatchVolume()));
        assertThat(VisionTransformerTest.countParameters(decoder))
                .isEqualTo(size.parameterCount(16, encoder.getPatchVolume()));
        assertThat(decoder.getParameters().keys()).allMatch(name -> name.contains("decoder"));
    }

    @Test
    void patchifyImageLayout() {
        // 1 channel, 4×4 pixels, 2×2 patches: pixel (y, x) is 4y + x.
        VisionTransformerConfig config =
                VisionTransformerConfig.builder()
                        .setInputChannels(1)
                        .setImageHeight(4)
                        .setImageWidth(4)
                        .setPatchSize(2)
                        .setEmbedDim(4)
                        .setDepth(0)
                        .setNumHeads(1)
                        .build();
        NDArray x = manager.arange(16f).reshape(1, 1, 4, 4);

        NDArray patches = PixelDecoder.patchify(x, config);

        assertThat(patches.getShape()).isEqualTo(new Shape(1, 4, 4));
        assertThat(patches.toFloatArray())
                .containsExactly(
                        0, 1, 4, 5, // token 0: rows 0-1, columns 0-1
                        2, 3, 6, 7, // token 1: rows 0-1, columns 2-3
                        8, 9, 12, 13, // token 2: rows 2-3, columns 0-1
                        10, 11, 14, 15); // token 3
    }

    @Test
    void patchifyPutsChannelLast() {
        // 2 channels, 2×4 pixels, two 2×2 patches: pixel (y, x) of channel c is 100c + 4y + x.
        VisionTransformerConfig config =
                VisionTransformerConfig.builder()
                        .setInputChannels(2)
                        .setImageHeight(2)
                        .setImageWidth(4)
                        .setPatchSize(2)
                        .setEmbedDim(4)
                        .setDepth(0)
                        .setNumHeads(1)
                        .build();
        float[] values = new float[2 * 2 * 4];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 4; x++) {
                    values[(c * 2 + y) * 4 + x] = 100 * c + 4 * y + x;
                }
            }
        }

        float[] patches =
                PixelDecoder.patchify(manager.create(values, new Shape(1, 2, 2, 4)), config)
                        .toFloatArray();

        assertThat(patches)
                .containsExactly(
                        0, 100, 1, 101, 4, 104, 5, 105, // token 0
                        2, 102, 3, 103, 6, 106, 7, 107); // token 1
    }

    @Test
    void patchifyVideoIsTimeMajor() {
        // 1 channel, 4 frames of 2×2, tubelet 2×2×2: two tokens, one per frame pair.
        VisionTransformerConfig config =
                VisionTransformerConfig.builder()
                        .setInputChannels(1)
                        .setImageHeight(2)
                        .setImageWidth(2)
                        .optFrames(4)
                        .setPatchSize(2)
                        .optTubeletSize(2)
                        .setEmbedDim(8)
                        .setDepth(0)
                        .setNumHeads(1)
                        .build();
        NDArray x = manager.arange(16f).reshape(1, 1, 4, 2, 2);

        NDArray patches = PixelDecoder.patchify(x, config);

        assertThat(patches.getShape()).isEqualTo(new Shape(1, 2, 8));
        assertThat(patches.toFloatArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    }

    @Test
    void normalizedTargetsHaveZeroMeanUnitVariance() {
        VisionTransformerConfig config = VisionTransformerTest.videoConfig(0);
        NDArray x = manager.randomNormal(config.inputShape(2)).mul(5).add(3);

        NDArray targets = PixelDecoder.normalizedPixelTargets(x, config);

        int volume = config.getPatchVolume();
        assertThat(targets.getShape()).isEqualTo(new Shape(2, config.getNumPatches(), volume));
        float[] flat = targets.toFloatArray();
        for (int row = 0; row < flat.length / volume; row++) {
            double mean = 0;
            double square = 0;
            for (int i = 0; i < volume; i++) {
                mean += flat[row * volume + i] / (double) volume;
                square += flat[row * volume + i] * flat[row * volume + i] / (double) volume;
            }
            assertThat(mean).isCloseTo(0.0, within(1e-5));
            assertThat(square - mean * mean).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void constantPatchNormalisesToZero() {
        VisionTransformerConfig config = VisionTransformerTest.imageConfig(0);
        NDArray x = manager.full(config.inputShape(1), 7f);

        float[] targets = PixelDecoder.normalizedPixelTargets(x, config).toFloatArray();

        assertThat(targets).containsOnly(0f);
    }

    @Test
    void patchifyRejectsWrongShape() {
        VisionTransformerConfig config = VisionTransformerTest.imageConfig(0);
        NDArray x = manager.zeros(new Shape(1, 3, 8, 12));

        assertThatThrownBy(() -> PixelDecoder.patchify(x, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patchify expects x of shape (2, 8, 12) after the batch axis")
                .hasMessageContaining("got (1, 3, 8, 12)");
    }

    @Test
    void builderNamesMissingConfigs() {
        assertThatThrownBy(() -> PixelDecoder.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoderConfig is missing")
                .hasMessageContaining("decoderConfig is missing: call setDecoderConfig");
    }
}
