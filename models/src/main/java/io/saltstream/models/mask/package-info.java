/**
 * V-JEPA multi-block masking: {@link io.saltstream.models.mask.MultiBlockMaskGenerator} draws
 * target blocks over the token grid from {@link io.saltstream.models.mask.MaskConfig}s and returns
 * {@link io.saltstream.models.mask.MaskBatch}es of {@code contextIndices} [B, K] and {@code
 * targetIndices} [B, M]. Masks are a pure function of (configuration, seed, step), so a restored
 * trainer replays them.
 */
package io.saltstream.models.mask;
