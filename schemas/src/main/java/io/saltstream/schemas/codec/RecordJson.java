package io.saltstream.schemas.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Renders a saltstream record as one line of JSON for people reading a topic, for example with
 * {@code saltstream consume --format json}. The output is a summary, not a lossless encoding:
 *
 * <ul>
 *   <li>the first key is {@code "type"} with the record's simple name, then every field by its Avro
 *       name in schema order, so the output is deterministic;
 *   <li>enums are their symbol, timestamp-millis fields are ISO-8601 strings in UTC, optional
 *       fields without a value are {@code null};
 *   <li>{@code bytes} fields become {@code {"length": N, "sha256": "<first 12 hex digits>"}};
 *   <li>float arrays (an embedding vector) become {@code {"dimension": d, "head": [first 4 values],
 *       "norm": <L2 norm>}};
 *   <li>a record inside a union of several records, such as ModelSnapshot's parameters, starts with
 *       a {@code "kind"} key: {@code "inline"} or {@code "stored"};
 *   <li>NaN and infinite numbers, which JSON cannot hold, are the strings {@code "NaN"}, {@code
 *       "Infinity"} and {@code "-Infinity"}.
 * </ul>
 *
 * <p>The methods are thread-safe.
 */
public final class RecordJson {
    /** Number of leading vector values shown. */
    static final int VECTOR_HEAD_LENGTH = 4;

    /** Number of hex digits of the SHA-256 shown for bytes fields. */
    static final int SHA256_PREFIX_LENGTH = 12;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The {@code "kind"} of each record that is a branch of a union of several records. */
    private static final Map<String, String> UNION_KINDS =
            Map.of("InlineParameters", "inline", "StoredParameters", "stored");

    private RecordJson() {}

    /** Renders the record as one line of JSON (no line breaks, strings escaped). */
    public static String toJson(IndexedRecord record) {
        try {
            return MAPPER.writeValueAsString(toJsonTree(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "Writing a JSON tree of " + record.getSchema().getName() + " failed", e);
        }
    }

    /** Renders the record as a JSON tree with the layout described in the class comment. */
    public static ObjectNode toJsonTree(IndexedRecord record) {
        if (record == null) {
            throw new IllegalArgumentException("Cannot render null as JSON: expected a record.");
        }
        ObjectNode node = NODES.objectNode();
        node.put("type", record.getSchema().getName());
        addFields(node, record);
        return node;
    }

    private static void addFields(ObjectNode node, IndexedRecord record) {
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), render(field.schema(), record.get(field.pos())));
        }
    }

    private static JsonNode render(Schema schema, Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case INT:
                return NODES.numberNode((Integer) value);
            case LONG:
                return renderLong(schema, value);
            case FLOAT:
                return renderFloat((Float) value);
            case DOUBLE:
                return renderDouble((Double) value);
            case STRING:
            case ENUM:
                return NODES.textNode(value.toString());
            case BYTES:
                return summarizeBytes(((ByteBuffer) value).duplicate());
            case FIXED:
                return summarizeBytes(ByteBuffer.wrap(((GenericFixed) value).bytes()));
            case ARRAY:
                return renderArray(schema, (List<?>) value);
            case MAP:
                return renderMap(schema, (Map<?, ?>) value);
            case UNION:
                return renderUnion(schema, value);
            case RECORD:
                ObjectNode node = NODES.objectNode();
                addFields(node, (IndexedRecord) value);
                return node;
            case NULL:
                return NODES.nullNode();
            default:
                throw new IllegalStateException("Unsupported Avro type " + schema.getType());
        }
    }

    private static JsonNode renderLong(Schema schema, Object value) {
        if (value instanceof Instant) {
            return NODES.textNode(value.toString());
        }
        if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
            return NODES.textNode(Instant.ofEpochMilli((Long) value).toString());
        }
        return NODES.numberNode((Long) value);
    }

    private static JsonNode renderFloat(float value) {
        return Float.isFinite(value)
                ? NODES.numberNode(value)
                : NODES.textNode(Float.toString(value));
    }

    private static JsonNode renderDouble(double value) {
        return Double.isFinite(value)
                ? NODES.numberNode(value)
                : NODES.textNode(Double.toString(value));
    }

    private static JsonNode renderArray(Schema schema, List<?> items) {
        if (schema.getElementType().getType() == Schema.Type.FLOAT) {
            return summarizeVector(items);
        }
        ArrayNode array = NODES.arrayNode(items.size());
        for (Object item : items) {
            array.add(render(schema.getElementType(), item));
        }
        return array;
    }

    private static JsonNode renderMap(Schema schema, Map<?, ?> entries) {
        // Sorted by key, because Avro maps have no defined order.
        Map<String, Object> sorted = new TreeMap<>();
        entries.forEach((key, value) -> sorted.put(key.toString(), value));
        ObjectNode node = NODES.objectNode();
        sorted.forEach((key, value) -> node.set(key, render(schema.getValueType(), value)));
        return node;
    }

    private static JsonNode renderUnion(Schema union, Object value) {
        List<Schema> nonNullBranches =
                union.getTypes().stream()
                        .filter(branch -> branch.getType() != Schema.Type.NULL)
                        .toList();
        if (value instanceof IndexedRecord record && nonNullBranches.size() > 1) {
            String name = record.getSchema().getName();
            ObjectNode node = NODES.objectNode();
            node.put("kind", UNION_KINDS.getOrDefault(name, name));
            addFields(node, record);
            return node;
        }
        Schema branch =
                nonNullBranches.size() == 1
                        ? nonNullBranches.get(0)
                        : union.getTypes().get(GenericData.get().resolveUnion(union, value));
        return render(branch, value);
    }

    private static ObjectNode summarizeBytes(ByteBuffer bytes) {
        ObjectNode node = NODES.objectNode();
        node.put("length", bytes.remaining());
        node.put("sha256", sha256Hex(bytes).substring(0, SHA256_PREFIX_LENGTH));
        return node;
    }

    private static ObjectNode summarizeVector(List<?> values) {
        ArrayNode head = NODES.arrayNode();
        double sumOfSquares = 0;
        for (int i = 0; i < values.size(); i++) {
            float value = (Float) values.get(i);
            sumOfSquares += (double) value * value;
            if (i < VECTOR_HEAD_LENGTH) {
                head.add(renderFloat(value));
            }
        }
        ObjectNode node = NODES.objectNode();
        node.put("dimension", values.size());
        node.set("head", head);
        node.set("norm", renderDouble(Math.sqrt(sumOfSquares)));
        return node;
    }

    private static String sha256Hex(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (java.security.MessageDigest Javadoc).
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
