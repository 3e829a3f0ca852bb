package io.saltstream.pipeline.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.saltstream.models.quality.KnnClassifier;
import io.saltstream.models.train.SaltTrainer;
import io.saltstream.models.train.SaltTrainerConfig;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformerConfig;
import io.saltstream.models.vit.VisionTransformerPresets;
import io.saltstream.pipeline.fit.BatchSampler;
import io.saltstream.pipeline.fit.DataFiles;
import io.saltstream.pipeline.fit.EmbeddingFunction;
import io.saltstream.pipeline.fit.EncoderScores;
import io.saltstream.pipeline.fit.FitReport;
import io.saltstream.pipeline.fit.IdxImageSet;
import io.saltstream.pipeline.fit.MachineInfo;
import io.saltstream.pipeline.fit.RandomInitEncoder;
import io.saltstream.pipeline.fit.RepresentationEvaluator;
import io.saltstream.pipeline.fit.RepresentationEvaluator.Metric;
import io.saltstream.pipeline.fit.SampleSet;
import io.saltstream.pipeline.fit.TrainingLoop;
import io.saltstream.pipeline.fit.TrainingSummary;
import io.saltstream.pipeline.fit.VideoClipSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code saltstream fit}: trains SALT on a dataset in a plain loop, without Flink or Kafka, then
 * evaluates the student against an untrained encoder of the same architecture and, for labelled
 * images, against raw pixels. It is also the baseline that the Flink pipeline's training throughput
 * is compared with.
 *
 * <p>Stage 1 runs {@code --teacher-steps} steps (default a quarter of {@code --steps}), Stage 2 the
 * rest. The SALT paper (Li et al., "Rethinking JEPA: Compute-Efficient Video SSL with Frozen
 * Teachers", 2025) reports that small, briefly trained teachers already give strong students, so
 * the default spends three quarters of the steps on the student.
 */
@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train SALT on Fashion-MNIST or on video clips in a plain loop (no Flink, no Kafka),"
                    + " then evaluate the student.",
            "Evaluation: kNN (k = 20) and linear-probe accuracy of the student, of the same"
                    + " encoder at random initialisation and of raw pixels (labelled images"
                    + " only), RankMe of the test embeddings and LiDAR of randomly shifted views."
        })
