package io.saltstream.operators.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saltstream.models.checkpoint.Checkpoint;
import io.saltstream.models.checkpoint.CheckpointEntry;
import io.saltstream.models.checkpoint.EncoderSnapshot;
import io.saltstream.models.train.SaltPhase;
import io.saltstream.models.vit.SaltModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the encoder-only checkpoint of the frozen teacher from a Stage-2 training checkpoint.
 *
 * <p>{@code SaltTrainer} switches to Stage 2 inside the step that completes Stage 1, so after that
 * step {@code saveEncoderSnapshot()} returns the fresh student, not the Stage-1 encoder. The
 * training checkpoint still contains the Stage-1 encoder as the frozen teacher (group {@value
 * #TEACHER_GROUP}); this class copies those entries into group {@link EncoderSnapshot#GROUP} under
 * the configuration JSON that {@link EncoderSnapshot} documents, {@code
 * {"kind":"salt-encoder","model":{…},"step":…,"phase":"TEACHER"}}.
 */
final class TeacherSnapshots {

    /** Checkpoint group of the frozen teacher in a Stage-2 training checkpoint. */
    static final String TEACHER_GROUP = "teacher";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TeacherSnapshots() {}

    /**
     * Returns the encoder-only checkpoint of the teacher in a Stage-2 training checkpoint.
     *
     * @param trainingCheckpoint a Stage-2 checkpoint of {@code SaltTrainer.toCheckpoint()}
     * @param modelConfig the trainer's model config
     * @param step the step that completed Stage 1
     * @return the teacher as {@link EncoderSnapshot#load} reads it
     * @throws IllegalStateException if the checkpoint has no teacher
     */
    static Checkpoint fromTrainingCheckpoint(
            Checkpoint trainingCheckpoint, SaltModelConfig modelConfig, long step) {
        List<CheckpointEntry> teacher = trainingCheckpoint.getEntries(TEACHER_GROUP);
        if (teacher.isEmpty()) {
            throw new IllegalStateException(
                    "the training checkpoint of step "
                            + step
                            + " has no '"
                            + TEACHER_GROUP
                            + "' group, so the Stage-1 encoder cannot be snapshotted; the trainer"
                            + " must be in Stage 2");
        }
        List<CheckpointEntry> entries = new ArrayList<>(teacher.size());
        for (CheckpointEntry entry : teacher) {
            entries.add(
                    new CheckpointEntry(
                            EncoderSnapshot.GROUP,
                            entry.getName(),
                            entry.getDataType(),
                            entry.getShape().getShape(),
                            entry.getData()));
        }
        ObjectNode json = MAPPER.createObjectNode();
        json.put("kind", EncoderSnapshot.KIND);
        try {
            json.set("model", MAPPER.readTree(modelConfig.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("SaltModelConfig wrote invalid JSON", e);
        }
        json.put("step", step);
        json.put("phase", SaltPhase.TEACHER.name());
        return new Checkpoint(json.toString(), entries);
    }
}
