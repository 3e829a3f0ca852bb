package io.saltstream.pipeline.job;

import io.saltstream.operators.encode.EncoderOperator;
import io.saltstream.operators.encode.EncoderSettings;
import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.pipeline.config.EncodeOptions;
import io.saltstream.pipeline.config.FlinkSettings;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.KafkaOptions;
import io.saltstream.pipeline.config.SaltstreamConfigLoader;
import io.saltstream.pipeline.config.SaltstreamOptions;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.StoredParameters;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encode-only job: frames from Kafka in, embeddings out, with a model that is not trained here.
 *
 * <pre>
 * KafkaSource(frames) -&gt; parse-frame -&gt; keyBy(streamId) -&gt; clip-assembler -&gt; preprocess
 *   -&gt; encoder (two-input: clips + broadcast snapshots) -&gt; embeddings sink (exactly-once)
 * dead letters -&gt; dead-letters sink (at-least-once)
 * </pre>
 *
 * <p>The model comes from one of two places:
 *
 * <ul>
 *   <li>a fixed encoder-only checkpoint file ({@link Builder#optSnapshotFile}), loaded when the
 *       encoder opens; no snapshot stream is read;
 *   <li>the models topic ({@link Builder#optFromModelsTopic}): the encoder starts with the newest
 *       snapshot committed before the job started and switches whenever a trainer publishes one
 *       with a higher step.
 * </ul>
 *
 * Operator uids are those of {@link TrainJob}, so the input side of a train-job savepoint maps onto
 * this job.
 */
public final class EncodeJob {

    private static final Logger LOG = LoggerFactory.getLogger(EncodeJob.class);

    /** Uid of the models-topic source. */
    public static final String MODELS_SOURCE_UID = "models-source";

    /** How long reading the models topic for its newest snapshot may take. */
    static final Duration MODELS_READ_TIMEOUT = Duration.ofMinutes(2);

    /** Uid of the empty snapshot stream used with a fixed snapshot file. */
    public static final String NO_SNAPSHOTS_UID = "no-snapshots";

    private final ReadableConfig config;
    private final String snapshotFile;
    private final boolean fromModelsTopic;
    private final boolean boundedSource;

    private EncodeJob(Builder builder) {
        this.config = builder.config;
        this.snapshotFile = builder.snapshotFile;
        this.fromModelsTopic = builder.fromModelsTopic;
        this.boundedSource = builder.boundedSource;
    }

    /** Returns a builder; the configuration and one model source are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the job graph to {@code env} and logs the resolved configuration at INFO. With the
     * models topic as the model source, it first reads the topic's newest committed snapshot here,
     * in the client, so the encoder starts with it (see {@link #newestSnapshotFile}).
     *
     * @throws IllegalStateException when the models topic cannot be read
     * @throws IOException when the newest snapshot cannot be written to the snapshot folder
     */
    public void addTo(StreamExecutionEnvironment env) throws IOException {
        SaltstreamOptions.validate(config);
        String initialSnapshot = snapshotFile;
        if (fromModelsTopic) {
            initialSnapshot = newestSnapshotFile(config).orElse(null);
        }
        EncoderSettings settings = JobSettings.encoderSettings(config, initialSnapshot);
        LOG.info(
                "saltstream encode job '{}' ({} source, model from {}), configuration:\n{}",
                config.get(JobOptions.NAME),
                boundedSource ? "bounded" : "unbounded",
                fromModelsTopic
                        ? "topic '" + config.get(TopicOptions.MODELS) + "'"
                        : settings.getInitialSnapshotPath(),
                SaltstreamConfigLoader.describe(config));

        TrainJob.PreparedClips input = TrainJob.addInput(env, config, boundedSource);
        SingleOutputStreamOperator<Embedding> embeddings =
                input.clips
                        .connect(snapshots(env).broadcast())
                        .transform(
                                EncoderOperator.NAME,
                                EncoderOperator.EMBEDDING_TYPE,
                                new EncoderOperator(settings))
                        .uid(TrainJob.ENCODER_UID)
                        .slotSharingGroup(TrainJob.ENCODE_GROUP);
        TrainJob.addEmbeddingsSink(embeddings, config);
        TrainJob.addDeadLettersSink(input.deadLetters, config);
    }

    /** Adds the graph to {@code env} and runs it, blocking until the job ends. */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        addTo(env);
        return env.execute(config.get(JobOptions.NAME));
    }

    /**
     * Finds the committed snapshot with the highest step in the models topic and returns a file
     * with its parameters: the stored file of a large snapshot, or for an inline one a copy written
     * to {@code model-snapshots} under {@code checkpoint.dir}.
     *
     * <p>The encoder loads this file when it opens and then ignores every snapshot of the topic
     * whose step is not higher, so it never encodes with an older model than the newest one
     * committed before the job started. Without this, the encoder would replay the topic from its
     * first record and encode the first clips with whatever older snapshot it read first.
     *
     * @return the file, or empty when the topic has no snapshot yet
     */
    static Optional<String> newestSnapshotFile(ReadableConfig config) throws IOException {
        String topic = config.get(TopicOptions.MODELS);
        ModelSnapshot[] newest = new ModelSnapshot[1];
        CommittedRecords.forEach(
                config.get(KafkaOptions.BOOTSTRAP_SERVERS),
                topic,
                MODELS_READ_TIMEOUT,
                record -> {
                    ModelSnapshot snapshot =
                            new SnapshotDeserializationSchema().deserialize(record.value());
                    if (snapshot != null
                            && (newest[0] == null || snapshot.getStep() > newest[0].getStep())) {
                        newest[0] = snapshot;
                    }
                });
        if (newest[0] == null) {
            LOG.info(
                    "Topic '{}' has no committed model snapshot yet; the encoder buffers clips"
                            + " until the first one arrives",
                    topic);
            return Optional.empty();
        }
        ModelSnapshot snapshot = newest[0];
        if (snapshot.getParameters() instanceof StoredParameters) {
            String uri = ((StoredParameters) snapshot.getParameters()).getUri();
            LOG.info("Starting with the newest snapshot {}", ModelSnapshots.describe(snapshot));
            return Optional.of(uri);
        }
        Path file =
                new Path(
                        FlinkSettings.checkpointDirectory(config)
                                + "/"
                                + JobSettings.SNAPSHOT_FOLDER
                                + "/"
                                + ModelSnapshots.storedFileName(snapshot.getVersion()));
        byte[] parameters = ModelSnapshots.readParameters(snapshot);
        FileSystem fileSystem = file.getFileSystem();
        fileSystem.mkdirs(file.getParent());
        try (FSDataOutputStream out = fileSystem.create(file, FileSystem.WriteMode.OVERWRITE)) {
            out.write(parameters);
        }
        LOG.info(
                "Starting with the newest snapshot {}, written to {}",
                ModelSnapshots.describe(snapshot),
                file);
        return Optional.of(file.toString());
    }

    private DataStream<ModelSnapshot> snapshots(StreamExecutionEnvironment env) {
        if (!fromModelsTopic) {
            return env.fromData(List.<ModelSnapshot>of(), ModelSnapshots.TYPE)
                    .name(NO_SNAPSHOTS_UID)
                    .uid(NO_SNAPSHOTS_UID);
        }
        KafkaSourceBuilder<ModelSnapshot> source =
                KafkaSource.<ModelSnapshot>builder()
                        .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP_SERVERS))
                        .setTopics(config.get(TopicOptions.MODELS))
                        .setGroupId(config.get(KafkaOptions.GROUP_ID) + "-models")
                        .setClientIdPrefix(config.get(JobOptions.NAME) + "-models")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setValueOnlyDeserializer(new SnapshotDeserializationSchema())
                        .setProperties(FrameSources.consumerProperties(config));
        if (boundedSource) {
            source.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), MODELS_SOURCE_UID)
                .uid(MODELS_SOURCE_UID);
    }

    /** Builder of {@link EncodeJob}. */
    public static final class Builder {

        private ReadableConfig config;
        private String snapshotFile;
        private boolean fromModelsTopic;
        private boolean boundedSource;

        private Builder() {}

        /** Sets the saltstream configuration. */
        public Builder setConfig(ReadableConfig config) {
            this.config = config;
            return this;
        }

        /** Sets an encoder-only checkpoint file (local path or Flink file system URI). */
        public Builder optSnapshotFile(String snapshotFile) {
            this.snapshotFile = snapshotFile;
            return this;
        }

        /** Sets whether the model comes from the models topic. Default false. */
        public Builder optFromModelsTopic(boolean fromModelsTopic) {
            this.fromModelsTopic = fromModelsTopic;
            return this;
        }

        /**
         * Sets whether the sources stop at the offsets that are the latest at the job's start, so
         * the job finishes. Default false.
         */
        public Builder optBoundedSource(boolean boundedSource) {
            this.boundedSource = boundedSource;
            return this;
        }

        /**
         * Builds the job.
         *
         * @throws IllegalArgumentException when the configuration is missing, or not exactly one of
         *     a snapshot file, {@code encode.initial-snapshot} and the models topic is given
         */
        public EncodeJob build() {
            if (config == null) {
                throw new IllegalArgumentException("the saltstream configuration must be set");
            }
            if (snapshotFile != null && snapshotFile.isBlank()) {
                throw new IllegalArgumentException(
                        "the snapshot file is blank; give the path of an encoder-only checkpoint");
            }
            boolean fixedModel =
                    snapshotFile != null
                            || config.getOptional(EncodeOptions.INITIAL_SNAPSHOT).isPresent();
            if (fixedModel == fromModelsTopic) {
                throw new IllegalArgumentException(
                        fromModelsTopic
                                ? "give either a snapshot file or the models topic as the model"
                                        + " source, not both"
                                : "no model source: give a snapshot file (--snapshot FILE) or read"
                                        + " the models topic (--from-models-topic)");
            }
            return new EncodeJob(this);
        }
    }
}
