package io.saltstream.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.clip.ClipAssembler;
import io.saltstream.operators.parse.ParseFrame;
import io.saltstream.pipeline.config.JobOptions;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.ingest.IdxDataset;
import io.saltstream.pipeline.job.CommittedRecords;
import io.saltstream.pipeline.job.EncodeJob;
import io.saltstream.pipeline.job.JobEnvironment;
import io.saltstream.pipeline.job.TrainJob;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.kafka.FramePublisher;
import io.saltstream.schemas.DeadLetter;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.Frame;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.TrainingMetrics;
import io.saltstream.schemas.TrainingPhase;
import io.saltstream.schemas.codec.AvroCodecs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the bounded train job on an embedded broker with valid images and a few bad records, then
 * reads every output topic with read_committed.
 */
class TrainJobIT {

    private static final int IMAGES = 160;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path checkpoints;

    @Test
    void boundedJobEmbedsEveryImageOnce() throws Exception {
        Configuration config;
        try (EmbeddedKafka kafka =
                PipelineFixture.startKafka(
                        PipelineFixture.smallConfig("127.0.0.1:1", checkpoints, Map.of()))) {
            config =
                    PipelineFixture.smallConfig(
                            kafka.bootstrapServers(), checkpoints, Map.of("job.name", "train-it"));
            IdxDataset images = PipelineFixture.images(IMAGES);
            Instant start = Instant.now();
            Set<String> clipIds;
            byte[] garbage = "not an avro frame".getBytes(StandardCharsets.UTF_8);
            FramePublisher publisher =
                    PipelineFixture.publisher(
                            kafka.bootstrapServers(), config.get(TopicOptions.FRAMES));
            clipIds = PipelineFixture.publishImages(publisher, images, start);
            publisher.publishBytes(null, garbage);
            Frame wrongSize = PipelineFixture.imageFrame(images, 0, "it-broken", start);
            wrongSize.setData(ByteBuffer.wrap(new byte[100]));
            publisher.publish(wrongSize);
            // A repeat of an image that was already released: rejected as late.
            publisher.publish(
                    PipelineFixture.imageFrame(images, 3, PipelineFixture.IMAGE_STREAM, start));
            PipelineFixture.finish(publisher);

            StreamExecutionEnvironment env =
                    JobEnvironment.builder().setConfig(config).optWebUi(false).build().create();
            JobExecutionResult result =
                    TrainJob.builder()
                            .setConfig(config)
                            .optBoundedSource(true)
                            .build()
                            .execute(env);
            assertThat(result.getJobExecutionResult().getNetRuntime()).isPositive();

            String bootstrap = kafka.bootstrapServers();
            List<Embedding> embeddings =
                    CommittedRecords.readAll(
                            bootstrap,
                            config.get(TopicOptions.EMBEDDINGS),
                            AvroCodecs.EMBEDDING,
                            READ_TIMEOUT);
            List<String> embeddingIds =
                    embeddings.stream().map(Embedding::getId).collect(Collectors.toList());
            assertThat(embeddingIds).doesNotHaveDuplicates();
            assertThat(Set.copyOf(embeddingIds)).isEqualTo(clipIds);
            assertThat(embeddings)
                    .allSatisfy(e -> assertThat(e.getVector()).hasSize(128))
                    .allSatisfy(e -> assertThat(e.getModelStep()).isPositive());

            List<TrainingMetrics> metrics =
                    CommittedRecords.readAll(
                            bootstrap,
                            config.get(TopicOptions.TRAINING_METRICS),
                            AvroCodecs.TRAINING_METRICS,
                            READ_TIMEOUT);
            assertThat(metrics).isNotEmpty();
            assertThat(metrics)
                    .extracting(TrainingMetrics::getPhase)
                    .contains(TrainingPhase.TEACHER, TrainingPhase.STUDENT);
            assertThat(metrics)
                    .allSatisfy(m -> assertThat(m.getLoss()).isFinite())
                    .allSatisfy(m -> assertThat(m.getLearningRate()).isFinite())
                    .allSatisfy(m -> assertThat(m.getGradientNorm()).isFinite());
            assertThat(metrics.stream().mapToLong(TrainingMetrics::getStep).max().getAsLong())
                    .isEqualTo(14);
            for (TrainingMetrics m : metrics) {
                if (m.getRankMe() != null) {
                    assertThat(m.getRankMe()).isBetween(1.0, 128.0);
                }
                if (m.getLidar() != null) {
                    assertThat(m.getLidar()).isBetween(1.0, 128.0);
                }
            }

            List<ModelSnapshot> snapshots =
                    CommittedRecords.readAll(
                            bootstrap,
                            config.get(TopicOptions.MODELS),
                            AvroCodecs.MODEL_SNAPSHOT,
                            READ_TIMEOUT);
            assertThat(snapshots).extracting(ModelSnapshot::getStep).contains(14L);

            List<DeadLetter> deadLetters =
                    CommittedRecords.readAll(
                            bootstrap,
                            config.get(TopicOptions.DEAD_LETTERS),
                            AvroCodecs.DEAD_LETTER,
                            READ_TIMEOUT);
            assertThat(deadLetters).hasSize(3);
            assertThat(deadLetters).allSatisfy(d -> assertThat(d.getReason()).isNotBlank());
            assertThat(deadLetters)
                    .extracting(DeadLetter::getErrorClass)
                    .contains(ParseFrame.RULE_DATA_SIZE)
                    .containsAnyOf(ClipAssembler.RULE_LATE, ClipAssembler.RULE_DUPLICATE);
            assertThat(deadLetters)
                    .as("the garbage record, kept as its bytes")
                    .anySatisfy(
                            d -> assertThat(d.getPayload()).isEqualTo(ByteBuffer.wrap(garbage)));

            // The encode-only job starts with the newest committed snapshot of the models topic.
            kafka.createTopic("encoded", 1);
            Configuration encodeConfig = new Configuration(config);
            encodeConfig.set(JobOptions.NAME, "encode-it");
            encodeConfig.set(TopicOptions.EMBEDDINGS, "encoded");
            EncodeJob.builder()
                    .setConfig(encodeConfig)
                    .optFromModelsTopic(true)
                    .optBoundedSource(true)
                    .build()
                    .execute(
                            JobEnvironment.builder()
                                    .setConfig(encodeConfig)
                                    .optWebUi(false)
                                    .build()
                                    .create());
            List<Embedding> encoded =
                    CommittedRecords.readAll(
                            bootstrap, "encoded", AvroCodecs.EMBEDDING, READ_TIMEOUT);
            assertThat(encoded).extracting(Embedding::getId).doesNotHaveDuplicates();
            assertThat(encoded.stream().map(Embedding::getId).collect(Collectors.toSet()))
                    .isEqualTo(clipIds);
            assertThat(encoded).allSatisfy(e -> assertThat(e.getModelStep()).isEqualTo(14));
        }
    }
}
