package io.saltstream.models.vit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.Map;

/**
 * A constant [1, N, D] position-embedding table, created in the NDManager that owns the block's
 * parameters, so it lives as long as they do and never needs a gradient.
 *
 * <p>The blocks create it in {@code initialize}; a block whose parameters were set another way
 * creates it on first use. Either way the array is unregistered from any open {@link NDScope}, so a
 * per-step scope does not close it. A table that was closed anyway is created again.
 */
final class PositionTable {

    private final float[] values;
    private final Shape shape;
    private final Map<Device, NDArray> arrays = new HashMap<>();
    private NDManager owner;
    private DataType dataType;

    PositionTable(float[] values, int numTokens, int dim) {
        this.values = values;
        this.shape = new Shape(1, numTokens, dim);
    }

    /** Shape [1, N, D]. */
    Shape getShape() {
        return shape;
    }

    /** Returns a copy of the values, row-major [N, D]. */
    float[] getValues() {
        return values.clone();
    }

    /**
     * Returns the table on {@code device}, created in the manager of {@code anchor}'s array and
     * with its data type.
     *
     * @throws IllegalStateException when {@code anchor} has no array yet (the block was not
     *     initialised)
     */
    synchronized NDArray get(Parameter anchor, Device device) {
        if (!anchor.isInitialized()) {
            throw new IllegalStateException(
                    "parameter "
                            + anchor.getName()
                            + " is not initialised: call initialize(...) on the block or load its"
                            + " parameters before the forward pass");
        }
        NDManager manager = anchor.getArray().getManager();
        DataType parameterType = anchor.getArray().getDataType();
        if (manager != owner || parameterType != dataType) {
            arrays.clear();
            owner = manager;
            dataType = parameterType;
        }
        NDArray array = arrays.get(device);
        if (array == null || array.isReleased()) {
            array = create(device);
            arrays.put(device, array);
        }
        return array;
    }

    private NDArray create(Device device) {
        NDArray array = owner.create(values, shape);
        if (dataType != DataType.FLOAT32) {
            NDArray converted = array.toType(dataType, false);
            array.close();
            array = converted;
        }
        NDScope.unregister(array);
        if (!array.getDevice().equals(device)) {
            NDArray moved = array.toDevice(device, false);
            NDScope.unregister(moved);
            array.close();
            array = moved;
        }
        return array;
    }
}
