package io.saltstream.operators.encode;

import static io.saltstream.operators.encode.TrainedEncoders.CLIP_SHAPE;
import static io.saltstream.operators.encode.TrainedEncoders.EMBED_DIM;
import static io.saltstream.operators.encode.TrainedEncoders.clip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.saltstream.models.checkpoint.EncoderSnapshot;
import io.saltstream.models.train.EncoderInference;
import io.saltstream.operators.model.ModelSnapshots;
import io.saltstream.operators.model.SnapshotStorage;
import io.saltstream.operators.preprocess.ClipTensor;
import io.saltstream.schemas.Embedding;
import io.saltstream.schemas.ModelSnapshot;
import io.saltstream.schemas.StoredParameters;
import io.saltstream.schemas.TrainingPhase;
import java.io.FileNotFoundException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderOperatorTest {

    private static final String STREAM = "cam";
    private static final Duration MAX_DELAY = Duration.ofMillis(100);

    @TempDir Path directory;

    private final List<TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding>>
            harnesses = new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (TwoInputStreamOperatorTestHarness<?, ?, ?> harness : harnesses) {
            harness.close();
        }
    }

    private static EncoderSettings.Builder settings(int batchSize) {
        return EncoderSettings.builder()
                .optBatchSize(batchSize)
                .optMaxDelay(MAX_DELAY)
                .optDevice("cpu");
    }

    private TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> newHarness(
            EncoderOperator operator) throws Exception {
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                new TwoInputStreamOperatorTestHarness<>(operator);
        harnesses.add(harness);
        harness.setProcessingTime(0);
        return harness;
    }

    private TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> open(
            EncoderOperator operator) throws Exception {
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                newHarness(operator);
        harness.open();
        return harness;
    }

    /** Returns an inline snapshot record of checkpoint {@code index}, with that step. */
    private static ModelSnapshot snapshot(int index) throws Exception {
        return snapshot("v" + index, index, SnapshotStorage.defaults());
    }

    private static ModelSnapshot snapshot(String version, int index, SnapshotStorage storage)
            throws Exception {
        return ModelSnapshots.create(
                version,
                index,
                TrainingPhase.TEACHER,
                TrainedEncoders.modelConfig().getPresetName(),
                TrainedEncoders.modelConfig().toJson(),
                TrainedEncoders.checkpoints().get(index),
                storage);
    }

    private static void sendClips(
            TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness,
            long from,
            long to)
            throws Exception {
        for (long sequence = from; sequence < to; sequence++) {
            ClipTensor clip = clip(STREAM, sequence);
            harness.processElement1(new StreamRecord<>(clip, clip.eventTime));
        }
    }

    private static List<Embedding> output(
            TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness) {
        return harness.extractOutputValues();
    }

    private static List<String> ids(List<Embedding> embeddings) {
        return embeddings.stream().map(Embedding::getId).collect(Collectors.toList());
    }

    private static List<String> idsOf(long from, long to) {
        List<String> ids = new ArrayList<>();
        for (long sequence = from; sequence < to; sequence++) {
            ids.add(ClipTensor.idOf(STREAM, sequence, sequence));
        }
        return ids;
    }

    private static float[][] referenceVectors(byte[] checkpoint, List<ClipTensor> clips) {
        int values = 28 * 28;
        float[] data = new float[clips.size() * values];
        for (int i = 0; i < clips.size(); i++) {
            System.arraycopy(clips.get(i).data, 0, data, i * values, values);
        }
        try (EncoderSnapshot snapshot = EncoderSnapshot.load(checkpoint, Device.cpu());
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray batch = manager.create(data, new Shape(clips.size(), 1, 28, 28));
            return EncoderInference.meanPooled(snapshot.getEncoder(), snapshot.getManager(), batch);
        }
    }

    @Test
    void clipsWaitForFirstSnapshot() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);

        sendClips(harness, 0, 6);
        harness.setProcessingTime(1_000);

        assertThat(output(harness)).isEmpty();
        assertThat(operator.bufferedClipCount()).isEqualTo(6);
        assertThat(operator.loadedStep()).isEqualTo(-1);

        harness.processElement2(new StreamRecord<>(snapshot(1)));

        assertThat(ids(output(harness))).as("one full batch at once").isEqualTo(idsOf(0, 4));
        assertThat(operator.bufferedClipCount()).isEqualTo(2);

        harness.setProcessingTime(1_001);

        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 6));
        assertThat(output(harness)).allMatch(e -> e.getModelVersion().equals("v1"));
        assertThat(operator.bufferedClipCount()).isZero();

        harness.setProcessingTime(10_000);

        assertThat(output(harness)).as("no clip is encoded twice").hasSize(6);
    }

    @Test
    void bufferLimitKeepsBuffering() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(4).optMaxBufferedClips(2).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);

        sendClips(harness, 0, 5);

        assertThat(operator.bufferedClipCount()).isEqualTo(5);

        harness.processElement2(new StreamRecord<>(snapshot(1)));
        harness.setProcessingTime(100);

        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 5));
    }

    @Test
    void fullBatchFlushesAtOnce() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));

        sendClips(harness, 0, 3);

        assertThat(output(harness)).isEmpty();

        sendClips(harness, 3, 4);

        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 4));
        assertThat(operator.bufferedClipCount()).isZero();
    }

    @Test
    void maxDelayFlushesPartialBatch() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));

        sendClips(harness, 0, 1);
        harness.setProcessingTime(40);
        sendClips(harness, 1, 2);
        harness.setProcessingTime(99);

        assertThat(output(harness)).isEmpty();

        harness.setProcessingTime(100);

        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 2));
        assertThat(operator.encodeLatencyHistogram().getCount()).isEqualTo(2);
        assertThat(operator.encodeLatencyHistogram().getStatistics().getMax()).isEqualTo(100);
        assertThat(operator.encodeLatencyHistogram().getStatistics().getMin()).isEqualTo(60);
    }

    @Test
    void delayCountsFromOldestWaitingClip() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(2).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));

        sendClips(harness, 0, 2);
        harness.setProcessingTime(50);
        sendClips(harness, 2, 3);
        harness.setProcessingTime(100);

        assertThat(ids(output(harness)))
                .as("clip 2 arrived at 50, so its deadline is 150")
                .isEqualTo(idsOf(0, 2));

        harness.setProcessingTime(150);

        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 3));
    }

    @Test
    void embeddingCarriesClipAndModel() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(1).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(2)));
        ClipTensor clip = new ClipTensor("cam-7", 16, 31, 5_000, 3, CLIP_SHAPE.clone(), null);
        clip.data = TrainedEncoders.pixels(1, 99);

        harness.processElement1(new StreamRecord<>(clip, clip.eventTime));

        List<StreamRecord<? extends Embedding>> records = harness.extractOutputStreamRecords();
        assertThat(records).hasSize(1);
        Embedding embedding = records.get(0).getValue();
        assertThat(records.get(0).getTimestamp()).isEqualTo(5_000);
        assertThat(embedding.getId()).isEqualTo("cam-7:16-31");
        assertThat(embedding.getStreamId()).isEqualTo("cam-7");
        assertThat(embedding.getFirstSequence()).isEqualTo(16);
        assertThat(embedding.getLastSequence()).isEqualTo(31);
        assertThat(embedding.getEventTime()).isEqualTo(Instant.ofEpochMilli(5_000));
        assertThat(embedding.getModelVersion()).isEqualTo("v2");
        assertThat(embedding.getModelStep()).isEqualTo(2);
        assertThat(embedding.getLabel()).isEqualTo(3);
        assertThat(embedding.getVector()).hasSize(EMBED_DIM);
    }

    @Test
    void missingLabelStaysNull() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(1).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));
        ClipTensor clip = clip(STREAM, 0);
        clip.label = null;

        harness.processElement1(new StreamRecord<>(clip, clip.eventTime));

        assertThat(output(harness)).singleElement().extracting(Embedding::getLabel).isNull();
    }

    @Test
    void vectorMatchesEncoderInference() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(3).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(2)));
        List<ClipTensor> clips = List.of(clip(STREAM, 0), clip(STREAM, 1), clip(STREAM, 2));

        for (ClipTensor clip : clips) {
            harness.processElement1(new StreamRecord<>(clip, clip.eventTime));
        }

        float[][] expected = referenceVectors(TrainedEncoders.checkpoints().get(2), clips);
        List<Embedding> embeddings = output(harness);
        assertThat(embeddings).hasSize(3);
        for (int i = 0; i < 3; i++) {
            List<Float> vector = embeddings.get(i).getVector();
            assertThat(vector).hasSize(EMBED_DIM);
            for (int d = 0; d < EMBED_DIM; d++) {
                assertThat(vector.get(d))
                        .as("clip %d, d %d", i, d)
                        .isCloseTo(expected[i][d], within(1e-6f));
            }
        }
    }

    @Test
    void newerSnapshotReplacesModel() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(1).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));
        ClipTensor clip = clip(STREAM, 0);
        harness.processElement1(new StreamRecord<>(clip, clip.eventTime));

        harness.processElement2(new StreamRecord<>(snapshot(2)));
        harness.processElement1(new StreamRecord<>(clip, clip.eventTime));

        List<Embedding> embeddings = output(harness);
        assertThat(embeddings).extracting(Embedding::getModelVersion).containsExactly("v1", "v2");
        assertThat(embeddings).extracting(Embedding::getModelStep).containsExactly(1L, 2L);
        assertThat(embeddings.get(1).getVector())
                .as("the new parameters give another vector for the same clip")
                .isNotEqualTo(embeddings.get(0).getVector());
        assertThat(operator.loadedStep()).isEqualTo(2);
    }

    @Test
    void olderSnapshotIsIgnored() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(1).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(2)));

        harness.processElement2(new StreamRecord<>(snapshot(0)));
        harness.processElement2(
                new StreamRecord<>(snapshot("v2-again", 2, SnapshotStorage.defaults())));
        sendClips(harness, 0, 1);

        assertThat(operator.staleSnapshotCount()).isEqualTo(2);
        assertThat(operator.loadedVersion()).isEqualTo("v2");
        assertThat(output(harness)).extracting(Embedding::getModelVersion).containsExactly("v2");
    }

    @Test
    void swapKeepsWaitingClips() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));
        sendClips(harness, 0, 2);

        harness.processElement2(new StreamRecord<>(snapshot(2)));
        harness.setProcessingTime(100);

        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 2));
        assertThat(output(harness)).extracting(Embedding::getModelVersion).containsOnly("v2");
    }

    @Test
    void restoreEncodesWaitingClipsOnce() throws Exception {
        EncoderOperator first = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> before =
                open(first);
        before.processElement2(new StreamRecord<>(snapshot(1)));
        sendClips(before, 0, 6);
        List<String> emittedBefore = ids(output(before));

        OperatorSubtaskState state = before.snapshot(1, 10);
        before.close();
        harnesses.remove(before);

        EncoderOperator second = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> after =
                newHarness(second);
        after.initializeState(state);
        after.open();

        assertThat(emittedBefore).isEqualTo(idsOf(0, 4));
        assertThat(second.loadedVersion()).isEqualTo("v1");
        assertThat(second.bufferedClipCount()).isEqualTo(2);
        assertThat(output(after)).isEmpty();

        after.setProcessingTime(1);

        assertThat(ids(output(after))).isEqualTo(idsOf(4, 6));
        assertThat(output(after)).extracting(Embedding::getModelVersion).containsOnly("v1");

        sendClips(after, 6, 10);
        after.setProcessingTime(10_000);
        List<String> all = new ArrayList<>(emittedBefore);
        all.addAll(ids(output(after)));
        assertThat(all).as("every clip exactly once").isEqualTo(idsOf(0, 10));
    }

    @Test
    void restoreKeepsClipsWithoutSnapshot() throws Exception {
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> before =
                open(new EncoderOperator(settings(4).build()));
        sendClips(before, 0, 3);
        OperatorSubtaskState state = before.snapshot(1, 10);
        before.close();
        harnesses.remove(before);

        EncoderOperator second = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> after =
                newHarness(second);
        after.initializeState(state);
        after.open();

        assertThat(second.loadedStep()).isEqualTo(-1);
        assertThat(second.bufferedClipCount()).isEqualTo(3);

        after.processElement2(new StreamRecord<>(snapshot(2)));
        after.setProcessingTime(100);

        assertThat(ids(output(after))).isEqualTo(idsOf(0, 3));
        assertThat(output(after)).extracting(Embedding::getModelVersion).containsOnly("v2");
    }

    @Test
    void storedSnapshotIsVerified() throws Exception {
        SnapshotStorage storage =
                SnapshotStorage.builder()
                        .optInlineLimitBytes(0)
                        .optDirectory(directory.toUri().toString())
                        .build();
        EncoderOperator operator = new EncoderOperator(settings(1).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        ModelSnapshot stored = snapshot("stored-1", 1, storage);
        ModelSnapshot tampered = snapshot("stored-2", 2, storage);
        Path tamperedFile =
                Path.of(URI.create(((StoredParameters) tampered.getParameters()).getUri()));
        byte[] bytes = Files.readAllBytes(tamperedFile);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(tamperedFile, bytes);

        harness.processElement2(new StreamRecord<>(stored));
        harness.processElement2(new StreamRecord<>(tampered));
        sendClips(harness, 0, 1);

        assertThat(stored.getParameters()).isInstanceOf(StoredParameters.class);
        assertThat(operator.snapshotLoadFailureCount()).isEqualTo(1);
        assertThat(operator.loadedVersion()).isEqualTo("stored-1");
        assertThat(output(harness))
                .extracting(Embedding::getModelVersion)
                .containsExactly("stored-1");
    }

    @Test
    void restoreReadsStoredSnapshot() throws Exception {
        SnapshotStorage storage =
                SnapshotStorage.builder()
                        .optInlineLimitBytes(0)
                        .optDirectory(directory.toUri().toString())
                        .build();
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> before =
                open(new EncoderOperator(settings(4).build()));
        before.processElement2(new StreamRecord<>(snapshot("stored-2", 2, storage)));
        sendClips(before, 0, 1);
        OperatorSubtaskState state = before.snapshot(1, 10);
        before.close();
        harnesses.remove(before);

        EncoderOperator second = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> after =
                newHarness(second);
        after.initializeState(state);
        after.open();
        after.setProcessingTime(1);

        assertThat(second.loadedVersion()).isEqualTo("stored-2");
        assertThat(output(after))
                .extracting(Embedding::getModelVersion)
                .containsExactly("stored-2");
    }

    @Test
    void restoreWithDeletedFileWaits() throws Exception {
        SnapshotStorage storage =
                SnapshotStorage.builder()
                        .optInlineLimitBytes(0)
                        .optDirectory(directory.toUri().toString())
                        .build();
        ModelSnapshot stored = snapshot("stored-1", 1, storage);
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> before =
                open(new EncoderOperator(settings(4).build()));
        before.processElement2(new StreamRecord<>(stored));
        sendClips(before, 0, 1);
        OperatorSubtaskState state = before.snapshot(1, 10);
        before.close();
        harnesses.remove(before);
        Files.delete(Path.of(URI.create(((StoredParameters) stored.getParameters()).getUri())));

        EncoderOperator second = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> after =
                newHarness(second);
        after.initializeState(state);
        after.open();
        after.setProcessingTime(1_000);

        assertThat(second.snapshotLoadFailureCount()).isEqualTo(1);
        assertThat(second.loadedStep()).isEqualTo(-1);
        assertThat(output(after)).isEmpty();

        after.processElement2(new StreamRecord<>(snapshot(2)));
        after.setProcessingTime(2_000);

        assertThat(output(after)).extracting(Embedding::getModelVersion).containsExactly("v2");
    }

    @Test
    void initialSnapshotEncodesAtOnce() throws Exception {
        Path file = directory.resolve("student-1.ckpt");
        Files.write(file, TrainedEncoders.checkpoints().get(1));
        EncoderOperator operator =
                new EncoderOperator(settings(1).optInitialSnapshotPath(file.toString()).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);

        sendClips(harness, 0, 2);

        assertThat(operator.loadedVersion()).isEqualTo("student-1");
        assertThat(operator.loadedStep()).isEqualTo(1);
        assertThat(output(harness))
                .extracting(Embedding::getModelVersion)
                .containsOnly("student-1");
        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 2));

        harness.processElement2(new StreamRecord<>(snapshot(2)));
        sendClips(harness, 2, 3);

        assertThat(output(harness).get(2).getModelVersion()).isEqualTo("v2");
    }

    @Test
    void initialSnapshotSurvivesRestore() throws Exception {
        Path file = directory.resolve("student-1.ckpt");
        Files.write(file, TrainedEncoders.checkpoints().get(1));
        EncoderSettings withInitial = settings(4).optInitialSnapshotPath(file.toString()).build();
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> before =
                open(new EncoderOperator(withInitial));
        sendClips(before, 0, 1);
        OperatorSubtaskState state = before.snapshot(1, 10);
        before.close();
        harnesses.remove(before);

        EncoderOperator second = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> after =
                newHarness(second);
        after.initializeState(state);
        after.open();
        after.setProcessingTime(1);

        assertThat(second.loadedVersion()).isEqualTo("student-1");
        assertThat(output(after)).extracting(Embedding::getId).containsExactly(idsOf(0, 1).get(0));
    }

    @Test
    void missingInitialSnapshotFailsOpen() throws Exception {
        Path missing = directory.resolve("absent.ckpt");
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                newHarness(
                        new EncoderOperator(
                                settings(1).optInitialSnapshotPath(missing.toString()).build()));

        assertThatThrownBy(harness::open)
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("encoder.initial-snapshot " + missing + " not found");
    }

    @Test
    void invalidInitialSnapshotFailsOpen() throws Exception {
        Path garbage = directory.resolve("garbage.ckpt");
        Files.write(garbage, new byte[] {1, 2, 3, 4});
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                newHarness(
                        new EncoderOperator(
                                settings(1).optInitialSnapshotPath(garbage.toString()).build()));

        assertThatThrownBy(harness::open)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder.initial-snapshot " + garbage + " is not usable");
    }

    @Test
    void endOfClipsFlushesEverything() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));
        sendClips(harness, 0, 3);

        harness.endInput1();

        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 3));
    }

    @Test
    void finishWithoutSnapshotDropsClips() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(4).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        sendClips(harness, 0, 3);

        harness.endInput1();
        harness.endInput2();
        operator.finish();

        assertThat(output(harness)).isEmpty();
        assertThat(operator.bufferedClipCount()).isZero();
        assertThat(operator.notEncodedClipCount()).isEqualTo(3);
    }

    @Test
    void wrongShapeIsRejected() throws Exception {
        EncoderOperator operator = new EncoderOperator(settings(2).build());
        TwoInputStreamOperatorTestHarness<ClipTensor, ModelSnapshot, Embedding> harness =
                open(operator);
        harness.processElement2(new StreamRecord<>(snapshot(1)));
        ClipTensor small =
                new ClipTensor(STREAM, 100, 100, 0, null, new int[] {1, 1, 14, 14}, new float[196]);

        harness.processElement1(new StreamRecord<>(small, 0));
        sendClips(harness, 0, 2);

        assertThat(operator.rejectedClipCount()).isEqualTo(1);
        assertThat(ids(output(harness))).isEqualTo(idsOf(0, 2));
    }

    @Test
    void nullSettingsAreRejected() {
        assertThatThrownBy(() -> new EncoderOperator(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EncoderOperator settings are null");
    }
}
