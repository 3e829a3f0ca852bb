package io.saltstream.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.saltstream.models.checkpoint.BlockParameters;
import io.saltstream.models.checkpoint.Checkpoint;
import io.saltstream.models.checkpoint.CheckpointEntry;
import io.saltstream.models.vit.MaskedTokenPredictor;
import io.saltstream.models.vit.PixelDecoder;
import io.saltstream.models.vit.SaltModelConfig;
import io.saltstream.models.vit.VisionTransformer;
import io.saltstream.models.vit.VisionTransformerPredictor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The networks of one stage, in one NDManager that closes them all.
 *
 * <ul>
 *   <li>TEACHER: the encoder being trained (checkpoint group {@value #TEACHER_GROUP}) and the pixel
 *       decoder ({@value #DECODER_GROUP}).
 *   <li>STUDENT: the frozen teacher ({@value #TEACHER_GROUP}), the student ({@value
 *       #STUDENT_GROUP}) and the predictor ({@value #PREDICTOR_GROUP}).
 * </ul>
 */
final class StageModels implements AutoCloseable {

    static final String TEACHER_GROUP = "teacher";
    static final String STUDENT_GROUP = "student";
    static final String DECODER_GROUP = "decoder";
    static final String PREDICTOR_GROUP = "predictor";

    private final SaltPhase phase;
    private final NDManager manager;
    private final VisionTransformer encoder;
    private final MaskedTokenPredictor head;
    private final VisionTransformer frozenTeacher;
    private final Map<String, NDArray> trainable;

    private StageModels(
            SaltPhase phase,
            NDManager manager,
            VisionTransformer encoder,
            MaskedTokenPredictor head,
            VisionTransformer frozenTeacher) {
        this.phase = phase;
        this.manager = manager;
        this.encoder = encoder;
        this.head = head;
        this.frozenTeacher = frozenTeacher;
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        putAll(arrays, encoderGroup(), encoder);
        putAll(arrays, headGroup(), head);
        this.trainable = Collections.unmodifiableMap(arrays);
    }

    private static void putAll(Map<String, NDArray> target, String group, Block block) {
        for (Map.Entry<String, NDArray> entry : BlockParameters.arrays(block).entrySet()) {
            target.put(group + "." + entry.getKey(), entry.getValue());
        }
    }

    /**
     * Creates the networks of a stage under {@code root}.
     *
     * @param randomInit true for the seeded initialisation, false for zeros that a checkpoint or a
     *     copy will overwrite (faster for large models)
     */
    static StageModels create(
            SaltPhase phase,
            SaltModelConfig modelConfig,
            NDManager root,
            long initSeed,
            boolean randomInit) {
        NDManager manager = root.newSubManager();
        manager.setName("salt-" + phase.name().toLowerCase(java.util.Locale.ROOT));
        try {
            long seed = phase == SaltPhase.TEACHER ? initSeed : initSeed + 1;
            VisionTransformer encoder =
                    VisionTransformer.builder()
                            .setConfig(modelConfig.getEncoder())
                            .optSeed(seed)
                            .build();
            MaskedTokenPredictor head =
                    phase == SaltPhase.TEACHER
                            ? PixelDecoder.builder()
                                    .setModelConfig(modelConfig)
                                    .optSeed(seed)
                                    .build()
                            : VisionTransformerPredictor.builder()
                                    .setModelConfig(modelConfig)
                                    .optSeed(seed)
                                    .build();
            initializeEncoder(encoder, manager, randomInit);
            if (!randomInit) {
                head.setInitializer(Initializer.ZEROS, parameter -> true);
            }
            head.initialize(manager, DataType.FLOAT32, head.inputShapes(1, 1, 1));
            VisionTransformer teacher = null;
            if (phase == SaltPhase.STUDENT) {
                teacher = VisionTransformer.builder().setConfig(modelConfig.getEncoder()).build();
                // The Stage-1 encoder or a checkpoint overwrites every value.
                initializeEncoder(teacher, manager, false);
                teacher.freezeParameters(true);
            }
            StageModels models = new StageModels(phase, manager, encoder, head, teacher);
            models.createConstants();
            return models;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static void initializeEncoder(
            VisionTransformer encoder, NDManager manager, boolean randomInit) {
        if (!randomInit) {
            encoder.setInitializer(Initializer.ZEROS, parameter -> true);
        }
        encoder.initialize(manager, DataType.FLOAT32, encoder.getConfig().inputShape(1));
    }

    /**
     * Runs each network once on a one-sample input, so that constants the blocks create on first
     * use (position tables) exist before any training step. The step's NDScope closes every array
     * created inside it, and must not close those.
     */
    private void createConstants() {
        long tokens = encoder.getConfig().getNumPatches();
        try (NDManager scope = manager.newSubManager();
                NoGradientScope ignored = NoGradientScope.open()) {
            ParameterStore parameters = new ParameterStore(scope, false);
            NDArray input = scope.zeros(encoder.getConfig().inputShape(1));
            NDArray all = encoder.forward(parameters, new NDList(input), false).singletonOrThrow();
            if (frozenTeacher != null) {
                frozenTeacher.forward(parameters, new NDList(input), false);
            }
            NDArray contextIndices = scope.create(new long[][] {{0}});
            NDArray targetIndices = scope.create(new long[][] {{tokens - 1}});
            NDArray context = all.get(":, 0:1, :");
            head.forward(parameters, new NDList(context, contextIndices, targetIndices), false);
        }
    }

    SaltPhase getPhase() {
        return phase;
    }

    /** Returns the encoder being trained: the future teacher in Stage 1, the student in Stage 2. */
    VisionTransformer getEncoder() {
        return encoder;
    }

    /** Returns the pixel decoder in Stage 1 and the predictor in Stage 2. */
    MaskedTokenPredictor getHead() {
        return head;
    }

    /** Returns the frozen teacher in Stage 2, or null in Stage 1. */
    VisionTransformer getFrozenTeacher() {
        return frozenTeacher;
    }

    NDManager getManager() {
        return manager;
    }

    /** Checkpoint group of the encoder being trained. */
    String encoderGroup() {
        return phase == SaltPhase.TEACHER ? TEACHER_GROUP : STUDENT_GROUP;
    }

    /** Checkpoint group of the head. */
    String headGroup() {
        return phase == SaltPhase.TEACHER ? DECODER_GROUP : PREDICTOR_GROUP;
    }

    /** Trainable arrays by {@code group.parameter}, encoder first. */
    Map<String, NDArray> trainable() {
        return trainable;
    }

    /** Copies every network's parameters into checkpoint entries. */
    List<CheckpointEntry> entries() {
        List<CheckpointEntry> entries = new ArrayList<>();
        if (frozenTeacher != null) {
            entries.addAll(BlockParameters.entries(TEACHER_GROUP, frozenTeacher));
        }
        entries.addAll(BlockParameters.entries(encoderGroup(), encoder));
        entries.addAll(BlockParameters.entries(headGroup(), head));
        return entries;
    }

    /**
     * Checks every group of the checkpoint against these networks, then loads them. Nothing is
     * written unless all groups match.
     *
     * @throws IllegalArgumentException naming the first mismatch
     */
    void load(Checkpoint checkpoint) {
        List<String> groups = new ArrayList<>();
        List<Map<String, NDArray>> targets = new ArrayList<>();
        if (frozenTeacher != null) {
            groups.add(TEACHER_GROUP);
            targets.add(BlockParameters.arrays(frozenTeacher));
        }
        groups.add(encoderGroup());
        targets.add(BlockParameters.arrays(encoder));
        groups.add(headGroup());
        targets.add(BlockParameters.arrays(head));
        // Validate every group against an empty copy first, so a mismatch in a later group
        // cannot leave earlier groups loaded.
        for (int i = 0; i < groups.size(); i++) {
            checkpoint.checkGroup("parameter", "the model", groups.get(i), targets.get(i));
        }
        for (int i = 0; i < groups.size(); i++) {
            checkpoint.loadGroup("parameter", "the model", groups.get(i), targets.get(i));
        }
    }

    /**
     * Copies the parameters of {@code source}, a Stage-1 encoder, into the frozen teacher. The
     * arrays are copied, never shared.
     */
    void copyIntoTeacher(VisionTransformer source) {
        Map<String, NDArray> from = BlockParameters.arrays(source);
        Map<String, NDArray> to = BlockParameters.arrays(frozenTeacher);
        for (Map.Entry<String, NDArray> entry : to.entrySet()) {
            NDArray sourceArray = from.get(entry.getKey());
            if (sourceArray == null
                    || !sourceArray.getShape().equals(entry.getValue().getShape())) {
                throw new IllegalStateException(
                        "teacher parameter "
                                + entry.getKey()
                                + " has no counterpart of equal shape");
            }
            entry.getValue().set(sourceArray.toByteBuffer());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
