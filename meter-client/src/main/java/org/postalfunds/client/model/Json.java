package org.postalfunds.client.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;

/**
 * The client's JSON. Ledger answers are read leniently (a newer contract may add fields) but never with
 * floating point money; files people hand us (indicia, policies, profiles) are read strictly, so a typo
 * in a field name is an error rather than a silently ignored setting.
 */
public final class Json {
    /** Longest document accepted from anywhere; the contract's largest answer (a page of 100 transfers) is far below. */
    public static final int MAX_DOCUMENT_CHARS = 4 * 1024 * 1024;

    private static final JsonMapper LENIENT = base()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final JsonMapper STRICT = base()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonMapper PRETTY = base().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {
    }

    private static JsonMapper.Builder base() {
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxDocumentLength(MAX_DOCUMENT_CHARS).maxNestingDepth(64).maxStringLength(MAX_DOCUMENT_CHARS).build())
                .build();
        return JsonMapper.builder(factory)
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));
    }

    /** Reads a ledger answer. */
    public static <T> T fromLedger(final byte[] json, final Class<T> type) {
        try {
            return LENIENT.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the ledger answered JSON this client cannot read as "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static JsonNode treeFromLedger(final byte[] json) {
        try {
            return LENIENT.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the ledger answered something that is not JSON: " + e.getMessage(), e);
        }
    }

    /** Converts a part of a ledger answer into a typed value. */
    public static <T> T convert(final JsonNode node, final Class<T> type) {
        try {
            return LENIENT.treeToValue(node, type);
        } catch (JacksonException e) {
            throw new IllegalStateException("the ledger answered JSON this client cannot read as "
                    + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a document a person or another program wrote; unknown or duplicate fields are errors.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static <T> T strict(final String json, final Class<T> type, final String what) {
        if (json.length() > MAX_DOCUMENT_CHARS) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_DOCUMENT_CHARS + " characters");
        }
        try {
            T value = STRICT.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException(what + " is empty");
            }
            return value;
        } catch (JacksonException e) {
            throw new IllegalArgumentException(what + " is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /** Compact JSON with sorted keys: the same value always gives the same bytes. */
    public static String compact(final Object value) {
        try {
            return STRICT.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Indented JSON for people and for --json output. */
    public static String pretty(final Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String text(final byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
