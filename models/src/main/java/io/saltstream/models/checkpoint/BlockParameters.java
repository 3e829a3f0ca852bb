package io.saltstream.models.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Access to a DJL block's parameters by name, for checkpoints and optimisers. */
public final class BlockParameters {

    private BlockParameters() {}

    /**
     * Returns every parameter array of {@code block} and its children under DJL's hierarchical
     * names (for example {@code 02block0_02qkv_weight}), in the block's order. The arrays are the
     * block's own: never close them.
     *
     * @throws IllegalStateException if a parameter is not initialised
     */
    public static Map<String, NDArray> arrays(Block block) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            Parameter parameter = entry.getValue();
            if (!parameter.isInitialized()) {
                throw new IllegalStateException(
                        "parameter "
                                + entry.getKey()
                                + " is not initialised: call initialize(...) on the block first");
            }
            arrays.put(entry.getKey(), parameter.getArray());
        }
        return Collections.unmodifiableMap(arrays);
    }

    /** Copies every parameter of {@code block} into checkpoint entries of {@code group}. */
    public static List<CheckpointEntry> entries(String group, Block block) {
        List<CheckpointEntry> entries = new ArrayList<>();
        for (Map.Entry<String, NDArray> entry : arrays(block).entrySet()) {
            entries.add(CheckpointEntry.of(group, entry.getKey(), entry.getValue()));
        }
        return entries;
    }

    /** Returns the total number of elements of the block's parameters. */
    public static long count(Block block) {
        long count = 0;
        for (NDArray array : arrays(block).values()) {
            count += array.size();
        }
        return count;
    }
}
