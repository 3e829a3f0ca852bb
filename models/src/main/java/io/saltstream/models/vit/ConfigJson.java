package io.saltstream.models.vit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.function.IntConsumer;

/** JSON reading and writing shared by the model configs, with strict parsing. */
final class ConfigJson {

    /**
     * Strict mapper: unknown keys, fractional values for integer fields and trailing text are
     * errors. Unknown keys already fail by Jackson's default.
     */
    private static final ObjectMapper MAPPER =
            new ObjectMapper()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ConfigJson() {}

    static String write(Object config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "failed to write " + config.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * Parses {@code json} into {@code type}. A validation error raised while building the config
     * comes out as that {@link IllegalArgumentException}'s message; a syntax or type error names
     * the config type and Jackson's description of the problem.
     */
    static <T> T read(String json, Class<T> type) {
        if (json == null) {
            throw new IllegalArgumentException(
                    "invalid " + type.getSimpleName() + " JSON: expected a JSON object, got null");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof IllegalArgumentException) {
                    throw new IllegalArgumentException(cause.getMessage(), e);
                }
            }
            throw new IllegalArgumentException(
                    "invalid " + type.getSimpleName() + " JSON: " + e.getOriginalMessage(), e);
        }
    }

    static void required(String key, Integer value, IntConsumer setter, List<String> missing) {
        if (value == null) {
            missing.add(key);
        } else {
            setter.accept(value);
        }
    }

    static void missingKeys(String type, List<String> missing) {
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid " + type + " JSON: missing required keys " + missing);
        }
    }
}