public final class FitCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(FitCommand.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Fashion-MNIST has 60 000 training images; all are used for training. */
    private static final int FASHION_MNIST_TRAIN_IMAGES = 60_000;

    /** Samples per encoder call during evaluation. */
    private static final int IMAGE_EVAL_BATCH = 256;

    private static final int CLIP_EVAL_BATCH = 8;

    /** The data to train on. */
    enum Dataset {
        FASHION_MNIST("fashion-mnist", VisionTransformerPresets.IMAGE_28, 64),
        VIDEO("video", VisionTransformerPresets.VIDEO_64, 8);

        final String optionValue;
        final String defaultPreset;
        final int defaultBatchSize;

        Dataset(String optionValue, String defaultPreset, int defaultBatchSize) {
            this.optionValue = optionValue;
            this.defaultPreset = defaultPreset;
            this.defaultBatchSize = defaultBatchSize;
        }

        @Override
        public String toString() {
            return optionValue;
        }
    }

    /** The device that runs the model. */
    enum DeviceOption {
        CPU,
        GPU;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Accepts the dataset names as written in the help, such as {@code fashion-mnist}. */
    static final class DatasetConverter implements CommandLine.ITypeConverter<Dataset> {
        @Override
        public Dataset convert(String value) {
            for (Dataset dataset : Dataset.values()) {
                if (dataset.optionValue.equalsIgnoreCase(value.strip())) {
                    return dataset;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "expected fashion-mnist or video, got '" + value + "'");
        }
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--dataset",
            required = true,
            paramLabel = "fashion-mnist|video",
            converter = DatasetConverter.class,
            description =
                    "fashion-mnist: the 60 000 labelled 28x28 training images, evaluated on the"
                            + " test images. video: clips of the sample videos (or --video files).")
    Dataset dataset;

    @Option(
            names = "--preset",
            paramLabel = "NAME",
            description =
                    "Model preset (default: image-28 for fashion-mnist, video-64 for video). Run"
                            + " with an unknown name to list them.")
    String preset;

    @Option(
            names = "--steps",
            required = true,
            paramLabel = "N",
            description = "Training steps of both stages together, at least 2.")
    long steps;

    @Option(
            names = "--teacher-steps",
            paramLabel = "N",
            description =
                    "Stage-1 (teacher) steps, from 1 to steps - 1 (default: steps / 4; small,"
                            + " briefly trained teachers suffice, so compute goes to the"
                            + " student).")
    Long teacherSteps;

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            description = "Samples per step (default: 64 for fashion-mnist, 8 for video).")
    Integer batchSize;

    @Option(
            names = "--threads",
            paramLabel = "T",
            description =
                    "PyTorch intra-op threads and kNN search threads (default: the available"
                            + " processors). Use fewer when other processes keep the cores busy:"
                            + " PyTorch's waiting threads spin and slow down sharply.")
    Integer threads;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|gpu",
            description = "Device of training and encoding (default: ${DEFAULT-VALUE}).")
    DeviceOption device;

    @Option(
            names = "--report",
            paramLabel = "FILE.json",
            description = "Write the full report as pretty-printed JSON to this file.")
    Path report;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "Folder that bin/fetch-data filled (default: system property"
                            + " saltstream.data.dir, else <project>/data).")
    Path dataDir;

    @Option(
            names = "--video",
            paramLabel = "FILE",
            arity = "1..*",
            description =
                    "Video files for --dataset video, in place of the default vtest.avi of the"
                            + " OpenCV samples; gzip-compressed files are accepted.")
    List<Path> videos;

    @Option(
            names = "--seed",
            defaultValue = "0",
            paramLabel = "S",
            description =
                    "Seed of the initialisation, masks, batches and evaluation subsets (default:"
                            + " ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--eval-train",
            paramLabel = "N",
            description =
                    "Training images embedded as kNN references and probe training set, drawn at"
                            + " random (default: 10000; fashion-mnist only).")
    Integer evalTrain;

    @Option(
            names = "--eval-test",
            paramLabel = "N",
            defaultValue = "10000",
            description =
                    "Test samples to evaluate on: the first N test images, or N clips drawn at"
                            + " random from the clips that start at every frame (default:"
                            + " ${DEFAULT-VALUE}).")
    int evalTest;

    @Option(
            names = "--log-every",
            paramLabel = "N",
            description = "Steps between progress lines (default: steps / 20, at least 1).")
    Integer logEvery;

    @Option(
            names = "--learning-rate",
            paramLabel = "LR",
            defaultValue = "1e-3",
            description = "Peak learning rate of each stage (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--warmup-steps",
            paramLabel = "N",
            description =
                    "Linear warm-up steps at the start of each stage (default: a tenth of the"
                            + " shorter stage).")
    Long warmupSteps;

    @Option(
            names = "--lidar-classes",
            paramLabel = "N",
            defaultValue = "" + RepresentationEvaluator.DEFAULT_LIDAR_CLASSES,
            description =
                    "LiDAR surrogate classes: distinct test samples (default: ${DEFAULT-VALUE},"
                            + " capped at the test samples).")
    int lidarClasses;

    @Option(
            names = "--lidar-views",
            paramLabel = "Q",
            defaultValue = "" + RepresentationEvaluator.DEFAULT_LIDAR_VIEWS,
            description =
                    "LiDAR views per class, each a random shift of the sample (default:"
                            + " ${DEFAULT-VALUE}).")
    int lidarViews;

    /** Settings resolved from the options and their defaults by {@link #validate}. */
    private SaltModelConfig modelConfig;

    private long resolvedTeacherSteps;
    private int resolvedBatchSize;
    private int resolvedThreads;
    private int resolvedEvalTrain;
    private int resolvedLogEvery;
    private long resolvedWarmupSteps;
    private Path resolvedDataDir;

    @Override
    public Integer call() {
        validate();
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        try {
            return fit(started, startedAt);
        } catch (IOException
                | UncheckedIOException
                | IllegalArgumentException
                | IllegalStateException e) {
            // The message names the file, value or state; the stack trace is for debugging only.
            LOG.debug("saltstream fit failed", e);
            return fail(e.getMessage());
        }
    }

    private int fit(long started, Instant startedAt) throws IOException {
        Device target = device == DeviceOption.GPU ? Device.gpu() : Device.cpu();
        int actualThreads = MachineInfo.setIntraOpThreads(resolvedThreads);
        MachineInfo machine = MachineInfo.describe(target);
        VisionTransformerConfig encoder = modelConfig.getEncoder();
        long studentSteps = steps - resolvedTeacherSteps;
        LOG.info(
                "saltstream fit: engine {} {} (DJL {}), device {}, {} intra-op threads ({}"
                        + " requested), {} processors, Java {}",
                machine.engine(),
                machine.engineVersion(),
                machine.djlVersion(),
                target,
                actualThreads,
                resolvedThreads,
                machine.availableProcessors(),
                machine.javaVersion());
        LOG.info(
                "Model {}: encoder {} parameters (D {}, depth {}, {} tokens), predictor {},"
                        + " pixel decoder {}; {} steps = {} teacher + {} student, batch size {},"
                        + " peak learning rate {}, warm-up {} steps per stage, seed {}",
                modelConfig.getPresetName(),
                encoder.encoderParameterCount(),
                encoder.getEmbedDim(),
                encoder.getDepth(),
                encoder.getNumPatches(),
                modelConfig.predictorParameterCount(),
                modelConfig.decoderParameterCount(),
                steps,
                resolvedTeacherSteps,
                studentSteps,
                resolvedBatchSize,
                learningRate,
                resolvedWarmupSteps,
                seed);

        FitData data = dataset == Dataset.FASHION_MNIST ? loadFashionMnist() : loadVideo(encoder);
        LOG.info("Training on {}", data.training.description());

        SaltTrainerConfig config =
                SaltTrainerConfig.builder()
                        .setModelConfig(modelConfig)
                        .setBatchSize(resolvedBatchSize)
                        .setTeacherSteps(resolvedTeacherSteps)
                        .setTotalSteps(steps)
                        .optPeakLearningRate(learningRate)
                        .optWarmupSteps(resolvedWarmupSteps)
                        .optMaskSeed(seed)
                        .optInitSeed(seed)
                        .build();
        RepresentationEvaluator evaluator =
                RepresentationEvaluator.builder()
                        .optBatchSize(dataset == Dataset.VIDEO ? CLIP_EVAL_BATCH : IMAGE_EVAL_BATCH)
                        .optNumThreads(resolvedThreads)
                        .optLidarClasses(lidarClasses)
                        .optLidarViews(lidarViews)
                        .optSeed(seed)
                        .build();
        // Video clips have no labels: only the label-free RankMe and LiDAR apply.
        EnumSet<Metric> metrics =
                data.evaluationTrain != null
                        ? EnumSet.allOf(Metric.class)
                        : EnumSet.of(Metric.RANK_ME, Metric.LIDAR);

        TrainingSummary summary;
        List<EncoderScores> scores = new ArrayList<>();
        long evaluationStart;
        double evaluationSeconds;
        try (SaltTrainer trainer =
                SaltTrainer.builder().setConfig(config).optDevice(target).build()) {
            summary =
                    TrainingLoop.builder()
                            .setTrainer(trainer)
                            .setSampler(new BatchSampler(data.training, resolvedBatchSize, seed))
                            .optLogEvery(resolvedLogEvery)
                            .build()
                            .run();
            LOG.info(
                    "Training done: {} steps in {} s ({} samples/s); evaluating on {}",
                    summary.totalSteps(),
                    round(summary.wallSeconds()),
                    round(summary.samplesPerSecond()),
                    data.evaluationTest.description());
            evaluationStart = System.nanoTime();
            scores.add(evaluate(evaluator, "student", trainer::encode, data, metrics));
        }
        // Stage 2 initialises the student with initSeed + 1: the same weights, never trained.
        try (RandomInitEncoder random = new RandomInitEncoder(encoder, seed + 1, target)) {
            scores.add(evaluate(evaluator, "random-init", random, data, metrics));
        }
        if (data.evaluationTrain != null) {
            scores.add(
                    evaluate(
                            evaluator,
                            "raw-pixels",
                            EmbeddingFunction.RAW_PIXELS,
                            data,
                            EnumSet.of(Metric.KNN, Metric.LINEAR_PROBE)));
        }
        evaluationSeconds = (System.nanoTime() - evaluationStart) / 1e9;

        FitReport fitReport =
                buildReport(
                        startedAt,
                        (System.nanoTime() - started) / 1e9,
                        machine,
                        data,
                        config,
                        summary,
                        evaluator,
                        evaluationSeconds,
                        scores);
        if (report != null) {
            fitReport.write(report);
            LOG.info("Wrote the report to {}", report.toAbsolutePath());
        }
        spec.commandLine().getOut().print(fitReport.formatSummary());
        spec.commandLine().getOut().flush();
        warnIfStudentNotBetter(scores);
        return 0;
    }

    private EncoderScores evaluate(
            RepresentationEvaluator evaluator,
            String name,
            EmbeddingFunction encoder,
            FitData data,
            EnumSet<Metric> metrics) {
        return evaluator.evaluate(
                name,
                encoder,
                data.evaluationTrain,
                data.trainIndices,
                data.evaluationTest,
                data.testIndices,
                metrics);
    }

    private static void warnIfStudentNotBetter(List<EncoderScores> scores) {
        EncoderScores student = scores.get(0);
        EncoderScores random = scores.get(1);
        if (student.knnAccuracy() != null
                && random.knnAccuracy() != null
                && student.knnAccuracy() <= random.knnAccuracy()) {
            LOG.warn(
                    "the student's kNN accuracy {} does not beat the untrained encoder's {}: train"
                            + " longer, or check the learning rate and the teacher steps",
                    student.knnAccuracy(),
                    random.knnAccuracy());
        }
    }

    /** Training set, evaluation sets and the indices of the evaluated samples. */
    private static final class FitData {
        final List<Path> files;
        final SampleSet training;
        final SampleSet evaluationTrain;
        final int[] trainIndices;
        final SampleSet evaluationTest;
        final int[] testIndices;
        final String normalization;

        FitData(
                List<Path> files,
                SampleSet training,
                SampleSet evaluationTrain,
                int[] trainIndices,
                SampleSet evaluationTest,
                int[] testIndices,
                String normalization) {
            this.files = files;
            this.training = training;
            this.evaluationTrain = evaluationTrain;
            this.trainIndices = trainIndices;
            this.evaluationTest = evaluationTest;
            this.testIndices = testIndices;
            this.normalization = normalization;
        }
    }

    private FitData loadFashionMnist() throws IOException {
        DataFiles.FashionMnistFiles files = DataFiles.fashionMnist(resolvedDataDir);
        files.requireAll();
        long started = System.nanoTime();
        IdxImageSet train =
                IdxImageSet.read(
                        files.trainImages(), files.trainLabels(), FASHION_MNIST_TRAIN_IMAGES);
        IdxImageSet test = IdxImageSet.read(files.testImages(), files.testLabels(), evalTest);
        LOG.info(
                "Read {} and {} in {} ms",
                train.description(),
                test.description(),
                (System.nanoTime() - started) / 1_000_000);
        int[] trainIndices =
                randomSubset(train.size(), Math.min(resolvedEvalTrain, train.size()), seed);
        int[] testIndices = range(test.size());
        return new FitData(
                List.of(
                        files.trainImages(),
                        files.trainLabels(),
                        files.testImages(),
                        files.testLabels()),
                train,
                train,
                trainIndices,
                test,
                testIndices,
                "grey (v / 255 - 0.5) / 0.5, as the pipeline's Preprocess");
    }

    private FitData loadVideo(VisionTransformerConfig encoder) throws IOException {
        List<Path> files;
        if (videos == null || videos.isEmpty()) {
            Path defaultVideo = DataFiles.defaultVideo(resolvedDataDir);
            DataFiles.requireFile(defaultVideo, "the default video " + DataFiles.DEFAULT_VIDEO);
            files = List.of(defaultVideo);
        } else {
            files = List.copyOf(videos);
        }
        int frames = encoder.getFrames();
        VideoClipSet training =
                VideoClipSet.decode(
                        files,
                        encoder.getInputChannels(),
                        frames,
                        encoder.getImageHeight(),
                        encoder.getImageWidth(),
                        Math.max(1, frames / 2));
        if (training.size() == 0) {
            throw new IllegalArgumentException(
                    "the videos "
                            + files
                            + " have "
                            + training.frameCount()
                            + " frames in all, too few for one clip of "
                            + frames
                            + " frames; pass longer videos with --video");
        }
        VideoClipSet evaluation = training.withStride(1);
        int[] testIndices =
                evaluation.size() <= evalTest
                        ? range(evaluation.size())
                        : randomSubset(evaluation.size(), evalTest, seed);
        if (testIndices.length < encoder.getEmbedDim()) {
            LOG.warn(
                    "only {} evaluation clips for embeddings of dimension {}: RankMe is capped at"
                            + " the number of clips",
                    testIndices.length,
                    encoder.getEmbedDim());
        }
        return new FitData(
                files,
                training,
                null,
                new int[0],
                evaluation,
                testIndices,
                encoder.getInputChannels() == 3
                        ? "RGB (v / 255 - ImageNet mean) / ImageNet std, as the pipeline's"
                                + " Preprocess"
                        : "grey BT.601 luma, (v / 255 - 0.5) / 0.5");
    }

    private FitReport buildReport(
            Instant startedAt,
            double wallSeconds,
            MachineInfo machine,
            FitData data,
            SaltTrainerConfig config,
            TrainingSummary summary,
            RepresentationEvaluator evaluator,
            double evaluationSeconds,
            List<EncoderScores> scores)
            throws IOException {
        List<String> fileNames = new ArrayList<>();
        for (Path file : data.files) {
            fileNames.add(file.toString());
        }
        FitReport.DatasetInfo datasetInfo =
                new FitReport.DatasetInfo(
                        dataset.optionValue,
                        fileNames,
                        data.training.sampleShape(),
                        data.normalization,
                        data.training.description(),
                        data.evaluationTrain == null
                                ? null
                                : data.trainIndices.length
                                        + " random samples of "
                                        + data.evaluationTrain.description(),
                        data.testIndices.length
                                + " samples of "
                                + data.evaluationTest.description());
        VisionTransformerConfig encoder = modelConfig.getEncoder();
        FitReport.ModelInfo modelInfo =
                new FitReport.ModelInfo(
                        modelConfig.getPresetName(),
                        readJson(modelConfig.toJson()),
                        encoder.encoderParameterCount(),
                        modelConfig.predictorParameterCount(),
                        modelConfig.decoderParameterCount());
        FitReport.TrainingInfo trainingInfo =
                new FitReport.TrainingInfo(
                        resolvedTeacherSteps,
                        steps - resolvedTeacherSteps,
                        readJson(config.toJson()),
                        summary);
        FitReport.EvaluationInfo evaluationInfo =
                new FitReport.EvaluationInfo(
                        data.trainIndices.length,
                        data.testIndices.length,
                        KnnClassifier.DEFAULT_K,
                        evaluator.lidarClassesFor(data.testIndices.length),
                        evaluator.getLidarViews(),
                        "random shifts of up to "
                                + evaluator.shiftFor(data.evaluationTest.sampleShape()).maxShift()
                                + " pixels along each axis, edge pixels repeated (the trainer"
                                + " exposes no masked encoding)",
                        evaluationSeconds,
                        scores);
        return new FitReport(
                commandLineText(),
                startedAt.toString(),
                wallSeconds,
                machine,
                datasetInfo,
                modelInfo,
                trainingInfo,
                evaluationInfo);
    }

    private String commandLineText() {
        List<String> words = new ArrayList<>();
        words.add("saltstream");
        words.addAll(spec.commandLine().getParseResult().originalArgs());
        return String.join(" ", words);
    }

    private static JsonNode readJson(String json) throws IOException {
        return MAPPER.readTree(json);
    }

    /** Checks every option and resolves the defaults; throws ParameterException on bad input. */
    void validate() {
        validateSteps();
        modelConfig = resolvePreset();
        validateTraining();
        validateEvaluation();
        validateData();
        validateReport();
        validateDevice();
    }

    private void validateSteps() {
        if (steps < 2) {
            throw invalid(
                    "--steps",
                    steps,
                    "must be at least 2, because Stage 1 (teacher) and Stage 2 (student) need at"
                            + " least one step each.");
        }
        resolvedTeacherSteps = teacherSteps != null ? teacherSteps : Math.max(1, steps / 4);
        if (resolvedTeacherSteps < 1 || resolvedTeacherSteps >= steps) {
            throw invalid(
                    "--teacher-steps",
                    resolvedTeacherSteps,
                    "must be between 1 and steps - 1 = "
                            + (steps - 1)
                            + ", so that both stages run; omit it for steps / 4.");
        }

        long shorterStage = Math.min(resolvedTeacherSteps, steps - resolvedTeacherSteps);
        resolvedWarmupSteps = warmupSteps != null ? warmupSteps : shorterStage / 10;
        if (resolvedWarmupSteps < 0 || resolvedWarmupSteps > shorterStage) {
            throw invalid(
                    "--warmup-steps",
                    resolvedWarmupSteps,
                    "must be between 0 and the shorter stage's "
                            + shorterStage
                            + " steps, because each stage warms up.");
        }
    }

    private void validateTraining() {
        resolvedBatchSize = batchSize != null ? batchSize : dataset.defaultBatchSize;
        if (resolvedBatchSize < 1) {
            throw invalid("--batch-size", resolvedBatchSize, "must be at least 1.");
        }

        resolvedThreads = threads != null ? threads : defaultThreads();
        if (resolvedThreads < 1) {
            throw invalid(
                    "--threads",
                    resolvedThreads,
                    "must be at least 1; omit it for " + defaultThreads() + ".");
        }

        resolvedLogEvery = logEvery != null ? logEvery : (int) Math.max(1, steps / 20);
        if (resolvedLogEvery < 1) {
            throw invalid("--log-every", resolvedLogEvery, "must be at least 1.");
        }

        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw invalid("--learning-rate", learningRate, "must be a finite number above 0.");
        }
    }

    /** Loads the engine only for {@code --device gpu}, to check that it detects a GPU. */
    private void validateDevice() {
        if (device == DeviceOption.GPU && Engine.getInstance().getGpuCount() == 0) {
            throw invalid(
                    "--device",
                    device,
                    Engine.getInstance().getEngineName()
                            + " "
                            + Engine.getInstance().getVersion()
                            + " finds no GPU (CPU-only natives or no CUDA device); use --device"
                            + " cpu.");
        }
    }

    /**
     * Returns the available processors. PyTorch's OpenMP workers spin while they wait, so on a
     * machine whose cores other processes keep busy, fewer threads train faster: on a shared 2-core
     * virtual machine, image-28 with 2 threads ran at 12 to 27 samples/s under load and 1 thread at
     * about 250 samples/s.
     */
    static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    private SaltModelConfig resolvePreset() {
        String name = preset != null ? preset : dataset.defaultPreset;
        if (!VisionTransformerPresets.names().contains(name)) {
            throw invalid(
                    "--preset",
                    name,
                    "unknown preset; expected one of "
                            + String.join(", ", VisionTransformerPresets.names())
                            + ".");
        }
        SaltModelConfig config = VisionTransformerPresets.byName(name);
        VisionTransformerConfig encoder = config.getEncoder();
        List<String> fitting = new ArrayList<>();
        for (String candidate : VisionTransformerPresets.names()) {
            if (fits(VisionTransformerPresets.byName(candidate).getEncoder())) {
                fitting.add(candidate);
            }
        }
        if (!fits(encoder)) {
            throw invalid(
                    "--preset",
                    name,
                    "--dataset "
                            + dataset
                            + " needs "
                            + (dataset == Dataset.FASHION_MNIST
                                    ? "a preset for 28x28 grey images (1 channel, 1 frame)"
                                    : "a video preset (more than one frame, 3 channels)")
                            + ", but "
                            + name
                            + " takes "
                            + describeInput(encoder)
                            + "; use --preset "
                            + String.join(" or ", fitting)
                            + ".");
        }
        return config;
    }

    private boolean fits(VisionTransformerConfig encoder) {
        if (dataset == Dataset.FASHION_MNIST) {
            return !encoder.isVideo()
                    && encoder.getFrames() == 1
                    && encoder.getInputChannels() == 1
                    && encoder.getImageHeight() == 28
                    && encoder.getImageWidth() == 28;
        }
        return encoder.isVideo() && encoder.getFrames() > 1 && encoder.getInputChannels() == 3;
    }

    private static String describeInput(VisionTransformerConfig encoder) {
        String size = encoder.getImageWidth() + "x" + encoder.getImageHeight();
        String channels =
                encoder.getInputChannels()
                        + (encoder.getInputChannels() == 1 ? " channel" : " channels");
        return encoder.getFrames() > 1
                ? "clips of " + encoder.getFrames() + " frames of " + size + " with " + channels
                : size + " images with " + channels;
    }

    private void validateEvaluation() {
        int neighbours = KnnClassifier.DEFAULT_K;
        resolvedEvalTrain = evalTrain != null ? evalTrain : 10_000;
        if (dataset == Dataset.FASHION_MNIST && resolvedEvalTrain < neighbours) {
            throw invalid(
                    "--eval-train",
                    resolvedEvalTrain,
                    "must be at least k = "
                            + neighbours
                            + ", the neighbours of the kNN classifier.");
        }
        if (dataset == Dataset.VIDEO && evalTrain != null) {
            LOG.warn("--eval-train {} is ignored: video clips have no labels", evalTrain);
        }
        if (evalTest < 2) {
            throw invalid(
                    "--eval-test",
                    evalTest,
                    "must be at least 2, because LiDAR needs two distinct samples.");
        }
        if (lidarClasses < 2) {
            throw invalid("--lidar-classes", lidarClasses, "must be at least 2.");
        }
        if (lidarViews < 2) {
            throw invalid("--lidar-views", lidarViews, "must be at least 2.");
        }
    }

    private void validateData() {
        resolvedDataDir = dataDir != null ? dataDir : DataFiles.defaultDataDirectory();
        if (videos == null || videos.isEmpty()) {
            return;
        }
        if (dataset != Dataset.VIDEO) {
            throw invalid(
                    "--video",
                    videos.get(0),
                    "video files are only read with --dataset video; remove --video.");
        }
        for (Path video : videos) {
            if (!Files.isRegularFile(video)) {
                throw invalid(
                        "--video",
                        video,
                        (Files.exists(video) ? "not a regular file" : "file not found")
                                + "; pass a video file FFmpeg can decode, such as vtest.avi of"
                                + " the OpenCV samples (bin/fetch-data downloads them).");
            }
        }
    }

    /** Rejects a report path that cannot be written, before hours of training. */
    private void validateReport() {
        if (report == null) {
            return;
        }
        Path absolute = report.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw invalid("--report", report, "is a folder; pass a file name such as report.json.");
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            throw invalid(
                    "--report", report, "the file exists and is not writable; pass another path.");
        }
        Path ancestor = absolute.getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null || !Files.isDirectory(ancestor)) {
            throw invalid(
                    "--report",
                    report,
                    (ancestor == null ? "no parent folder exists" : ancestor + " is not a folder")
                            + ", so the report cannot be written there; pass a path in a writable"
                            + " folder.");
        }
        if (!Files.isWritable(ancestor)) {
            throw invalid(
                    "--report",
                    report,
                    "the folder "
                            + ancestor
                            + " is not writable; pass a path in a writable folder.");
        }
    }

    private ParameterException invalid(String option, Object value, String rule) {
        return new ParameterException(
                spec.commandLine(),
                "Invalid value '" + value + "' for option '" + option + "': " + rule);
    }

    /** Prints {@code message} as one error line on the error writer; returns exit code 1. */
    private int fail(String message) {
        spec.commandLine().getErr().println("saltstream fit: error: " + message);
        spec.commandLine().getErr().flush();
        return 1;
    }

    private static int[] range(int size) {
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = i;
        }
        return indices;
    }

    /** Draws {@code count} distinct indices below {@code size}, in random order. */
    private static int[] randomSubset(int size, int count, long seed) {
        int[] pool = range(size);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(size - i);
            int swap = pool[i];
            pool[i] = pool[j];
            pool[j] = swap;
        }
        int[] subset = new int[count];
        System.arraycopy(pool, 0, subset, 0, count);
        return subset;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
