package io.saltstream.models.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One named array of a {@link Checkpoint}: its group ({@code student}, {@code teacher}, {@code
 * predictor}, {@code decoder}, {@code optimizer}), name, data type, shape and raw little-endian
 * data.
 *
 * <p>Instances are immutable: the data array is copied on the way in and out.
 */
public final class CheckpointEntry {

    /** Data types an entry may hold: numeric types of a fixed element size. */
    public static final Set<DataType> SUPPORTED_TYPES =
            EnumSet.of(
                    DataType.FLOAT32,
                    DataType.FLOAT64,
                    DataType.FLOAT16,
                    DataType.BFLOAT16,
                    DataType.INT64,
                    DataType.INT32,
                    DataType.INT16,
                    DataType.INT8,
                    DataType.UINT8,
                    DataType.BOOLEAN);

    private final String group;
    private final String name;
    private final DataType dataType;
    private final long[] shape;
    private final byte[] data;

    /**
     * Creates an entry.
     *
     * @param group the group, non-empty
     * @param name the name inside the group, non-empty
     * @param dataType one of {@link #SUPPORTED_TYPES}
     * @param shape the dimensions, each at least 0
     * @param littleEndianData the elements in row-major order, little-endian
     * @throws IllegalArgumentException if a value is invalid or the data length does not match the
     *     shape and data type
     */
    public CheckpointEntry(
            String group, String name, DataType dataType, long[] shape, byte[] littleEndianData) {
        this(group, name, dataType, shape.clone(), littleEndianData.clone(), true);
    }

    private CheckpointEntry(
            String group,
            String name,
            DataType dataType,
            long[] shape,
            byte[] data,
            boolean validate) {
        this.group = group;
        this.name = name;
        this.dataType = dataType;
        this.shape = shape;
        this.data = data;
        if (validate) {
            validate();
        }
    }

    /** Creates an entry that takes ownership of {@code data} without copying it. */
    static CheckpointEntry adopt(
            String group, String name, DataType dataType, long[] shape, byte[] data) {
        return new CheckpointEntry(group, name, dataType, shape, data, true);
    }

    private void validate() {
        if (group == null || group.isEmpty()) {
            throw new IllegalArgumentException("checkpoint entry group must not be empty");
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(
                    "checkpoint entry name in group " + group + " must not be empty");
        }
        if (!SUPPORTED_TYPES.contains(dataType)) {
            throw new IllegalArgumentException(
                    "entry "
                            + key()
                            + " has data type "
                            + dataType
                            + ", expected one of "
                            + SUPPORTED_TYPES);
        }
        long elements = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException(
                        "entry " + key() + " has a negative dimension in shape " + shapeText());
            }
            elements = Math.multiplyExact(elements, dimension);
        }
        long expectedBytes = Math.multiplyExact(elements, dataType.getNumOfBytes());
        if (expectedBytes != data.length) {
            throw new IllegalArgumentException(
                    "entry "
                            + key()
                            + " of shape "
                            + shapeText()
                            + " and type "
                            + dataType
                            + " needs "
                            + expectedBytes
                            + " bytes but has "
                            + data.length);
        }
    }

    /**
     * Copies an array into an entry. The array is read, not changed or closed.
     *
     * @throws IllegalArgumentException if the array's data type is not supported
     */
    public static CheckpointEntry of(String group, String name, NDArray array) {
        ByteBuffer buffer = array.toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN) {
            swapByteOrder(bytes, array.getDataType().getNumOfBytes());
        }
        return adopt(group, name, array.getDataType(), array.getShape().getShape(), bytes);
    }

    /** Reverses the bytes of each element in place: big-endian to little-endian and back. */
    static void swapByteOrder(byte[] bytes, int elementSize) {
        for (int start = 0; start + elementSize <= bytes.length; start += elementSize) {
            for (int low = start, high = start + elementSize - 1; low < high; low++, high--) {
                byte swap = bytes[low];
                bytes[low] = bytes[high];
                bytes[high] = swap;
            }
        }
    }

    /** Returns {@code group.name}, the key used in messages and lookups. */
    public String key() {
        return group + "." + name;
    }

    public String getGroup() {
        return group;
    }

    public String getName() {
        return name;
    }

    public DataType getDataType() {
        return dataType;
    }

    /** Returns the shape as a DJL {@link Shape}. */
    public Shape getShape() {
        return new Shape(shape);
    }

    /** Returns a copy of the little-endian data. */
    public byte[] getData() {
        return data.clone();
    }

    /** Returns the number of data bytes. */
    public int getByteCount() {
        return data.length;
    }

    /** Returns the data without copying, for the writer. */
    byte[] rawData() {
        return data;
    }

    /** Returns the data in the byte order of this machine, ready for {@code NDArray.set}. */
    private ByteBuffer nativeOrderData() {
        byte[] bytes = data.clone();
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            swapByteOrder(bytes, dataType.getNumOfBytes());
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Creates a new array with this entry's data on the manager's device.
     *
     * @param manager the manager that owns the new array
     */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(nativeOrderData(), getShape(), dataType);
    }

    /**
     * Checks that {@code target} has this entry's shape and data type, naming the first mismatch.
     *
     * @param kind what the entry is, for the message, for example {@code parameter}
     * @param owner where the target comes from, for example {@code the model}
     * @param target the array that would receive the data
     * @throws IllegalArgumentException on a shape or data-type mismatch
     */
    public void checkCompatible(String kind, String owner, NDArray target) {
        Shape targetShape = target.getShape();
        if (!Arrays.equals(shape, targetShape.getShape())) {
            throw new IllegalArgumentException(
                    kind
                            + " "
                            + key()
                            + " has shape "
                            + shapeText()
                            + " in the checkpoint but "
                            + targetShape
                            + " in "
                            + owner);
        }
        if (dataType != target.getDataType()) {
            throw new IllegalArgumentException(
                    kind
                            + " "
                            + key()
                            + " has data type "
                            + dataType
                            + " in the checkpoint but "
                            + target.getDataType()
                            + " in "
                            + owner);
        }
    }

    /**
     * Writes this entry's data into {@code target} in place, after {@link #checkCompatible}.
     *
     * @throws IllegalArgumentException on a shape or data-type mismatch
     */
    public void copyInto(String kind, String owner, NDArray target) {
        checkCompatible(kind, owner, target);
        target.set(nativeOrderData());
    }

    /** Returns the shape as DJL prints it, for example {@code (192, 576)}. */
    public String shapeText() {
        return new Shape(shape).toString();
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof CheckpointEntry)) {
            return false;
        }
        CheckpointEntry that = (CheckpointEntry) other;
        return group.equals(that.group)
                && name.equals(that.name)
                && dataType == that.dataType
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(group, name, dataType, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "CheckpointEntry{" + key() + ", " + dataType + ", " + shapeText() + '}';
    }
}
