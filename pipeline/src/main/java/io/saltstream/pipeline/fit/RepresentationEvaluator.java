package io.saltstream.pipeline.fit;

import io.saltstream.models.quality.KnnClassifier;
import io.saltstream.models.quality.Lidar;
import io.saltstream.models.quality.LinearProbe;
import io.saltstream.models.quality.RankMe;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frozen evaluation of an encoder on a {@link SampleSet}: embeds samples in batches, then computes
 * the requested {@link Metric}s.
 *
 * <ul>
 *   <li>{@link Metric#KNN}: {@link KnnClassifier} (k = 20, cosine similarity, DINO's weighted
 *       votes) with the training embeddings as references, accuracy on the test embeddings;
 *   <li>{@link Metric#LINEAR_PROBE}: {@link LinearProbe} (multinomial logistic regression, its
 *       defaults) fitted on the training embeddings, accuracy on the test embeddings;
 *   <li>{@link Metric#RANK_ME}: {@link RankMe} of the test embeddings;
 *   <li>{@link Metric#LIDAR}: {@link Lidar} with n surrogate classes, distinct test samples drawn
 *       with the seed, and q views of each made by {@link RandomShift}.
 * </ul>
 *
 * <pre>{@code
 * RepresentationEvaluator evaluator =
 *         RepresentationEvaluator.builder().optBatchSize(256).optSeed(0).build();
 * EncoderScores scores =
 *         evaluator.evaluate("student", trainer::encode, train, trainIndices, test, testIndices,
 *                 EnumSet.allOf(RepresentationEvaluator.Metric.class));
 * }</pre>
 *
 * <p>The same seed gives the same LiDAR classes and views for every encoder, so their figures are
 * comparable. Instances are immutable; the encoders they call need not be thread-safe because one
 * call runs on the calling thread.
 */
public final class RepresentationEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(RepresentationEvaluator.class);

    /** Default number of LiDAR surrogate classes n. */
    public static final int DEFAULT_LIDAR_CLASSES = 400;

    /** Default number of LiDAR views q per class. */
    public static final int DEFAULT_LIDAR_VIEWS = 4;

    /** A figure the evaluator can compute. */
    public enum Metric {
        /** kNN accuracy; needs labels. */
        KNN,
        /** Linear-probe accuracy; needs labels. */
        LINEAR_PROBE,
        /** RankMe of the test embeddings. */
        RANK_ME,
        /** LiDAR of shifted views of test samples. */
        LIDAR
    }

    private final int batchSize;
    private final int numThreads;
    private final int lidarClasses;
    private final int lidarViews;
    private final RandomShift shift;
    private final long seed;

    private RepresentationEvaluator(Builder builder) {
        this.batchSize = builder.batchSize;
        this.numThreads = builder.numThreads;
        this.lidarClasses = builder.lidarClasses;
        this.lidarViews = builder.lidarViews;
        this.shift = builder.shift;
        this.seed = builder.seed;
    }

    /** Returns a builder with the defaults listed on its setters. */
    public static Builder builder() {
        return new Builder();
    }

    /** Samples per call of the encoder. */
    public int getBatchSize() {
        return batchSize;
    }

    /** Threads of the kNN search. */
    public int getNumThreads() {
        return numThreads;
    }

    /** Requested LiDAR classes n; fewer are used when the test set is smaller. */
    public int getLidarClasses() {
        return lidarClasses;
    }

    /** LiDAR views q per class. */
    public int getLidarViews() {
        return lidarViews;
    }

    /** Returns the LiDAR view augmentation, or {@code null} when it follows the sample height. */
    public RandomShift getShift() {
        return shift;
    }

    /** Seed of the LiDAR classes and views. */
    public long getSeed() {
        return seed;
    }

    /** Returns the LiDAR view augmentation used for samples of {@code sampleShape}. */
    public RandomShift shiftFor(int[] sampleShape) {
        return shift != null ? shift : RandomShift.forHeight(sampleShape[sampleShape.length - 2]);
    }

    /** Returns the number of LiDAR classes used with a test set of {@code testSize} samples. */
    public int lidarClassesFor(int testSize) {
        return Math.min(lidarClasses, testSize);
    }

    /**
     * Evaluates one encoder.
     *
     * @param train reference set for kNN and the probe; may be {@code null} when neither is
     *     requested
     * @param trainIndices samples of {@code train} to embed
     * @param test query set for kNN, the probe and RankMe, and the source of the LiDAR classes
     * @param testIndices samples of {@code test} to embed
     * @param metrics what to compute; KNN and LINEAR_PROBE are skipped when a set has no labels
     * @throws IllegalArgumentException when a metric needs more samples than given (kNN: at least
     *     20 references; LiDAR: at least 2 classes)
     */
    public EncoderScores evaluate(
            String name,
            EmbeddingFunction encoder,
            SampleSet train,
            int[] trainIndices,
            SampleSet test,
            int[] testIndices,
            Set<Metric> metrics) {
        Set<Metric> wanted =
                metrics.isEmpty() ? EnumSet.noneOf(Metric.class) : EnumSet.copyOf(metrics);
        boolean labelled =
                train != null && train.hasLabels() && test.hasLabels() && trainIndices.length > 0;
        boolean needsLabels = wanted.contains(Metric.KNN) || wanted.contains(Metric.LINEAR_PROBE);
        if (needsLabels && !labelled) {
            LOG.warn("{}: no labels, so kNN and linear-probe accuracy are skipped", name);
            wanted.remove(Metric.KNN);
            wanted.remove(Metric.LINEAR_PROBE);
        }

        long embedStart = System.nanoTime();
        float[][] testEmbeddings = embed(encoder, test, testIndices);
        float[][] trainEmbeddings =
                needsLabels && labelled ? embed(encoder, train, trainIndices) : null;
        float[][][] views =
                wanted.contains(Metric.LIDAR) ? embedViews(encoder, test, testIndices) : null;
        double embedSeconds = (System.nanoTime() - embedStart) / 1e9;

        long metricStart = System.nanoTime();
        Double knn = null;
        Double probe = null;
        if (trainEmbeddings != null) {
            int[] trainLabels = train.labels(trainIndices);
            int[] testLabels = test.labels(testIndices);
            if (wanted.contains(Metric.KNN)) {
                knn = knnAccuracy(trainEmbeddings, trainLabels, testEmbeddings, testLabels);
            }
            if (wanted.contains(Metric.LINEAR_PROBE)) {
                probe = probeAccuracy(trainEmbeddings, trainLabels, testEmbeddings, testLabels);
            }
        }
        Double rankMe = wanted.contains(Metric.RANK_ME) ? RankMe.compute(testEmbeddings) : null;
        Double lidar = views != null ? Lidar.builder().build().compute(views) : null;
        double metricSeconds = (System.nanoTime() - metricStart) / 1e9;

        EncoderScores scores =
                new EncoderScores(
                        name,
                        testEmbeddings[0].length,
                        knn,
                        probe,
                        rankMe,
                        lidar,
                        embedSeconds,
                        metricSeconds);
        LOG.info(
                "Evaluated {} (d = {}): kNN {}, linear probe {}, RankMe {}, LiDAR {}; embedding"
                        + " took {} s, metrics {} s",
                name,
                scores.dimension(),
                knn,
                probe,
                rankMe,
                lidar,
                Math.round(embedSeconds * 10) / 10.0,
                Math.round(metricSeconds * 10) / 10.0);
        return scores;
    }

    /** Returns kNN accuracy with k = 20 and this evaluator's threads. */
    public double knnAccuracy(
            float[][] trainEmbeddings,
            int[] trainLabels,
            float[][] testEmbeddings,
            int[] testLabels) {
        KnnClassifier knn =
                KnnClassifier.builder()
                        .optK(KnnClassifier.DEFAULT_K)
                        .optNumThreads(numThreads)
                        .build();
        return knn.accuracy(trainEmbeddings, trainLabels, testEmbeddings, testLabels);
    }

    /** Fits a linear probe with its defaults on the training embeddings; returns test accuracy. */
    public double probeAccuracy(
            float[][] trainEmbeddings,
            int[] trainLabels,
            float[][] testEmbeddings,
            int[] testLabels) {
        int numClasses = Math.max(2, Math.max(max(trainLabels), max(testLabels)) + 1);
        LinearProbe probe =
                LinearProbe.builder()
                        .optSeed(seed)
                        .build()
                        .fit(trainEmbeddings, trainLabels, numClasses);
        return probe.accuracy(testEmbeddings, testLabels);
    }

    private static int max(int[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    /** Embeds the samples at {@code indices} in batches: [indices.length][d]. */
    public float[][] embed(EmbeddingFunction encoder, SampleSet samples, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("no samples to embed from " + samples.description());
        }
        float[][] embeddings = new float[indices.length][];
        for (int start = 0; start < indices.length; start += batchSize) {
            int[] batch =
                    Arrays.copyOfRange(indices, start, Math.min(indices.length, start + batchSize));
            float[][] rows = encoder.encode(samples.batch(batch), samples.batchShape(batch.length));
            System.arraycopy(rows, 0, embeddings, start, rows.length);
        }
        return embeddings;
    }

    /**
     * Embeds q shifted views of n distinct samples drawn from {@code indices} with the seed:
     * [n][q][d], the input of {@link Lidar#compute}.
     *
     * @throws IllegalArgumentException when fewer than 2 samples are given
     */
    public float[][][] embedViews(EmbeddingFunction encoder, SampleSet samples, int[] indices) {
        int classes = lidarClassesFor(indices.length);
        if (classes < 2) {
            throw new IllegalArgumentException(
                    "LiDAR needs at least 2 distinct samples, got "
                            + indices.length
                            + " from "
                            + samples.description());
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] chosen = chooseDistinct(indices, classes, random);
        int[] shape = samples.sampleShape();
        RandomShift augmentation = shiftFor(shape);
        int length = samples.sampleLength();
        float[] original = new float[length];

        // All views of all classes in one array [n·q, sample], class-major, embedded in batches.
        int total = classes * lidarViews;
        float[][] flat = new float[total][];
        int perBatch = Math.max(1, batchSize);
        float[] batch = new float[Math.multiplyExact(Math.min(perBatch, total), length)];
        int filled = 0;
        int done = 0;
        for (int i = 0; i < classes; i++) {
            samples.copySample(chosen[i], original, 0);
            for (int view = 0; view < lidarViews; view++) {
                augmentation.apply(original, shape, random, batch, filled * length);
                filled++;
                if (filled == perBatch || done + filled == total) {
                    float[] data =
                            filled * length == batch.length
                                    ? batch
                                    : Arrays.copyOf(batch, filled * length);
                    float[][] rows = encoder.encode(data, samples.batchShape(filled));
                    System.arraycopy(rows, 0, flat, done, filled);
                    done += filled;
                    filled = 0;
                }
            }
        }
        float[][][] views = new float[classes][lidarViews][];
        for (int i = 0; i < classes; i++) {
            for (int view = 0; view < lidarViews; view++) {
                views[i][view] = flat[i * lidarViews + view];
            }
        }
        return views;
    }

    /** Draws {@code count} distinct entries of {@code values} (partial Fisher-Yates shuffle). */
    private static int[] chooseDistinct(int[] values, int count, SplittableRandom random) {
        int[] pool = values.clone();
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(pool.length - i);
            int swap = pool[i];
            pool[i] = pool[j];
            pool[j] = swap;
        }
        return Arrays.copyOf(pool, count);
    }

    /** Builder for {@link RepresentationEvaluator}. Every setting is optional. */
    public static final class Builder {

        private int batchSize = 256;
        private int numThreads = 1;
        private int lidarClasses = DEFAULT_LIDAR_CLASSES;
        private int lidarViews = DEFAULT_LIDAR_VIEWS;
        private RandomShift shift;
        private long seed;

        private Builder() {}

        /** Sets the samples per encoder call, at least 1 (default 256). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Sets the threads of the kNN search, at least 1 (default 1). */
        public Builder optNumThreads(int numThreads) {
            this.numThreads = numThreads;
            return this;
        }

        /**
         * Sets the LiDAR surrogate classes n, at least 2 (default {@value
         * RepresentationEvaluator#DEFAULT_LIDAR_CLASSES}); capped at the test samples.
         */
        public Builder optLidarClasses(int lidarClasses) {
            this.lidarClasses = lidarClasses;
            return this;
        }

        /**
         * Sets the LiDAR views q per class, at least 2 (default {@value
         * RepresentationEvaluator#DEFAULT_LIDAR_VIEWS}).
         */
        public Builder optLidarViews(int lidarViews) {
            this.lidarViews = lidarViews;
            return this;
        }

        /** Sets the view augmentation (default: {@link RandomShift#forHeight} of the samples). */
        public Builder optShift(RandomShift shift) {
            this.shift = shift;
            return this;
        }

        /**
         * Sets the seed of the LiDAR classes and views and of the probe's shuffling (default 0).
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Validates the settings and builds the evaluator.
         *
         * @throws IllegalArgumentException naming the first invalid setting and its rule
         */
        public RepresentationEvaluator build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException(
                        "batchSize = " + batchSize + " is invalid: expected at least 1");
            }
            if (numThreads < 1) {
                throw new IllegalArgumentException(
                        "numThreads = " + numThreads + " is invalid: expected at least 1");
            }
            if (lidarClasses < 2) {
                throw new IllegalArgumentException(
                        "lidarClasses = " + lidarClasses + " is invalid: expected at least 2");
            }
            if (lidarViews < 2) {
                throw new IllegalArgumentException(
                        "lidarViews = " + lidarViews + " is invalid: expected at least 2");
            }
            return new RepresentationEvaluator(this);
        }
    }
}
