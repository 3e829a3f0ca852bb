package io.saltstream.pipeline.job;

import io.saltstream.operators.OperatorTypes;
import io.saltstream.operators.clip.Clip;
import io.saltstream.operators.deadletter.DeadLetters;
import io.saltstream.operators.encode.EncoderOperator;
import io.saltstream.operators.encode.EncoderSettings;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.operators.source.RawRecord;
import io.saltstream.operators.train.SaltTrainerOperator;
import io.saltstream.operators.train.SaltTrainerSettings;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.SaltstreamConfigLoader;
import io.saltstream.pipeline.config.SaltstreamOptions;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.io.KafkaSinks;
import io.saltstream.pipeline.io.KafkaSources;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.TrainingMetrics;
import io.saltstream.schemas.codec.AvroCodecs;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online SALT training job: frames from Kafka in, embeddings, training metrics, model snapshots
 * and dead letters out.
 *
 * <pre>
 * KafkaSource(frames) -&gt; parse-frame -&gt; keyBy(streamId) -&gt; clip-assembler -&gt; preprocess
 *   +-&gt; salt-trainer (parallelism 1, slot-sharing group "train")
 *   |     -&gt; training-metrics sink (exactly-once)
 *   |     -&gt; snapshots -&gt; models sink (exactly-once, compacted topic)
 *   |                  -&gt; broadcast to the encoder
 *   +-&gt; encoder (two-input: clips + broadcast snapshots; slot-sharing group "encode")
 *         -&gt; embeddings sink (exactly-once)
 * dead letters of parse-frame, clip-assembler and preprocess -&gt; dead-letters sink (at-least-once)
 * </pre>
 *
 * <pre>{@code
 * StreamExecutionEnvironment env = JobEnvironment.builder().setConfig(config).build().create();
 * TrainJob.builder().setConfig(config).build().execute(env);
 * }</pre>
 *
 * <p>Every operator has a name and a stable uid (the constants below), so a savepoint still maps
 * onto the job after it changes. The trainer and the encoder each have their own slot-sharing
 * group: on a cluster with GPU task managers those groups take the GPU slots, and a slow training
 * step never shares a slot with the encoder. The exactly-once sinks commit on checkpoints, so
 * read_committed consumers see their records one checkpoint interval after they were written.
 *
 * <p>A bounded job ({@link Builder#optBoundedSource}) reads the frames that are in the topic when
 * it starts and then finishes; the trainer then emits a final snapshot, the encoder embeds every
 * clip that waited for a model, and a final checkpoint commits the sinks.
 */
public final class TrainJob {

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    /** Uid of the frames source. */
    public static final String SOURCE_UID = "frames-source";

    /** Uid of the frame parser. */
    public static final String PARSE_UID = "parse-frame";

    /** Uid of the clip assembler. */
    public static final String CLIP_UID = "clip-assembler";

    /** Uid of the preprocessing function. */
    public static final String PREPROCESS_UID = "preprocess";

    /** Uid of the trainer. */
    public static final String TRAINER_UID = "salt-trainer";

    /** Uid of the encoder. */
    public static final String ENCODER_UID = EncoderOperator.UID;

    /** Uid of the optional map in front of the trainer. */
    public static final String TRAINING_INPUT_UID = "training-input";

    /** Uid of the embeddings sink. */
    public static final String EMBEDDINGS_SINK_UID = "embeddings-sink";

    /** Uid of the training-metrics sink. */
    public static final String METRICS_SINK_UID = "training-metrics-sink";

    /** Uid of the models sink. */
    public static final String MODELS_SINK_UID = "models-sink";

    /** Uid of the dead-letters sink. */
    public static final String DEAD_LETTERS_SINK_UID = "dead-letters-sink";

    /** Slot-sharing group of the trainer. */
    public static final String TRAIN_GROUP = "train";

    /** Slot-sharing group of the encoder. */
    public static final String ENCODE_GROUP = "encode";

    private final ReadableConfig config;
    private final boolean boundedSource;
    private final MapFunction<ClipTensor, ClipTensor> trainingInput;

    private TrainJob(Builder builder) {
        this.config = builder.config;
        this.boundedSource = builder.boundedSource;
        this.trainingInput = builder.trainingInput;
    }

    /** Returns a builder; {@link Builder#setConfig} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the job graph to {@code env} and logs the resolved configuration at INFO.
     *
     * @throws IllegalArgumentException when the configuration is invalid for the job
     */
    public void addTo(StreamExecutionEnvironment env) {
        SaltstreamOptions.validate(config);
        SaltTrainerSettings trainerSettings = JobSettings.trainerSettings(config);
        EncoderSettings encoderSettings = JobSettings.encoderSettings(config, null);
        LOG.info(
                "saltstream train job '{}' ({} source), configuration:\n{}",
                config.get(JobOptions.NAME),
                boundedSource ? "bounded" : "unbounded",
                SaltstreamConfigLoader.describe(config));

        PreparedClips input = addInput(env, config, boundedSource);

        DataStream<ClipTensor> trainerInput = input.clips;
        if (trainingInput != null) {
            trainerInput =
                    input.clips
                            .map(trainingInput, OperatorTypes.CLIP_TENSOR)
                            .name(TRAINING_INPUT_UID)
                            .uid(TRAINING_INPUT_UID);
        }
        // One model, one trainer: PyTorch allows one gradient collector per JVM.
        SingleOutputStreamOperator<TrainingMetrics> metrics =
                trainerInput
                        .transform(
                                "salt-trainer",
                                SaltTrainerOperator.TRAINING_METRICS_TYPE,
                                new SaltTrainerOperator(trainerSettings))
                        .uid(TRAINER_UID)
                        .setParallelism(1)
                        .setMaxParallelism(1)
                        .slotSharingGroup(TRAIN_GROUP);
        DataStream<ModelSnapshot> snapshots = metrics.getSideOutput(SaltTrainerOperator.SNAPSHOTS);

        SingleOutputStreamOperator<Embedding> embeddings =
                input.clips
                        .connect(snapshots.broadcast())
                        .transform(
                                EncoderOperator.NAME,
                                EncoderOperator.EMBEDDING_TYPE,
                                new EncoderOperator(encoderSettings))
                        .uid(ENCODER_UID)
                        .slotSharingGroup(ENCODE_GROUP);

        addEmbeddingsSink(embeddings, config);
        metrics.sinkTo(
                        KafkaSinks.avro(
                                config,
                                config.get(TopicOptions.TRAINING_METRICS),
                                AvroCodecs.TRAINING_METRICS,
                                TrainingMetrics::getJob,
                                DeliveryGuarantee.EXACTLY_ONCE))
                .name(METRICS_SINK_UID)
                .uid(METRICS_SINK_UID);
        // Keyed by job name, so compaction keeps the newest snapshot of each job.
        snapshots
                .sinkTo(
                        KafkaSinks.avro(
                                config,
                                config.get(TopicOptions.MODELS),
                                AvroCodecs.MODEL_SNAPSHOT,
                                jobNameKey(config.get(JobOptions.NAME)),
                                DeliveryGuarantee.EXACTLY_ONCE))
                .name(MODELS_SINK_UID)
                .uid(MODELS_SINK_UID);
        addDeadLettersSink(input.deadLetters, config);
    }

    /**
     * Adds the graph to {@code env} and runs it, blocking until the job ends.
     *
     * @return the result of the finished job; an unbounded job returns only when cancelled
     * @throws Exception when the job fails beyond its restart strategy
     */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        addTo(env);
        return env.execute(config.get(JobOptions.NAME));
    }

    /** Clips ready for the model, and the dead letters of the operators that made them. */
    static final class PreparedClips {
        final DataStream<ClipTensor> clips;
        final DataStream<DeadLetter> deadLetters;

        PreparedClips(DataStream<ClipTensor> clips, DataStream<DeadLetter> deadLetters) {
            this.clips = clips;
            this.deadLetters = deadLetters;
        }
    }

    /**
     * Adds the input side shared by the train and encode jobs: the frames source, parsing, clip
     * assembly per stream and preprocessing.
     */
    static PreparedClips addInput(
            StreamExecutionEnvironment env, ReadableConfig config, boolean bounded) {
        DataStream<RawRecord> records =
                env.fromSource(
                                FrameSources.frames(config, bounded),
                                KafkaSources.watermarks(config),
                                "frames-source")
                        .uid(SOURCE_UID);
        // Undecodable or invalid records become dead letters; the job keeps running.
        SingleOutputStreamOperator<Frame> frames =
                records.process(JobSettings.parseFrame(config)).name(PARSE_UID).uid(PARSE_UID);
        // Frames of one stream meet in one subtask, which orders them and cuts clips.
        SingleOutputStreamOperator<Clip> clips =
                frames.keyBy(Frame::getStreamId)
                        .process(JobSettings.clipAssembler(config))
                        .name(CLIP_UID)
                        .uid(CLIP_UID);
        SingleOutputStreamOperator<ClipTensor> tensors =
                clips.process(JobSettings.preprocess(config))
                        .name(PREPROCESS_UID)
                        .uid(PREPROCESS_UID);
        DataStream<DeadLetter> deadLetters =
                frames.getSideOutput(DeadLetters.OUTPUT_TAG)
                        .union(
                                clips.getSideOutput(DeadLetters.OUTPUT_TAG),
                                tensors.getSideOutput(DeadLetters.OUTPUT_TAG));
        return new PreparedClips(tensors, deadLetters);
    }

    /** Adds the exactly-once embeddings sink, keyed by stream id so each stream stays in order. */
    static void addEmbeddingsSink(DataStream<Embedding> embeddings, ReadableConfig config) {
        embeddings
                .sinkTo(
                        KafkaSinks.avro(
                                config,
                                config.get(TopicOptions.EMBEDDINGS),
                                AvroCodecs.EMBEDDING,
                                Embedding::getStreamId,
                                DeliveryGuarantee.EXACTLY_ONCE))
                .name(EMBEDDINGS_SINK_UID)
                .uid(EMBEDDINGS_SINK_UID);
    }

    /**
     * Adds the dead-letters sink. At-least-once is enough: a dead letter written twice after a
     * restart is still a correct report of a bad record, and it needs no transaction.
     */
    static void addDeadLettersSink(DataStream<DeadLetter> deadLetters, ReadableConfig config) {
        deadLetters
                .sinkTo(
                        KafkaSinks.avro(
                                config,
                                config.get(TopicOptions.DEAD_LETTERS),
                                AvroCodecs.DEAD_LETTER,
                                DeadLetter::getSourceTopic,
                                DeliveryGuarantee.AT_LEAST_ONCE))
                .name(DEAD_LETTERS_SINK_UID)
                .uid(DEAD_LETTERS_SINK_UID);
    }

    /** Returns a key function that gives every record the job name. */
    static SerializableFunction<ModelSnapshot, String> jobNameKey(String jobName) {
        return snapshot -> jobName;
    }

    /** Builder of {@link TrainJob}. */
    public static final class Builder {

        private ReadableConfig config;
        private boolean boundedSource;
        private MapFunction<ClipTensor, ClipTensor> trainingInput;

        private Builder() {}

        /** Sets the saltstream configuration. */
        public Builder setConfig(ReadableConfig config) {
            this.config = config;
            return this;
        }

        /**
         * Sets whether the source stops at the offsets that are the latest at the job's start, so
         * the job finishes. Default false: the job runs until cancelled.
         */
        public Builder optBoundedSource(boolean boundedSource) {
            this.boundedSource = boundedSource;
            return this;
        }

        /**
         * Sets a function applied to each clip on its way to the trainer only, for example one that
         * fails on purpose in a recovery test. Default: none.
         */
        public Builder optTrainingInput(MapFunction<ClipTensor, ClipTensor> trainingInput) {
            this.trainingInput = trainingInput;
            return this;
        }

        /**
         * Builds the job.
         *
         * @throws IllegalArgumentException when the configuration is missing
         */
        public TrainJob build() {
            if (config == null) {
                throw new IllegalArgumentException("the saltstream configuration must be set");
            }
            return new TrainJob(this);
        }
    }
}
