package io.saltstream.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.pipeline.config.TopicOptions;
import io.saltstream.pipeline.job.CommittedRecords;
import io.saltstream.pipeline.job.JobEnvironment;
import io.saltstream.pipeline.job.TrainJob;
import io.saltstream.pipeline.kafka.EmbeddedKafka;
import io.saltstream.pipeline.kafka.FramePublisher;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.TrainingMetrics;
import io.saltstream.schemas.codec.AvroCodecs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails the train job once, mid-training and after a completed checkpoint, and checks that it
 * resumes from that checkpoint: the trainer's steps continue instead of restarting at 0, and every
 * clip still has exactly one committed embedding.
 */
class RecoveryIT {

    private static final int IMAGES = 1200;
    private static final long TOTAL_STEPS = 100;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path checkpoints;

    @Test
    void failedJobResumesFromCheckpoint() throws Exception {
        FailOnce.reset();
        try (EmbeddedKafka kafka =
                PipelineFixture.startKafka(
                        PipelineFixture.smallConfig("127.0.0.1:1", checkpoints, Map.of()))) {
            Configuration config =
                    PipelineFixture.smallConfig(
                            kafka.bootstrapServers(),
                            checkpoints,
                            Map.of(
                                    "job.name", "recovery-it",
                                    "optimization.teacher-steps", "20",
                                    "optimization.total-steps", Long.toString(TOTAL_STEPS),
                                    "train.quality-interval", "0"));
            FramePublisher publisher =
                    PipelineFixture.publisher(
                            kafka.bootstrapServers(), config.get(TopicOptions.FRAMES));
            Set<String> clipIds =
                    PipelineFixture.publishImages(
                            publisher, PipelineFixture.images(IMAGES), Instant.now());
            PipelineFixture.finish(publisher);

            Configuration restarts = new Configuration();
            restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
            restarts.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(500));
            TrainJob.builder()
                    .setConfig(config)
                    .optBoundedSource(true)
                    .optTrainingInput(new FailOnce(300))
                    .build()
                    .execute(
                            JobEnvironment.builder()
                                    .setConfig(config)
                                    .optWebUi(false)
                                    .optFlinkSettings(restarts)
                                    .build()
                                    .create());

            assertThat(FailOnce.FAILED).as("the job failed on purpose").isTrue();
            assertThat(FailOnce.RESTORED_CLIPS.get())
                    .as("clips counted in the checkpoint the restarted job restored")
                    .isPositive();

            List<TrainingMetrics> metrics =
                    CommittedRecords.readAll(
                            kafka.bootstrapServers(),
                            config.get(TopicOptions.TRAINING_METRICS),
                            AvroCodecs.TRAINING_METRICS,
                            READ_TIMEOUT);
            List<Long> steps =
                    metrics.stream().map(TrainingMetrics::getStep).collect(Collectors.toList());
            // A trainer that lost its state would start at step 1 again and repeat committed steps.
            assertThat(steps).isSorted().doesNotHaveDuplicates().contains(TOTAL_STEPS);

            List<Embedding> embeddings =
                    CommittedRecords.readAll(
                            kafka.bootstrapServers(),
                            config.get(TopicOptions.EMBEDDINGS),
                            AvroCodecs.EMBEDDING,
                            READ_TIMEOUT);
            List<String> ids =
                    embeddings.stream().map(Embedding::getId).collect(Collectors.toList());
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(Set.copyOf(ids)).isEqualTo(clipIds);
        }
    }

    /**
     * Passes clips through, counting them in operator state, and throws once: at the first clip
     * after {@code minClips} clips and a completed checkpoint. Static flags survive the restart
     * because the MiniCluster runs in the test's JVM.
     */
    static final class FailOnce
            implements MapFunction<ClipTensor, ClipTensor>,
                    CheckpointedFunction,
                    CheckpointListener {

        private static final long serialVersionUID = 1L;

        static volatile boolean FAILED;
        static final AtomicLong RESTORED_CLIPS = new AtomicLong();
        private static final AtomicBoolean CHECKPOINT_COMPLETED = new AtomicBoolean();

        private final long minClips;
        private transient ListState<Long> countState;
        private transient long count;

        FailOnce(long minClips) {
            this.minClips = minClips;
        }

        static void reset() {
            FAILED = false;
            RESTORED_CLIPS.set(0);
            CHECKPOINT_COMPLETED.set(false);
        }

        @Override
        public ClipTensor map(ClipTensor clip) {
            count++;
            if (!FAILED && count >= minClips && CHECKPOINT_COMPLETED.get()) {
                FAILED = true;
                throw new IllegalStateException(
                        "failing on purpose after " + count + " clips to test recovery");
            }
            return clip;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            countState.update(List.of(count));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            countState =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("clip-count", Types.LONG));
            count = 0;
            for (Long restored : countState.get()) {
                count += restored;
            }
            if (context.isRestored()) {
                RESTORED_CLIPS.set(count);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (count > 0) {
                CHECKPOINT_COMPLETED.set(true);
            }
        }
    }
}
