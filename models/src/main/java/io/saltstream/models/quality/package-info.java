/**
 * Representation-quality metrics on frozen embeddings: the label-free {@link
 * io.saltstream.models.quality.RankMe} and {@link io.saltstream.models.quality.Lidar}, and the
 * labelled {@link io.saltstream.models.quality.KnnClassifier} and {@link
 * io.saltstream.models.quality.LinearProbe}.
 *
 * <p>Every class takes plain Java arrays (one row per embedding) and no DJL types, so callers copy
 * embeddings out of their {@code NDArray}s first. Dense decompositions use EJML.
 */
package io.saltstream.models.quality;
