package io.saltstream.pipeline.fit;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Representation-quality figures of one encoder, as {@link RepresentationEvaluator} computes them.
 * A figure that was not requested, or that the data cannot give (no labels), is {@code null}.
 *
 * @param encoder what was evaluated, such as "student", "random-init" or "raw-pixels"
 * @param dimension d, the length of each embedding
 * @param knnAccuracy weighted kNN accuracy on the test embeddings, in [0, 1]
 * @param linearProbeAccuracy linear-probe accuracy on the test embeddings, in [0, 1]
 * @param rankMe RankMe of the test embeddings, in about [1, min(N, d)]
 * @param lidar LiDAR of the augmented views, in about [1, min(n - 1, d)]
 * @param embedSeconds wall time spent computing embeddings
 * @param metricSeconds wall time spent on kNN, probe, RankMe and LiDAR
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EncoderScores(
        String encoder,
        int dimension,
        Double knnAccuracy,
        Double linearProbeAccuracy,
        Double rankMe,
        Double lidar,
        double embedSeconds,
        double metricSeconds) {}
