package io.saltstream.operators.train;

import io.saltstream.models.quality.KnnClassifier;
import io.saltstream.models.quality.Lidar;
import io.saltstream.models.quality.LinearProbe;
import io.saltstream.models.quality.RankMe;
import io.saltstream.operators.preprocess.ClipTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes RankMe, LiDAR, kNN accuracy and linear-probe accuracy of an encoder on held-out clips.
 *
 * <p>Dimensions: N held-out clips, D embedding width, n LiDAR classes, q views per class, and per
 * clip C channels, T frames, H×W pixels cut into p×p patches.
 *
 * <ul>
 *   <li><b>RankMe</b> of the N×D embeddings of every clip, unchanged. With N &lt; D it is capped at
 *       N, so give the reservoir at least D clips.
 *   <li><b>LiDAR</b> of the first n = min(lidarClasses, N) clips as surrogate classes with q views
 *       each. A view is the clip with a random {@code viewMaskRatio} share of its p×p patches set
 *       to 0 (the normalised mean) in every channel and frame, a tube through time like the
 *       training masks. The encoder is run on the masked input, because the trainer encodes whole
 *       inputs only and cannot drop tokens for evaluation. Each view draws its patches from a
 *       generator seeded by the step, the class and the view, so the views replay.
 *   <li><b>kNN accuracy</b> (cosine similarity, similarity-weighted votes, k = {@code knnK}) and
 *       <b>linear-probe accuracy</b> when clips carry labels: the labelled clips at even positions
 *       are the reference (training) set, those at odd positions the test set. kNN needs at least k
 *       reference clips, the probe at least two classes among them.
 * </ul>
 *
 * <p>A figure that cannot be computed is {@code null}; non-finite embeddings (a diverged model)
 * yield no figures and a WARN, never an exception.
 */
final class QualityEvaluator {

    /** Encodes a batch [B, C, T, H, W] in C, T, H, W order per clip into [B][D]. */
    @FunctionalInterface
    interface BatchEncoder {
        float[][] encode(float[] data, int[] shape);
    }

    private static final Logger LOG = LoggerFactory.getLogger(QualityEvaluator.class);

    private static final long SEED_STRIDE = 0x9E3779B97F4A7C15L;

    private final int lidarClasses;
    private final int lidarViews;
    private final int knnK;
    private final double viewMaskRatio;
    private final int patchSize;
    private final int encodeBatchSize;

    /**
     * Creates an evaluator.
     *
     * @param lidarClasses LiDAR surrogate classes n, at least 2
     * @param lidarViews views q per class, at least 2
     * @param knnK neighbours k of the kNN accuracy, at least 1
     * @param viewMaskRatio share of patches masked in a LiDAR view, in (0, 1)
     * @param patchSize the encoder's patch size p in pixels
     * @param encodeBatchSize clips per encoder call
     */
    QualityEvaluator(
            int lidarClasses,
            int lidarViews,
            int knnK,
            double viewMaskRatio,
            int patchSize,
            int encodeBatchSize) {
        this.lidarClasses = lidarClasses;
        this.lidarViews = lidarViews;
        this.knnK = knnK;
        this.viewMaskRatio = viewMaskRatio;
        this.patchSize = patchSize;
        this.encodeBatchSize = encodeBatchSize;
    }

    /**
     * Evaluates an encoder on the held-out clips.
     *
     * @param clips the held-out clips, all of the model's shape
     * @param encoder the encoder to evaluate
     * @param seed seed of the LiDAR views, for example the training step
     * @return the figures; all {@code null} for fewer than 2 clips
     */
    QualityReport evaluate(List<ClipTensor> clips, BatchEncoder encoder, long seed) {
        long started = System.nanoTime();
        if (clips.size() < 2) {
            return new QualityReport(null, null, null, null, clips.size(), 0.0);
        }
        List<float[]> inputs = new ArrayList<>(clips.size());
        for (ClipTensor clip : clips) {
            inputs.add(clip.data);
        }
        float[][] embeddings = encodeAll(inputs, clips.get(0).shape, encoder);
        if (!allFinite(embeddings)) {
            LOG.warn(
                    "embeddings of the {} held-out clips are not finite: RankMe, LiDAR and"
                            + " accuracies are skipped",
                    clips.size());
            return new QualityReport(null, null, null, null, clips.size(), elapsed(started));
        }

        Double rankMe = computeSafely("RankMe", () -> RankMe.compute(embeddings));
        Double lidar = lidar(clips, encoder, seed);

        Double knn = null;
        Double probe = null;
        LabelledSplit split = LabelledSplit.of(clips, embeddings);
        if (split.trainLabels.length >= knnK && split.testLabels.length > 0) {
            KnnClassifier classifier = KnnClassifier.builder().optK(knnK).build();
            knn =
                    computeSafely(
                            "kNN accuracy",
                            () ->
                                    classifier.accuracy(
                                            split.train,
                                            split.trainLabels,
                                            split.test,
                                            split.testLabels));
        }
        int classes = split.maxTrainLabel() + 1;
        if (split.distinctTrainLabels() >= 2 && split.testLabels.length > 0) {
            probe =
                    computeSafely(
                            "linear-probe accuracy",
                            () ->
                                    LinearProbe.builder()
                                            .build()
                                            .fit(split.train, split.trainLabels, classes)
                                            .accuracy(split.test, split.testLabels));
        }
        return new QualityReport(rankMe, lidar, knn, probe, clips.size(), elapsed(started));
    }

