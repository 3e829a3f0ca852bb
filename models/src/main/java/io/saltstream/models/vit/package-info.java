/**
 * Vision transformers for SALT in DJL: the {@link io.saltstream.models.vit.VisionTransformer}
 * encoder, the latent {@link io.saltstream.models.vit.VisionTransformerPredictor}, the {@link
 * io.saltstream.models.vit.PixelDecoder}, their configs and the standard size presets in {@link
 * io.saltstream.models.vit.VisionTransformerPresets}.
 *
 * <p>Tensor dimension letters used throughout: B batch, C channels, T frames, H×W pixels, t×p×p the
 * tubelet, T′×H′×W′ the token grid, N = T′·H′·W′ tokens, K context tokens, M target tokens, D
 * encoder width, Dp predictor width. Masks are index lists of tokens to keep: {@code
 * contextIndices} [B, K] and {@code targetIndices} [B, M], int64, from {@link
 * io.saltstream.models.mask.MultiBlockMaskGenerator}.
 */
package io.saltstream.models.vit;
