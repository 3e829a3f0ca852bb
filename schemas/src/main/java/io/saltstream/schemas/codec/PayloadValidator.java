package io.saltstream.schemas.codec;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Walks an Avro binary payload along the writer schema without building objects, so that truncated
 * or corrupt bytes are rejected before Avro's decoder reads them.
 *
 * <p>Avro 1.12.1's decoder allocates a buffer of whatever length a bytes or string field declares
 * before it notices that the input is shorter, so one corrupt length field can throw {@link
 * OutOfMemoryError}; an enum index out of range escapes as {@link ArrayIndexOutOfBoundsException}.
 * This walk checks every length against the bytes left and every enum and union index against the
 * schema, and its messages name the field.
 */
final class PayloadValidator {
    private static final int MAX_INT_VARINT_BYTES = 5;
    private static final int MAX_LONG_VARINT_BYTES = 10;

    private final byte[] bytes;
    private final List<String> expectedTypes;
    private int position;

    private PayloadValidator(byte[] bytes, int offset, List<String> expectedTypes) {
        this.bytes = bytes;
        this.position = offset;
        this.expectedTypes = expectedTypes;
    }

    /**
     * Checks that {@code bytes} from {@code offset} to the end hold exactly one datum of {@code
     * writerSchema}.
     *
     * @throws TruncatedRecordException if the bytes end before the datum does
     * @throws MalformedRecordException if a length is negative, an index is out of range, a
     *     variable-length integer is too long, or bytes remain after the datum
     */
    static void validate(
            Schema writerSchema, byte[] bytes, int offset, List<String> expectedTypes) {
        PayloadValidator validator = new PayloadValidator(bytes, offset, expectedTypes);
        validator.walkValue(writerSchema, FieldPath.ROOT);
        if (validator.position != bytes.length) {
            throw new MalformedRecordException(
                    "Cannot decode "
                            + SingleObjectFormat.describeExpected(expectedTypes)
                            + ": the record is corrupt: "
                            + (bytes.length - validator.position)
                            + " unexpected bytes follow the end of the record, which ends at byte "
                            + validator.position
                            + " of "
                            + bytes.length
                            + ".",
                    expectedTypes,
                    null);
        }
    }

    private void walkValue(Schema schema, FieldPath path) {
        switch (schema.getType()) {
            case NULL:
                break;
            case BOOLEAN:
                skip(1, path, "a boolean");
                break;
            case INT:
                readVarLong(MAX_INT_VARINT_BYTES, path, "an int");
                break;
            case LONG:
                readVarLong(MAX_LONG_VARINT_BYTES, path, "a long");
                break;
            case FLOAT:
                skip(4, path, "a float");
                break;
            case DOUBLE:
                skip(8, path, "a double");
                break;
            case FIXED:
                skip(schema.getFixedSize(), path, "a fixed of " + schema.getFixedSize() + " bytes");
                break;
            case STRING:
                skipLengthPrefixed("string", path);
                break;
            case BYTES:
                skipLengthPrefixed("bytes value", path);
                break;
            case ENUM:
                checkEnumIndex(schema, path);
                break;
            case UNION:
                walkUnion(schema, path);
                break;
            case RECORD:
                for (Schema.Field field : schema.getFields()) {
                    walkValue(field.schema(), path.field(field.name()));
                }
                break;
            case ARRAY:
            case MAP:
                walkBlocks(schema, path);
                break;
            default:
                throw new IllegalStateException(
                        "Unsupported Avro type " + schema.getType() + " in field " + path);
        }
    }

    private void skipLengthPrefixed(String type, FieldPath path) {
        long length = readVarLong(MAX_LONG_VARINT_BYTES, path, "a length prefix");
        if (length < 0) {
            throw malformed(path, "the " + type + " declares a negative length: " + length);
        }
        if (length > remaining()) {
            throw truncated(
                    path,
                    "the "
                            + type
                            + " declares "
                            + length
                            + " bytes but only "
                            + remaining()
                            + " of the "
                            + bytes.length
                            + " bytes remain");
        }
        position += (int) length;
    }

    private void checkEnumIndex(Schema schema, FieldPath path) {
        long index = readVarLong(MAX_INT_VARINT_BYTES, path, "an enum index");
        List<String> symbols = schema.getEnumSymbols();
        if (index < 0 || index >= symbols.size()) {
            throw malformed(
                    path,
                    "enum index "
                            + index
                            + " is out of range: "
                            + schema.getName()
                            + " has "
                            + symbols.size()
                            + " symbols "
                            + symbols);
        }
    }

    private void walkUnion(Schema schema, FieldPath path) {
        long index = readVarLong(MAX_INT_VARINT_BYTES, path, "a union branch index");
        List<Schema> branches = schema.getTypes();
        if (index < 0 || index >= branches.size()) {
            throw malformed(
                    path,
                    "union branch index "
                            + index
                            + " is out of range: the union has "
                            + branches.size()
                            + " branches "
                            + branches.stream().map(Schema::getName).toList());
        }
        walkValue(branches.get((int) index), path);
    }

