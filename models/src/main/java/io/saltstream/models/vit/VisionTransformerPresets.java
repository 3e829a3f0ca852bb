package io.saltstream.models.vit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Standard model sizes as static factories, each a full {@link SaltModelConfig} (encoder,
 * predictor, pixel decoder).
 *
 * <table>
 *   <caption>Presets (encoder D / depth / heads; predictor and decoder Dp / depth / heads)</caption>
 *   <tr><th>name</th><th>input</th><th>encoder</th><th>predictor</th><th>decoder</th></tr>
 *   <tr><td>vit-tiny</td><td>16×224×224×3, tubelet 2×16×16</td><td>192/12/3</td><td>96/6/3</td>
 *       <td>96/4/3</td></tr>
 *   <tr><td>vit-small</td><td>16×224×224×3, tubelet 2×16×16</td><td>384/12/6</td><td>192/6/6</td>
 *       <td>192/4/6</td></tr>
 *   <tr><td>vit-base</td><td>16×224×224×3, tubelet 2×16×16</td><td>768/12/12</td>
 *       <td>384/12/12</td><td>384/4/12</td></tr>
 *   <tr><td>vit-large</td><td>16×224×224×3, tubelet 2×16×16</td><td>1024/24/16</td>
 *       <td>384/12/16</td><td>512/4/16</td></tr>
 *   <tr><td>image-28</td><td>28×28×1, patch 4 (7×7 tokens)</td><td>128/4/4</td><td>64/2/4</td>
 *       <td>64/2/4</td></tr>
 *   <tr><td>video-64</td><td>16×64×64×3, tubelet 2×8×8 (8×8×8 tokens)</td><td>192/4/4</td>
 *       <td>96/2/4</td><td>96/2/4</td></tr>
 * </table>
 *
 * <p>The four standard sizes also exist for 224×224×3 images with patch 16, named with an {@code
 * -image} suffix ({@code vit-base-image} is ViT-B/16). The video encoders' Conv3d patch embedding
 * has t = 2 times the weights of the image one. The ViT-L predictor (384 wide, 12 deep) is the one
 * in V-JEPA's ViT-L/16 pre-training config. The other predictor and decoder sizes are this
 * project's choice, about half the encoder width.
 */
public final class VisionTransformerPresets {

    /** Name of {@link #vitTiny()}. */
    public static final String VIT_TINY = "vit-tiny";

    /** Name of {@link #vitSmall()}. */
    public static final String VIT_SMALL = "vit-small";

    /** Name of {@link #vitBase()}. */
    public static final String VIT_BASE = "vit-base";

    /** Name of {@link #vitLarge()}. */
    public static final String VIT_LARGE = "vit-large";

    /** Name of {@link #image28()}. */
    public static final String IMAGE_28 = "image-28";

    /** Name of {@link #video64()}. */
    public static final String VIDEO_64 = "video-64";

    /** Suffix of the 224×224 image variants of the standard sizes. */
    public static final String IMAGE_SUFFIX = "-image";

