package io.saltstream.operators.train;

/**
 * Representation-quality figures of one evaluation of the held-out clips; a figure is {@code null}
 * when it could not be computed (too few clips, no labels, non-finite embeddings).
 *
 * @param rankMe RankMe of the embeddings of every held-out clip, in about [1, min(N, D)]
 * @param lidar LiDAR of n held-out clips with q augmented views each, in about [1, min(n − 1, D)]
 * @param knnAccuracy kNN accuracy on the labelled held-out clips, in [0, 1]
 * @param linearProbeAccuracy linear-probe accuracy on the labelled held-out clips, in [0, 1]
 * @param clips the number of held-out clips evaluated
 * @param seconds the wall-clock time of the evaluation
 */
record QualityReport(
        Double rankMe,
        Double lidar,
        Double knnAccuracy,
        Double linearProbeAccuracy,
        int clips,
        double seconds) {}