    private Double lidar(List<ClipTensor> clips, BatchEncoder encoder, long seed) {
        int classes = Math.min(lidarClasses, clips.size());
        List<float[]> views = new ArrayList<>(classes * lidarViews);
        for (int i = 0; i < classes; i++) {
            for (int j = 0; j < lidarViews; j++) {
                long viewSeed = seed * SEED_STRIDE + (long) i * lidarViews + j;
                views.add(maskedView(clips.get(i), new SplittableRandom(viewSeed)));
            }
        }
        float[][] flat = encodeAll(views, clips.get(0).shape, encoder);
        if (!allFinite(flat)) {
            LOG.warn("embeddings of the LiDAR views are not finite: LiDAR is skipped");
            return null;
        }
        // [n·q][D] -> [n][q][D]
        float[][][] grouped = new float[classes][lidarViews][];
        for (int i = 0; i < classes; i++) {
            for (int j = 0; j < lidarViews; j++) {
                grouped[i][j] = flat[i * lidarViews + j];
            }
        }
        Lidar metric = Lidar.builder().build();
        return computeSafely("LiDAR", () -> metric.compute(grouped));
    }

    /**
     * Returns a copy of the clip with a random share of its p×p patches set to 0 in every channel
     * and frame.
     */
    float[] maskedView(ClipTensor clip, SplittableRandom random) {
        int channels = clip.shape[0];
        int frames = clip.shape[1];
        int height = clip.shape[2];
        int width = clip.shape[3];
        int gridHeight = Math.max(1, height / patchSize);
        int gridWidth = Math.max(1, width / patchSize);
        int patches = gridHeight * gridWidth;
        int masked = Math.max(1, (int) Math.round(viewMaskRatio * patches));

        // Partial Fisher-Yates shuffle: the first `masked` entries are the chosen patches.
        int[] order = new int[patches];
        for (int k = 0; k < patches; k++) {
            order[k] = k;
        }
        for (int k = 0; k < masked; k++) {
            int swap = k + random.nextInt(patches - k);
            int kept = order[k];
            order[k] = order[swap];
            order[swap] = kept;
        }

        float[] view = clip.data.clone();
        for (int k = 0; k < masked; k++) {
            int top = (order[k] / gridWidth) * patchSize;
            int left = (order[k] % gridWidth) * patchSize;
            int bottom = Math.min(height, top + patchSize);
            int right = Math.min(width, left + patchSize);
            for (int plane = 0; plane < channels * frames; plane++) {
                int planeStart = plane * height * width;
                for (int y = top; y < bottom; y++) {
                    int rowStart = planeStart + y * width;
                    Arrays.fill(view, rowStart + left, rowStart + right, 0f);
                }
            }
        }
        return view;
    }

    /** Encodes the inputs of one clip shape in batches of {@code encodeBatchSize}. */
    private float[][] encodeAll(List<float[]> inputs, int[] clipShape, BatchEncoder encoder) {
        int length = inputs.get(0).length;
        float[][] result = new float[inputs.size()][];
        for (int start = 0; start < inputs.size(); start += encodeBatchSize) {
            int count = Math.min(encodeBatchSize, inputs.size() - start);
            float[] batch = new float[count * length];
            for (int b = 0; b < count; b++) {
                System.arraycopy(inputs.get(start + b), 0, batch, b * length, length);
            }
            int[] shape = {count, clipShape[0], clipShape[1], clipShape[2], clipShape[3]};
            float[][] encoded = encoder.encode(batch, shape);
            System.arraycopy(encoded, 0, result, start, count);
        }
        return result;
    }

    private static boolean allFinite(float[][] rows) {
        for (float[] row : rows) {
            for (float value : row) {
                if (!Float.isFinite(value)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Returns the metric, or {@code null} with a WARN when the input does not allow it (for example
     * all-zero embeddings).
     */
    private static Double computeSafely(String name, Supplier<Double> metric) {
        try {
            return metric.get();
        } catch (IllegalArgumentException e) {
            LOG.warn("{} of the held-out clips could not be computed: {}", name, e.getMessage());
            return null;
        }
    }

    private static double elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * Labelled clips split into halves by a shuffle with a fixed seed, so that periodic labels do
     * not end up on one side and the split of the same clips is the same at every evaluation.
     */
    private static final class LabelledSplit {

        private static final long SPLIT_SEED = 0L;

        final float[][] train;
        final int[] trainLabels;
        final float[][] test;
        final int[] testLabels;

        private LabelledSplit(
                float[][] train, int[] trainLabels, float[][] test, int[] testLabels) {
            this.train = train;
            this.trainLabels = trainLabels;
            this.test = test;
            this.testLabels = testLabels;
        }

        static LabelledSplit of(List<ClipTensor> clips, float[][] embeddings) {
            List<Integer> labelled = new ArrayList<>();
            for (int i = 0; i < clips.size(); i++) {
                Integer label = clips.get(i).label;
                if (label != null && label >= 0) {
                    labelled.add(i);
                }
            }
            Collections.shuffle(labelled, new Random(SPLIT_SEED));
            int trainCount = (labelled.size() + 1) / 2;
            float[][] train = new float[trainCount][];
            int[] trainLabels = new int[trainCount];
            float[][] test = new float[labelled.size() - trainCount][];
            int[] testLabels = new int[labelled.size() - trainCount];
            for (int k = 0; k < labelled.size(); k++) {
                int index = labelled.get(k);
                if (k < trainCount) {
                    train[k] = embeddings[index];
                    trainLabels[k] = clips.get(index).label;
                } else {
                    test[k - trainCount] = embeddings[index];
                    testLabels[k - trainCount] = clips.get(index).label;
                }
            }
            return new LabelledSplit(train, trainLabels, test, testLabels);
        }

        int maxTrainLabel() {
            int max = -1;
            for (int label : trainLabels) {
                max = Math.max(max, label);
            }
            return max;
        }

        long distinctTrainLabels() {
            return Arrays.stream(trainLabels).distinct().count();
        }
    }
}