    /**
     * Walks the blocks of an array or map. Each block is an item count followed by the items. A
     * negative count is followed by the block's size in bytes, and a count of 0 ends the blocks.
     */
    private void walkBlocks(Schema schema, FieldPath path) {
        boolean isMap = schema.getType() == Schema.Type.MAP;
        Schema itemSchema = isMap ? schema.getValueType() : schema.getElementType();
        long itemIndex = 0;
        while (true) {
            long count = readVarLong(MAX_LONG_VARINT_BYTES, path, "a block item count");
            if (count == 0) {
                return;
            }
            if (count < 0) {
                if (count == Long.MIN_VALUE) {
                    throw malformed(path, "the block item count " + count + " is out of range");
                }
                count = -count;
                long blockSize = readVarLong(MAX_LONG_VARINT_BYTES, path, "a block size");
                if (blockSize < 0) {
                    throw malformed(path, "the block size is negative: " + blockSize);
                }
            }

            int itemSize = fixedEncodedSize(itemSchema);
            if (!isMap && itemSize >= 0) {
                // Items of one size (float vectors) are skipped in one step.
                skipItems(count, itemSize, itemIndex, path);
                itemIndex += count;
                continue;
            }
            for (long i = 0; i < count; i++, itemIndex++) {
                FieldPath itemPath = path.item(itemIndex);
                if (isMap) {
                    skipLengthPrefixed("string", itemPath);
                }
                walkValue(itemSchema, itemPath);
            }
        }
    }

    private void skipItems(long count, int itemSize, long firstIndex, FieldPath path) {
        if (itemSize == 0) {
            return;
        }
        long available = remaining() / itemSize;
        if (count > available) {
            throw truncated(
                    path.item(firstIndex + available),
                    "the block has "
                            + count
                            + " items of "
                            + itemSize
                            + " bytes but only "
                            + remaining()
                            + " of the "
                            + bytes.length
                            + " bytes remain");
        }
        position += (int) (count * itemSize);
    }

    /** Returns the encoded size of values that always take the same bytes, or -1. */
    private static int fixedEncodedSize(Schema schema) {
        switch (schema.getType()) {
            case NULL:
                return 0;
            case FLOAT:
                return 4;
            case DOUBLE:
                return 8;
            case FIXED:
                return schema.getFixedSize();
            case RECORD:
                // A record of fixed-size fields has a fixed size too. Handling it here keeps a
                // huge count of zero-size records from looping once per item.
                int size = 0;
                for (Schema.Field field : schema.getFields()) {
                    int fieldSize = fixedEncodedSize(field.schema());
                    if (fieldSize < 0) {
                        return -1;
                    }
                    size += fieldSize;
                }
                return size;
            default:
                return -1;
        }
    }

    /** Reads a zig-zag encoded variable-length integer of at most {@code maxBytes} bytes. */
    private long readVarLong(int maxBytes, FieldPath path, String valueDescription) {
        long raw = 0;
        for (int i = 0; i < maxBytes; i++) {
            if (position >= bytes.length) {
                throw truncated(
                        path,
                        valueDescription
                                + " continues past the end of the "
                                + bytes.length
                                + " bytes");
            }
            int current = bytes[position++] & 0xFF;
            raw |= (long) (current & 0x7F) << (7 * i);
            if ((current & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw malformed(
                path,
                valueDescription
                        + " is not a valid variable-length integer: it has more than "
                        + maxBytes
                        + " bytes");
    }

    private void skip(int length, FieldPath path, String valueDescription) {
        if (length > remaining()) {
            throw truncated(
                    path,
                    valueDescription
                            + " needs "
                            + length
                            + " bytes but only "
                            + remaining()
                            + " of the "
                            + bytes.length
                            + " bytes remain");
        }
        position += length;
    }

    private int remaining() {
        return bytes.length - position;
    }

    private TruncatedRecordException truncated(FieldPath path, String detail) {
        return new TruncatedRecordException(
                "Cannot decode "
                        + SingleObjectFormat.describeExpected(expectedTypes)
                        + ": the record is truncated in field "
                        + path
                        + ": "
                        + detail
                        + ". The bytes were cut short, for example by a size limit on the way.",
                expectedTypes);
    }

    private MalformedRecordException malformed(FieldPath path, String detail) {
        return new MalformedRecordException(
                "Cannot decode "
                        + SingleObjectFormat.describeExpected(expectedTypes)
                        + ": the record is corrupt in field "
                        + path
                        + ": "
                        + detail
                        + ".",
                expectedTypes,
                null);
    }

    /**
     * Location of a value inside the record, rendered as {@code architecture.preset} or {@code
     * vector[3]} only when a message needs it.
     */
    private static final class FieldPath {
        static final FieldPath ROOT = new FieldPath(null, null, -1);

        private final FieldPath parent;
        private final String name;
        private final long index;

        private FieldPath(FieldPath parent, String name, long index) {
            this.parent = parent;
            this.name = name;
            this.index = index;
        }

        FieldPath field(String fieldName) {
            return new FieldPath(this, fieldName, -1);
        }

        FieldPath item(long itemIndex) {
            return new FieldPath(this, null, itemIndex);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return "";
            }
            String prefix = parent.toString();
            if (name == null) {
                return prefix + "[" + index + "]";
            }
            return prefix.isEmpty() ? name : prefix + "." + name;
        }
    }
}
