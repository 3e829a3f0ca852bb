package io.saltstream.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.saltstream.models.train.EncoderInference;
import io.saltstream.models.train.SaltPhase;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformer;
import io.saltstream.models.vit.VisionTransformerPresets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderSnapshotTest {

    private NDManager manager;
    private SaltModelConfig model;
    private VisionTransformer encoder;
    private NDArray batch;

    @BeforeEach
    void createEncoder() {
        manager = NDManager.newBaseManager(Device.cpu());
        model = VisionTransformerPresets.image28();
        encoder = VisionTransformer.builder().setConfig(model.getEncoder()).optSeed(3).build();
        encoder.initialize(manager, DataType.FLOAT32, model.getEncoder().inputShape(1));
        batch = manager.randomNormal(new Shape(5, 1, 28, 28));
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Test
    void loadedEncoderEncodesIdentically() {
        byte[] bytes =
                EncoderSnapshot.toCheckpoint(model, encoder, 42, SaltPhase.STUDENT).toBytes();
        float[][] expected = EncoderInference.meanPooled(encoder, manager, batch);
        try (EncoderSnapshot snapshot = EncoderSnapshot.load(bytes, Device.cpu())) {
            assertThat(snapshot.getStep()).isEqualTo(42);
            assertThat(snapshot.getPhase()).isEqualTo(SaltPhase.STUDENT);
            assertThat(snapshot.getModelConfig()).isEqualTo(model);
            assertThat(snapshot.encode(batch)).isDeepEqualTo(expected);
            assertThat(snapshot.encodeTokens(batch)[0]).hasDimensions(49, 128);
            assertThat(BlockParameters.entries("encoder", snapshot.getEncoder()))
                    .containsExactlyElementsOf(BlockParameters.entries("encoder", encoder));
        }
    }

    @Test
    void fileRoundTrip(@TempDir Path folder) throws IOException {
        Path file = folder.resolve("encoder.ckpt");
        EncoderSnapshot.toCheckpoint(model, encoder, 7, SaltPhase.TEACHER).writeFile(file);
        try (EncoderSnapshot snapshot = EncoderSnapshot.load(file, Device.cpu())) {
            assertThat(snapshot.getPhase()).isEqualTo(SaltPhase.TEACHER);
            assertThat(snapshot.encode(batch))
                    .isDeepEqualTo(EncoderInference.meanPooled(encoder, manager, batch));
        }
    }

    @Test
    void encodingLeavesNoArraysBehind() {
        byte[] bytes = EncoderSnapshot.toCheckpoint(model, encoder, 1, SaltPhase.STUDENT).toBytes();
        try (EncoderSnapshot snapshot = EncoderSnapshot.load(bytes, Device.cpu())) {
            snapshot.encode(batch);
            int arrays = snapshot.getManager().getManagedArrays().size();
            int callerArrays = manager.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                snapshot.encode(batch);
            }
            assertThat(snapshot.getManager().getManagedArrays()).hasSize(arrays);
            assertThat(manager.getManagedArrays()).hasSize(callerArrays);
        }
    }

    @Test
    void trainingCheckpointRejected() {
        Checkpoint training = new Checkpoint("{\"kind\":\"salt-trainer\"}", List.of());
        assertThatThrownBy(() -> EncoderSnapshot.load(training, Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "expected an encoder-only checkpoint (kind 'salt-encoder'), got kind"
                                + " 'salt-trainer'; write one with"
                                + " SaltTrainer.saveEncoderSnapshot()");
    }

    @Test
    void otherEncoderConfigRejected() {
        Checkpoint checkpoint = EncoderSnapshot.toCheckpoint(model, encoder, 1, SaltPhase.STUDENT);
        SaltModelConfig other = VisionTransformerPresets.video64();
        try (NDManager otherManager = NDManager.newBaseManager(Device.cpu())) {
            VisionTransformer target =
                    VisionTransformer.builder().setConfig(other.getEncoder()).build();
            target.initialize(otherManager, DataType.FLOAT32, other.getEncoder().inputShape(1));
            assertThatThrownBy(() -> EncoderSnapshot.loadInto(checkpoint, target, "the teacher"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the encoder checkpoint was written for encoder")
                    .hasMessageContaining("but the teacher has");
        }
    }

    @Test
    void missingParameterNamed() {
        Checkpoint full = EncoderSnapshot.toCheckpoint(model, encoder, 1, SaltPhase.STUDENT);
        List<CheckpointEntry> entries = full.getEntries();
        CheckpointEntry dropped = entries.remove(entries.size() - 1);
        Checkpoint partial = new Checkpoint(full.getConfigJson(), entries);
        assertThatThrownBy(() -> EncoderSnapshot.load(partial, Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "parameter "
                                + dropped.key()
                                + " of the encoder of image-28 is missing from the checkpoint");
    }

    @Test
    void mismatchedModelConfigRejected() {
        SaltModelConfig other = VisionTransformerPresets.video64();
        assertThatThrownBy(() -> EncoderSnapshot.toCheckpoint(other, encoder, 1, SaltPhase.STUDENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the encoder was built for");
    }

    @Test
    void closedSnapshotRejectsEncoding() {
        byte[] bytes = EncoderSnapshot.toCheckpoint(model, encoder, 1, SaltPhase.STUDENT).toBytes();
        EncoderSnapshot snapshot = EncoderSnapshot.load(bytes, Device.cpu());
        snapshot.close();
        assertThatThrownBy(() -> snapshot.encode(batch))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this EncoderSnapshot is closed");
    }
}
