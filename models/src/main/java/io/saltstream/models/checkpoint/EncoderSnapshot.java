package io.saltstream.models.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.initializer.Initializer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saltstream.models.train.EncoderInference;
import io.saltstream.models.train.SaltPhase;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A trained encoder ready for encoding, read from an encoder-only checkpoint: the serving side of a
 * {@code ModelSnapshot}.
 *
 * <p>An encoder-only checkpoint is a {@link Checkpoint} whose configuration JSON is
 *
 * <pre>{@code
 * {"kind":"salt-encoder","model":{...SaltModelConfig...},"step":1200,"phase":"STUDENT"}
 * }</pre>
 *
 * and whose entries are the encoder's parameters in group {@value #GROUP}. It contains neither the
 * teacher nor the predictor nor optimiser state, so it is much smaller than a training checkpoint.
 *
 * <pre>{@code
 * try (EncoderSnapshot snapshot = EncoderSnapshot.load(bytes, Device.cpu())) {
 *     float[][] embeddings = snapshot.encode(batch);
 * }
 * }</pre>
 *
 * <p>An instance owns its NDManager and encoder; {@link #close()} releases them. Encoding calls may
 * come from one thread at a time.
 */
public final class EncoderSnapshot implements AutoCloseable {

    /** The {@code kind} of an encoder-only checkpoint. */
    public static final String KIND = "salt-encoder";

    /** The entry group of the encoder's parameters. */
    public static final String GROUP = "encoder";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SaltModelConfig modelConfig;
    private final long step;
    private final SaltPhase phase;
    private final NDManager manager;
    private final VisionTransformer encoder;

    private EncoderSnapshot(
            SaltModelConfig modelConfig,
            long step,
            SaltPhase phase,
            NDManager manager,
            VisionTransformer encoder) {
        this.modelConfig = modelConfig;
        this.step = step;
        this.phase = phase;
        this.manager = manager;
        this.encoder = encoder;
    }

    /**
     * Writes an encoder-only checkpoint. The encoder's arrays are copied, not changed.
     *
     * @param modelConfig the config of the networks; its encoder part must match {@code encoder}
     * @param encoder an initialised encoder
     * @param step the training step the parameters come from
     * @param phase the stage that produced them: TEACHER for a Stage-1 encoder
     * @throws IllegalArgumentException if the encoder's config differs from the model config's
     */
    public static Checkpoint toCheckpoint(
            SaltModelConfig modelConfig, VisionTransformer encoder, long step, SaltPhase phase) {
        if (!modelConfig.getEncoder().equals(encoder.getConfig())) {
            throw new IllegalArgumentException(
                    "the encoder was built for "
                            + encoder.getConfig()
                            + " but the model config has encoder "
                            + modelConfig.getEncoder());
        }
        ObjectNode json = MAPPER.createObjectNode();
        json.put("kind", KIND);
        try {
            json.set("model", MAPPER.readTree(modelConfig.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("SaltModelConfig wrote invalid JSON", e);
        }
        json.put("step", step);
        json.put("phase", phase.name());
        return new Checkpoint(json.toString(), BlockParameters.entries(GROUP, encoder));
    }

    /**
     * Builds the encoder of an encoder-only checkpoint on {@code device}.
     *
     * @throws IllegalArgumentException if the bytes are not an encoder-only checkpoint, or a
     *     parameter is missing or has another shape than the config implies
     */
    public static EncoderSnapshot load(byte[] bytes, Device device) {
        return load(Checkpoint.fromBytes(bytes), device);
    }

    /**
     * Builds the encoder of an encoder-only checkpoint file on {@code device}.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is not a valid encoder-only checkpoint
     */
    public static EncoderSnapshot load(Path file, Device device) throws IOException {
        return load(Checkpoint.readFile(file), device);
    }

    /**
     * Builds the encoder of an encoder-only checkpoint on {@code device}.
     *
     * @throws IllegalArgumentException if the checkpoint is not encoder-only, or a parameter is
     *     missing or has another shape than the config implies
     */
    public static EncoderSnapshot load(Checkpoint checkpoint, Device device) {
        JsonNode json = parseConfig(checkpoint);
        SaltModelConfig modelConfig = SaltModelConfig.fromJson(json.get("model").toString());
        long step = json.path("step").asLong(-1);
        if (!json.path("step").isIntegralNumber() || step < 0) {
            throw new IllegalArgumentException(
                    "encoder checkpoint has an invalid step " + json.get("step"));
        }
        SaltPhase phase = parsePhase(json.get("phase"));
        NDManager manager = NDManager.newBaseManager(device);
        manager.setName("encoder-snapshot");
        try {
            VisionTransformer encoder = newEncoder(modelConfig, manager);
            loadInto(checkpoint, encoder, "the encoder of " + modelConfig.getPresetName());
            encoder.freezeParameters(true);
            return new EncoderSnapshot(modelConfig, step, phase, manager, encoder);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Returns the model config of an encoder-only checkpoint without building the encoder.
     *
     * @throws IllegalArgumentException if the checkpoint is not encoder-only
     */
    public static SaltModelConfig readModelConfig(Checkpoint checkpoint) {
        return SaltModelConfig.fromJson(parseConfig(checkpoint).get("model").toString());
    }

    /**
     * Copies the encoder parameters of an encoder-only checkpoint into {@code target}, after
     * checking every name and shape.
     *
     * @param owner names the target in messages, for example {@code the teacher}
     * @throws IllegalArgumentException if the checkpoint is not encoder-only, was written for
     *     another encoder config, or a parameter does not match
     */
    public static void loadInto(Checkpoint checkpoint, VisionTransformer target, String owner) {
        SaltModelConfig modelConfig = readModelConfig(checkpoint);
        if (!modelConfig.getEncoder().equals(target.getConfig())) {
            throw new IllegalArgumentException(
                    "the encoder checkpoint was written for encoder "
                            + modelConfig.getEncoder()
                            + " but "
                            + owner
                            + " has "
                            + target.getConfig());
        }
        checkpoint.loadGroup("parameter", owner, GROUP, BlockParameters.arrays(target));
    }

    static VisionTransformer newEncoder(SaltModelConfig modelConfig, NDManager manager) {
        VisionTransformer encoder =
                VisionTransformer.builder().setConfig(modelConfig.getEncoder()).build();
        // The checkpoint overwrites every value, so skip the seeded random initialisation.
        encoder.setInitializer(Initializer.ZEROS, parameter -> true);
        encoder.initialize(manager, DataType.FLOAT32, modelConfig.getEncoder().inputShape(1));
        return encoder;
    }

    private static JsonNode parseConfig(Checkpoint checkpoint) {
        JsonNode json;
        try {
            json = MAPPER.readTree(checkpoint.getConfigJson());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "checkpoint configuration is not valid JSON: " + e.getOriginalMessage(), e);
        }
        String kind = json == null ? null : json.path("kind").asText(null);
        if (!KIND.equals(kind)) {
            throw new IllegalArgumentException(
                    "expected an encoder-only checkpoint (kind '"
                            + KIND
                            + "'), got kind '"
                            + kind
                            + "'; write one with SaltTrainer.saveEncoderSnapshot()");
        }
        if (!json.path("model").isObject()) {
            throw new IllegalArgumentException("encoder checkpoint has no 'model' object");
        }
        return json;
    }

    private static SaltPhase parsePhase(JsonNode node) {
        String text = node == null ? "" : node.asText("");
        try {
            return SaltPhase.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "encoder checkpoint has phase '" + text + "', expected TEACHER or STUDENT", e);
        }
    }

    /**
     * Encodes a batch into one vector per sample, the mean of its tokens.
     *
     * @param batch [B, C, H, W] images or [B, C, T, H, W] clips, float32, normalised as in
     *     training; not closed or changed
     * @return [B][D]
     */
    public float[][] encode(NDArray batch) {
        checkOpen();
        return EncoderInference.meanPooled(encoder, manager, batch);
    }

    /**
     * Encodes a batch into its token grid.
     *
     * @return [B][N][D]
     */
    public float[][][] encodeTokens(NDArray batch) {
        checkOpen();
        return EncoderInference.tokens(encoder, manager, batch);
    }

    private void checkOpen() {
        if (!manager.isOpen()) {
            throw new IllegalStateException("this EncoderSnapshot is closed");
        }
    }

    /** Returns the networks' config, whose encoder part describes {@link #getEncoder()}. */
    public SaltModelConfig getModelConfig() {
        return modelConfig;
    }

    /** Returns the training step the parameters come from. */
    public long getStep() {
        return step;
    }

    /** Returns the stage that produced the parameters. */
    public SaltPhase getPhase() {
        return phase;
    }

    /** Returns the encoder, with frozen parameters, valid until {@link #close()}. */
    public VisionTransformer getEncoder() {
        return encoder;
    }

    /** Returns the manager that owns the encoder and whose device runs the encoding. */
    public NDManager getManager() {
        return manager;
    }

    /** Releases the encoder's arrays. */
    @Override
    public void close() {
        manager.close();
    }
}