    private static final Map<String, Supplier<SaltModelConfig>> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put(VIT_TINY, VisionTransformerPresets::vitTiny);
        PRESETS.put(VIT_SMALL, VisionTransformerPresets::vitSmall);
        PRESETS.put(VIT_BASE, VisionTransformerPresets::vitBase);
        PRESETS.put(VIT_LARGE, VisionTransformerPresets::vitLarge);
        PRESETS.put(IMAGE_28, VisionTransformerPresets::image28);
        PRESETS.put(VIDEO_64, VisionTransformerPresets::video64);
        PRESETS.put(VIT_TINY + IMAGE_SUFFIX, () -> imageVariant(vitTiny()));
        PRESETS.put(VIT_SMALL + IMAGE_SUFFIX, () -> imageVariant(vitSmall()));
        PRESETS.put(VIT_BASE + IMAGE_SUFFIX, () -> imageVariant(vitBase()));
        PRESETS.put(VIT_LARGE + IMAGE_SUFFIX, () -> imageVariant(vitLarge()));
    }

    private VisionTransformerPresets() {}

    /** Returns every preset name that {@link #byName(String)} accepts, in a stable order. */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    /**
     * Returns the preset with the given name.
     *
     * @param name one of {@link #names()}, for example {@code "vit-base"} or {@code "image-28"}
     * @throws IllegalArgumentException for an unknown name; the message lists the valid names
     */
    public static SaltModelConfig byName(String name) {
        Supplier<SaltModelConfig> preset = name == null ? null : PRESETS.get(name);
        if (preset == null) {
            throw new IllegalArgumentException(
                    "unknown model preset '" + name + "': expected one of " + names());
        }
        return preset.get();
    }

    /** ViT-Ti: D 192, depth 12, 3 heads, on 16×224×224×3 clips with 2×16×16 tubelets. */
    public static SaltModelConfig vitTiny() {
        return standard(VIT_TINY, 192, 12, 3, predictor(96, 6, 3), predictor(96, 4, 3));
    }

    /** ViT-S: D 384, depth 12, 6 heads, on 16×224×224×3 clips with 2×16×16 tubelets. */
    public static SaltModelConfig vitSmall() {
        return standard(VIT_SMALL, 384, 12, 6, predictor(192, 6, 6), predictor(192, 4, 6));
    }

    /** ViT-B: D 768, depth 12, 12 heads, on 16×224×224×3 clips with 2×16×16 tubelets. */
    public static SaltModelConfig vitBase() {
        return standard(VIT_BASE, 768, 12, 12, predictor(384, 12, 12), predictor(384, 4, 12));
    }

    /** ViT-L: D 1024, depth 24, 16 heads, on 16×224×224×3 clips with 2×16×16 tubelets. */
    public static SaltModelConfig vitLarge() {
        return standard(VIT_LARGE, 1024, 24, 16, predictor(384, 12, 16), predictor(512, 4, 16));
    }

    /** CPU demo size for Fashion-MNIST: 28×28×1 images, 4×4 patches (49 tokens), D 128. */
    public static SaltModelConfig image28() {
        VisionTransformerConfig encoder =
                VisionTransformerConfig.builder()
                        .setInputChannels(1)
                        .setImageHeight(28)
                        .setImageWidth(28)
                        .setPatchSize(4)
                        .setEmbedDim(128)
                        .setDepth(4)
                        .setNumHeads(4)
                        .build();
        return SaltModelConfig.builder()
                .optPresetName(IMAGE_28)
                .setEncoder(encoder)
                .setPredictor(predictor(64, 2, 4))
                .setDecoder(predictor(64, 2, 4))
                .build();
    }

    /** CPU demo size for short clips: 16×64×64×3, 2×8×8 tubelets (512 tokens), D 192. */
    public static SaltModelConfig video64() {
        VisionTransformerConfig encoder =
                VisionTransformerConfig.builder()
                        .setInputChannels(3)
                        .setImageHeight(64)
                        .setImageWidth(64)
                        .optFrames(16)
                        .setPatchSize(8)
                        .optTubeletSize(2)
                        .setEmbedDim(192)
                        .setDepth(4)
                        .setNumHeads(4)
                        .build();
        return SaltModelConfig.builder()
                .optPresetName(VIDEO_64)
                .setEncoder(encoder)
                .setPredictor(predictor(96, 2, 4))
                .setDecoder(predictor(96, 2, 4))
                .build();
    }

    private static SaltModelConfig standard(
            String name,
            int embedDim,
            int depth,
            int numHeads,
            PredictorConfig predictor,
            PredictorConfig decoder) {
        VisionTransformerConfig encoder =
                VisionTransformerConfig.builder()
                        .setInputChannels(3)
                        .setImageHeight(224)
                        .setImageWidth(224)
                        .optFrames(16)
                        .setPatchSize(16)
                        .optTubeletSize(2)
                        .setEmbedDim(embedDim)
                        .setDepth(depth)
                        .setNumHeads(numHeads)
                        .build();
        return SaltModelConfig.builder()
                .optPresetName(name)
                .setEncoder(encoder)
                .setPredictor(predictor)
                .setDecoder(decoder)
                .build();
    }

    /** Turns a 16-frame preset into its single-image variant: T = 1, t = 1. */
    private static SaltModelConfig imageVariant(SaltModelConfig video) {
        VisionTransformerConfig image =
                video.getEncoder().toBuilder().optFrames(1).optTubeletSize(1).build();
        return video.toBuilder()
                .optPresetName(video.getPresetName() + IMAGE_SUFFIX)
                .setEncoder(image)
                .build();
    }

    private static PredictorConfig predictor(int embedDim, int depth, int numHeads) {
        return PredictorConfig.builder()
                .setEmbedDim(embedDim)
                .setDepth(depth)
                .setNumHeads(numHeads)
                .build();
    }
}
