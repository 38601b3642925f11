package org.postalfunds.chaincode.support;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.ControlSummed;

/**
 * The one JSON mapper. Every endorsing peer must produce the same bytes, so output has sorted properties and map
 * keys, no nulls, no floating point; input is strict (unknown, duplicate or mistyped fields are errors).
 */
public final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    public static byte[] bytes(final Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JacksonException failure) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), failure);
        }
    }

    public static String text(final Object value) {
        return new String(bytes(value), UTF_8);
    }

    /**
     * Reads a value this contract stored; a value that does not parse, or registers whose control sum is broken, mean
     * the state is corrupt (INVARIANT_VIOLATED).
     */
    public static <T> T stored(final byte[] value, final Class<T> type, final String key) {
        final T parsed;
        try {
            parsed = MAPPER.readValue(value, type);
        } catch (java.io.IOException failure) {
            throw ErrorCode.INVARIANT_VIOLATED.exception(
                    "stored " + type.getSimpleName() + " at " + printable(key) + " does not parse: " + failure.getMessage());
        }
        if (parsed instanceof ControlSummed registers) {
            registers.requireControlSum();
        }
        return parsed;
    }

    public static JsonNode tree(final byte[] value) {
        try {
            return MAPPER.readTree(value);
        } catch (java.io.IOException failure) {
            throw ErrorCode.INVARIANT_VIOLATED.exception("stored value does not parse: " + failure.getMessage());
        }
    }

    /** Parses a caller-supplied JSON argument. */
    public static <T> T argument(final String json, final Class<T> type, final String what) {
        if (json == null || json.isBlank()) {
            throw ErrorCode.MALFORMED_JSON.exception(what + " is empty");
        }
        if (json.length() > Limits.MAX_JSON_ARGUMENT_CHARS) {
            throw ErrorCode.MALFORMED_JSON.exception(
                    what + " is longer than " + Limits.MAX_JSON_ARGUMENT_CHARS + " characters");
        }
        try {
            final T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw ErrorCode.MALFORMED_JSON.exception(what + " is null");
            }
            return value;
        } catch (JacksonException failure) {
            throw ErrorCode.MALFORMED_JSON.exception(what + " is not valid: " + failure.getOriginalMessage());
        }
    }

    /** Composite keys start with U+0000; show them readably in messages. */
    public static String printable(final String key) {
        return key.replace('\u0000', '~');
    }
}
