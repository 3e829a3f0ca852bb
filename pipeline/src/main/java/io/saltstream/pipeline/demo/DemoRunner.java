package io.saltstream.pipeline.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.saltstream.models.checkpoint.EncoderSnapshot;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.operators.train.SaltTrainerSettings;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.ModelOptions;
import io.saltstream.pipeline.config.OptimizationOptions;
import io.saltstream.pipeline.config.SaltstreamOptions;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.config.TrainOptions;
import io.saltstream.pipeline.fit.DataFiles;
import io.saltstream.pipeline.fit.EmbeddingFunction;
import io.saltstream.pipeline.fit.EncoderScores;
import io.saltstream.pipeline.fit.IdxImageSet;
import io.saltstream.pipeline.fit.RandomInitEncoder;
import io.saltstream.pipeline.fit.RepresentationEvaluator;
import io.saltstream.pipeline.job.CommittedRecords;
import io.saltstream.pipeline.job.JobEnvironment;
import io.saltstream.pipeline.job.JobSettings;
import io.saltstream.pipeline.job.JobTopics;
import io.saltstream.pipeline.job.TrainJob;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.metrics.PrometheusReporterSettings;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.TrainingMetrics;
import io.saltstream.schemas.codec.AvroCodecs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.commons.io.file.PathUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the whole product in one process: an embedded Kafka broker, the ingest of real images or
 * videos, the train job on a local Flink MiniCluster, and a report built from the output topics.
 *
 * <pre>{@code
 * DemoReport report =
 *         DemoRunner.builder().setConfig(userConfig).optLimit(2000).optMaxSteps(20).build().run();
 * System.out.println(report.toTable());
 * }</pre>
 *
 * <p>Steps: check the data (run {@code bin/fetch-data} when it is missing and the project folder is
 * known), start the broker and create the topics, publish the frames, run the train job with a
 * bounded source and policy {@code all} until it finishes by itself (every ingested clip trained on
 * or embedded, a final snapshot written, the sinks committed), then read every output topic with
 * read_committed. With labelled images, the final student snapshot, a randomly initialised encoder
 * and the raw pixels are compared by kNN accuracy on the Fashion-MNIST test split.
 *
 * <p>The job ends by itself because its source is bounded. A time budget ({@link
 * Builder#optMinutes}) stops it earlier with stop-with-savepoint, which commits what the sinks
 * wrote so far.
 */
public final class DemoRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DemoRunner.class);

    /** Fashion-MNIST training images the image demo ingests by default. */
    public static final int DEFAULT_IMAGE_LIMIT = 60_000;

    /** Training batch size of the image demo, unless set. */
    public static final int DEFAULT_IMAGE_BATCH_SIZE = 64;

    /** Training batch size of the video demo, unless set. */
    public static final int DEFAULT_VIDEO_BATCH_SIZE = 8;

    /** Fraction of the steps spent in Stage 1: small, briefly trained teachers suffice for SALT. */
    public static final double TEACHER_FRACTION = 0.3;

    /**
     * Default number of test images whose kNN accuracy is measured; as many training images serve
     * as references.
     */
    public static final int DEFAULT_EVALUATION_IMAGES = 10_000;

    /** Videos of the video demo, under the OpenCV sample folder. */
    public static final List<String> VIDEOS = List.of("vtest.avi", "Megamind.avi");

    /** Job name of the demo's train job. */
    public static final String JOB_NAME = "saltstream-demo";

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final Configuration userConfig;
    private final boolean video;
    private final Long maxSteps;
    private final Integer limit;
    private final Double minutes;
    private final Path dataDir;
    private final Path home;
    private final PrintWriter out;
    private final boolean webUi;
    private final Integer prometheusPort;
    private final int evaluationImages;

    private DemoRunner(Builder builder) {
        this.userConfig = builder.config;
        this.video = builder.video;
        this.maxSteps = builder.maxSteps;
        this.limit = builder.limit;
        this.minutes = builder.minutes;
        this.dataDir = builder.dataDir;
        this.home = builder.home;
        this.out = builder.out;
        this.webUi = builder.webUi;
        this.prometheusPort = builder.prometheusPort;
        this.evaluationImages = builder.evaluationImages;
    }

    /** Returns a builder; {@link Builder#setConfig} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the demo and returns its report.
     *
     * @throws IllegalStateException when the data is missing and cannot be fetched
     * @throws Exception when the broker, the ingest, the job or the evaluation fails
     */
    public DemoReport run() throws Exception {
        long demoStart = System.nanoTime();
        DemoData data = video ? DemoData.videos(dataDir, limit) : DemoData.images(dataDir, limit);
        data.ensureFiles(home, out);

        Path workDir = Files.createTempDirectory("saltstream-demo-");
        try (EmbeddedKafka kafka =
                EmbeddedKafka.builder().optLogDir(workDir.resolve("kafka")).build()) {
            kafka.createTopics(JobTopics.definitions(userConfig, 1));
            out.printf(
                    Locale.ROOT,
                    "Kafka broker at %s; topics %s%n",
                    kafka.bootstrapServers(),
                    kafka.listTopics());
            out.flush();

            long ingestStart = System.nanoTime();
            DemoData.Ingested ingested =
                    data.publish(
                            kafka.bootstrapServers(), userConfig.get(TopicOptions.FRAMES), out);
            double ingestSeconds = seconds(ingestStart);
            out.printf(
                    Locale.ROOT,
                    "Ingested %d frames (%d clips) in %.1f s; starting the train job%n",
                    ingested.frames(),
                    ingested.clips(),
                    ingestSeconds);
            out.flush();
            Configuration config =
                    demoConfig(kafka.bootstrapServers(), workDir, data.preset(), ingested.clips());

            long jobStart = System.nanoTime();
            boolean stoppedEarly = runJob(config, workDir);
            double jobSeconds = seconds(jobStart);

            Outputs outputs = readOutputs(kafka.bootstrapServers(), config);
            long evaluationStart = System.nanoTime();
            List<EncoderScores> evaluation =
                    data.labelled() ? evaluate(config, outputs.finalSnapshot) : List.of();
            double evaluationSeconds = data.labelled() ? seconds(evaluationStart) : 0;

            return new DemoReport(
                    ingested.description(),
                    config.get(ModelOptions.PRESET),
                    ingested.frames(),
                    ingested.clips(),
                    ingestSeconds,
                    jobSeconds,
                    evaluationSeconds,
                    seconds(demoStart),
                    stoppedEarly,
                    outputs.stages,
                    outputs.lastRankMe,
                    outputs.lastLidar,
                    outputs.embeddings,
                    outputs.distinctEmbeddingIds,
                    outputs.deadLetters,
                    outputs.snapshots,
                    outputs.finalSnapshot == null ? null : outputs.finalSnapshot.getVersion(),
                    evaluation);
        } finally {
            PathUtils.deleteDirectory(workDir);
        }
    }

    /**
     * Returns the job configuration: the user's settings, plus the demo's value of every key the
     * user did not set. The demo sets the broker, a checkpoint folder under the work folder, the
     * preset, a batch size, and a step budget that fits the ingested clips.
     */
    Configuration demoConfig(
            String bootstrapServers, Path workDir, String preset, long expectedClips) {
        Configuration config = new Configuration();
        config.addAll(userConfig);
        config.setString("kafka.bootstrap-servers", bootstrapServers);
        setDefault(config, JobOptions.NAME.key(), JOB_NAME);
        setDefault(config, "checkpoint.dir", workDir.resolve("checkpoints").toString());
        setDefault(config, "checkpoint.interval", "5 s");
        setDefault(config, TrainOptions.POLICY.key(), "all");
        setDefault(config, ModelOptions.PRESET.key(), preset);
        if (video) {
            setDefault(config, "data.clip-length", Integer.toString(DemoData.VIDEO_CLIP_LENGTH));
        }
        setDefault(
                config,
                "optimization.batch-size",
                Integer.toString(video ? DEFAULT_VIDEO_BATCH_SIZE : DEFAULT_IMAGE_BATCH_SIZE));
        int batchSize = config.get(OptimizationOptions.BATCH_SIZE);

        // Every holdout-every-th clip feeds the quality metrics instead of training.
        long trainedClips =
                expectedClips - expectedClips / SaltTrainerSettings.DEFAULT_HOLDOUT_EVERY;
        long availableSteps = Math.max(2, trainedClips / batchSize);
        long steps = maxSteps != null ? maxSteps : availableSteps;
        if (steps > availableSteps) {
            LOG.warn(
                    "--max-steps {} needs about {} clips but the demo ingests {}, enough for {}"
                            + " steps of batch {}; raise --limit to train longer",
                    steps,
                    steps * batchSize,
                    expectedClips,
                    availableSteps,
                    batchSize);
        }
        long teacherSteps = Math.max(1, Math.round(steps * TEACHER_FRACTION));
        setDefault(config, "optimization.total-steps", Long.toString(steps));
        setDefault(
                config,
                "optimization.teacher-steps",
                Long.toString(Math.min(teacherSteps, steps - 1)));
        setDefault(
                config,
                "optimization.warmup-steps",
                Long.toString(Math.max(1, Math.min(teacherSteps, steps - teacherSteps) / 5)));
        setDefault(config, "train.snapshot-interval", Long.toString(Math.max(5, steps / 10)));
        setDefault(config, "train.metrics-interval", Long.toString(Math.max(1, steps / 40)));
        setDefault(config, "train.quality-interval", Long.toString(Math.max(5, steps / 4)));
        SaltstreamOptions.validate(config);
        return config;
    }

    private static void setDefault(Configuration config, String key, String value) {
        if (!config.containsKey(key)) {
            config.setString(key, value);
        }
    }

    /** Runs the bounded train job; returns whether the time budget stopped it. */
    private boolean runJob(Configuration config, Path workDir) throws Exception {
        JobEnvironment.Builder environmentBuilder =
                JobEnvironment.builder().setConfig(config).optWebUi(webUi);
        if (prometheusPort != null) {
            environmentBuilder.optFlinkSettings(PrometheusReporterSettings.forPort(prometheusPort));
            out.println(
                    "Prometheus metrics (while the job runs): "
                            + PrometheusReporterSettings.metricsUrl("localhost", prometheusPort));
        }
        JobEnvironment environment = environmentBuilder.build();
        StreamExecutionEnvironment env = environment.create();
        TrainJob.builder().setConfig(config).optBoundedSource(true).build().addTo(env);
        JobClient client = env.executeAsync(config.get(JobOptions.NAME));
        environment
                .webUiAddress()
                .ifPresent(url -> out.println("Flink web UI (while the job runs): " + url));
        out.println(
                "Training; the trainer logs its progress every "
                        + config.get(TrainOptions.METRICS_INTERVAL)
                        + " steps");
        out.flush();
        if (minutes == null) {
            client.getJobExecutionResult().get();
            return false;
        }
        long budgetMillis = Math.round(minutes * 60_000);
        try {
            client.getJobExecutionResult().get(budgetMillis, TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException e) {
            Path savepoints = workDir.resolve("savepoints");
            out.printf(
                    Locale.ROOT,
                    "Time budget of %.1f min reached: stopping the job with a savepoint, which"
                            + " commits its outputs%n",
                    minutes);
            out.flush();
            String savepoint =
                    client.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(5, TimeUnit.MINUTES);
            LOG.info("Stopped the demo job with savepoint {}", savepoint);
            client.getJobExecutionResult().get(5, TimeUnit.MINUTES);
            return true;
        }
    }

    /** Counts and summaries of the committed output records. */
    static final class Outputs {
        List<DemoReport.StageSummary> stages = new ArrayList<>();
        Double lastRankMe;
        Double lastLidar;
        long embeddings;
        long distinctEmbeddingIds;
        long deadLetters;
        long snapshots;
        ModelSnapshot finalSnapshot;
    }

    /** Reads every output topic with read_committed. */
    static Outputs readOutputs(String bootstrapServers, Configuration config) {
        Outputs outputs = new Outputs();
        Set<String> ids = new HashSet<>();
        AtomicLong embeddingCount = new AtomicLong();
        CommittedRecords.forEach(
                bootstrapServers,
                config.get(TopicOptions.EMBEDDINGS),
                READ_TIMEOUT,
                record -> {
                    Embedding embedding = AvroCodecs.EMBEDDING.decode(record.value());
                    ids.add(embedding.getId());
                    embeddingCount.incrementAndGet();
                });
        outputs.embeddings = embeddingCount.get();
        outputs.distinctEmbeddingIds = ids.size();

        List<TrainingMetrics> metrics =
                CommittedRecords.readAll(
                        bootstrapServers,
                        config.get(TopicOptions.TRAINING_METRICS),
                        AvroCodecs.TRAINING_METRICS,
                        READ_TIMEOUT);
        outputs.stages = stageSummaries(metrics);
        for (TrainingMetrics record : metrics) {
            if (record.getRankMe() != null) {
                outputs.lastRankMe = record.getRankMe();
            }
            if (record.getLidar() != null) {
                outputs.lastLidar = record.getLidar();
            }
        }

        outputs.deadLetters =
                CommittedRecords.forEach(
                        bootstrapServers,
                        config.get(TopicOptions.DEAD_LETTERS),
                        READ_TIMEOUT,
                        r -> {});
        List<ModelSnapshot> snapshots = new ArrayList<>();
        CommittedRecords.forEach(
                bootstrapServers,
                config.get(TopicOptions.MODELS),
                READ_TIMEOUT,
                record -> {
                    ModelSnapshot snapshot = AvroCodecs.MODEL_SNAPSHOT.decode(record.value());
                    snapshots.add(snapshot);
                });
        outputs.snapshots = snapshots.size();
        outputs.finalSnapshot =
                snapshots.stream()
                        .max((a, b) -> Long.compare(a.getStep(), b.getStep()))
                        .orElse(null);
        return outputs;
    }

    /** Summarises the metrics records of each stage, in the order the stages ran. */
    static List<DemoReport.StageSummary> stageSummaries(List<TrainingMetrics> metrics) {
        List<DemoReport.StageSummary> stages = new ArrayList<>();
        long stageStartStep = 0;
        int first = 0;
        for (int i = 1; i <= metrics.size(); i++) {
            boolean stageEnds =
                    i == metrics.size()
                            || metrics.get(i).getPhase() != metrics.get(first).getPhase();
            if (!stageEnds) {
                continue;
            }
            TrainingMetrics start = metrics.get(first);
            TrainingMetrics last = metrics.get(i - 1);
            double meanThroughput =
                    metrics.subList(first, i).stream()
                            .mapToDouble(TrainingMetrics::getSamplesPerSecond)
                            .average()
                            .orElse(0);
            stages.add(
                    new DemoReport.StageSummary(
                            start.getPhase().name(),
                            last.getStep() - stageStartStep,
                            last.getStep(),
                            start.getLoss(),
                            last.getLoss(),
                            meanThroughput));
            stageStartStep = last.getStep();
            first = i;
        }
        return stages;
    }

    /**
     * Compares the final student, a randomly initialised encoder of the same architecture (the
     * student before its first step) and the raw pixels by kNN accuracy on the test split.
     */
    private List<EncoderScores> evaluate(Configuration config, ModelSnapshot finalSnapshot)
            throws IOException {
        if (finalSnapshot == null) {
            LOG.warn("No model snapshot was committed, so there is no student to evaluate");
            return List.of();
        }
        DataFiles.FashionMnistFiles files = DataFiles.fashionMnist(dataDir);
        IdxImageSet train =
                IdxImageSet.read(files.trainImages(), files.trainLabels(), evaluationImages);
        IdxImageSet test =
                IdxImageSet.read(files.testImages(), files.testLabels(), evaluationImages);
        int[] trainIndices = IntStream.range(0, train.size()).toArray();
        int[] testIndices = IntStream.range(0, test.size()).toArray();
        out.printf(
                Locale.ROOT,
                "Evaluating kNN accuracy (k = 20) on %d test images with %d training images as"
                        + " references: final student %s, random initialisation, raw pixels%n",
                test.size(),
                train.size(),
                finalSnapshot.getVersion());
        out.flush();

        RepresentationEvaluator evaluator = RepresentationEvaluator.builder().build();
        EnumSet<RepresentationEvaluator.Metric> metrics =
                EnumSet.of(
                        RepresentationEvaluator.Metric.KNN, RepresentationEvaluator.Metric.RANK_ME);
        List<EncoderScores> scores = new ArrayList<>();
        SaltModelConfig model = JobSettings.modelConfig(config);
        byte[] parameters = ModelSnapshots.readParameters(finalSnapshot);
        try (EncoderSnapshot student = EncoderSnapshot.load(parameters, Device.cpu())) {
            EmbeddingFunction encode =
                    (data, shape) -> {
                        try (NDManager batch = student.getManager().newSubManager()) {
                            long[] dimensions = IntStream.of(shape).asLongStream().toArray();
                            return student.encode(batch.create(data, new Shape(dimensions)));
                        }
                    };
            scores.add(
                    evaluator.evaluate(
                            "student (step " + finalSnapshot.getStep() + ")",
                            encode,
                            train,
                            trainIndices,
                            test,
                            testIndices,
                            metrics));
        }
        // The trainer seeds the Stage-2 student with the init seed plus one.
        long seed = config.get(TrainOptions.SEED) + 1;
        try (RandomInitEncoder random =
                new RandomInitEncoder(model.getEncoder(), seed, Device.cpu())) {
            scores.add(
                    evaluator.evaluate(
                            "random init",
                            random,
                            train,
                            trainIndices,
                            test,
                            testIndices,
                            metrics));
        }
        scores.add(
                evaluator.evaluate(
                        "raw pixels",
                        EmbeddingFunction.RAW_PIXELS,
                        train,
                        trainIndices,
                        test,
                        testIndices,
                        metrics));
        return scores;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Builder of {@link DemoRunner}. */
    public static final class Builder {

        private Configuration config;
        private boolean video;
        private Long maxSteps;
        private Integer limit;
        private Double minutes;
        private Path dataDir = DataFiles.defaultDataDirectory();
        private Path home;
        private PrintWriter out = new PrintWriter(System.out, true);
        private boolean webUi = true;
        private Integer prometheusPort;
        private int evaluationImages = DEFAULT_EVALUATION_IMAGES;

        private Builder() {
            String homeProperty = System.getProperty(DataFiles.HOME_PROPERTY);
            this.home = homeProperty == null ? null : Path.of(homeProperty);
        }

        /** Sets the user's saltstream settings; the demo fills in every key they leave unset. */
        public Builder setConfig(Configuration config) {
            this.config = config;
            return this;
        }

        /** Sets whether the demo ingests the sample videos instead of Fashion-MNIST. */
        public Builder optVideo(boolean video) {
            this.video = video;
            return this;
        }

        /** Sets the training steps of both stages; default: as many as the ingested clips give. */
        public Builder optMaxSteps(Long maxSteps) {
            this.maxSteps = maxSteps;
            return this;
        }

        /**
         * Sets the images to ingest (default {@value DemoRunner#DEFAULT_IMAGE_LIMIT}), or with
         * videos the frames per video (default: all).
         */
        public Builder optLimit(Integer limit) {
            this.limit = limit;
            return this;
        }

        /** Sets a time budget of the train job in minutes; default: none. */
        public Builder optMinutes(Double minutes) {
            this.minutes = minutes;
            return this;
        }

        /** Sets the data folder; default {@link DataFiles#defaultDataDirectory()}. */
        public Builder optDataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Sets the project folder, whose {@code bin/fetch-data} fetches missing data. */
        public Builder optHome(Path home) {
            this.home = home;
            return this;
        }

        /** Sets where progress lines go; default standard output. */
        public Builder optOut(PrintWriter out) {
            this.out = out;
            return this;
        }

        /** Sets whether the local MiniCluster serves the web UI. Default true. */
        public Builder optWebUi(boolean webUi) {
            this.webUi = webUi;
            return this;
        }

        /**
         * Sets the loopback port where Flink's Prometheus reporter serves the job's metrics, or
         * null (the default) for none.
         */
        public Builder optPrometheusPort(Integer prometheusPort) {
            this.prometheusPort = prometheusPort;
            return this;
        }

        /**
         * Sets how many test images the kNN evaluation measures, with as many training images as
         * references. Default {@value DemoRunner#DEFAULT_EVALUATION_IMAGES}.
         */
        public Builder optEvaluationImages(int evaluationImages) {
            this.evaluationImages = evaluationImages;
            return this;
        }

        /**
         * Checks the settings and builds the runner.
         *
         * @throws IllegalArgumentException naming the setting and its rule
         */
        public DemoRunner build() {
            if (config == null) {
                throw new IllegalArgumentException("the saltstream configuration must be set");
            }
            if (maxSteps != null && maxSteps < 2) {
                throw new IllegalArgumentException(
                        "--max-steps is " + maxSteps + " but must be at least 2, one per stage");
            }
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException(
                        "--limit is " + limit + " but must be at least 1");
            }
            if (evaluationImages < 20 || evaluationImages > 10_000) {
                throw new IllegalArgumentException(
                        "--eval-images is "
                                + evaluationImages
                                + " but must be from 20 (k of the kNN) to 10000 (the test split)");
            }
            if (minutes != null && !(minutes > 0)) {
                throw new IllegalArgumentException(
                        "--minutes is " + minutes + " but must be above 0");
            }
            if (prometheusPort != null) {
                // Fails early, naming the port, instead of when the job starts.
                PrometheusReporterSettings.forPort(prometheusPort);
            }
            return new DemoRunner(this);
        }
    }
}
