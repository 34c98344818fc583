package vn.resultsvault;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable JSON value: an answer of the library, with its raw text kept.
 *
 * <p>The value is a tree of {@code Map<String, Object>} (members in document order),
 * {@code List<Object>}, {@link String}, {@link Long} (or {@link BigInteger}), {@link Double} (or
 * {@link BigDecimal}), {@link Boolean} and {@code null}; all collections are unmodifiable. Navigate
 * it with {@link #get(String)} / {@link #get(int)} and read leaves with {@link #asString()},
 * {@link #asLong()}, {@link #asBoolean()}...; or take the plain tree with {@link #value()},
 * {@link #asMap()} and {@link #asList()}; or take the text with {@link #raw()} and give it to the
 * JSON library of your choice (Jackson, Gson...).
 *
 * <pre>{@code
 * Json answer = vault.ingest(meta, pdf);
 * String id = answer.get("record").get("result_id").asString();
 * boolean created = answer.get("created").asBoolean();
 * }</pre>
 */
public final class Json {
    private final Object value;
    private volatile String raw;

    Json(Object value, String raw) {
        this.value = value;
        this.raw = raw;
    }

    /**
     * Parses a JSON text (RFC 8259, strict: no comments, no trailing commas, no lone surrogates).
     *
     * @param text the text
     * @return the value, which keeps {@code text} as its raw form
     * @throws JsonException if the text is not one valid JSON value
     */
    public static Json parse(String text) {
        return new Json(JsonCodec.parse(text), text);
    }

    /**
     * Converts a Java value to JSON: maps with string keys, lists and arrays, strings, numbers,
     * booleans, {@code null}, enums, {@code Instant}/{@code OffsetDateTime}/{@code LocalDate} (ISO
     * text) and {@code Json} values, nested as deep as 512 levels.
     *
     * @param value the value
     * @return the value as a normalized JSON tree (e.g. an {@code Integer} becomes a {@code Long})
     * @throws JsonException if the value, or a part of it, has no JSON form
     */
    public static Json of(Object value) {
        return parse(stringify(value));
    }

    /**
     * Writes a Java value (as {@link #of(Object)} accepts it) as compact JSON text.
     *
     * @param value the value
     * @return the text
     * @throws JsonException if the value, or a part of it, has no JSON form (including a string
     *     with an unpaired surrogate, which cannot be encoded as UTF-8)
     */
    public static String stringify(Object value) {
        try {
            return JsonCodec.write(value);
        } catch (JsonCodec.WriteException e) {
            throw new JsonException(e.getMessage(), -1);
        }
    }

    /**
     * The JSON text: as the library returned it for an answer, or as written by this class for a
     * value taken out of one.
     *
     * @return the text
     */
    public String raw() {
        String r = raw;
        if (r == null) {
            r = JsonCodec.write(value);
            raw = r;
        }
        return r;
    }

    /**
     * The plain Java value.
     *
     * @return a {@code Map}, {@code List}, {@code String}, {@code Long}/{@code BigInteger},
     *     {@code Double}/{@code BigDecimal}, {@code Boolean} or {@code null}
     */
    public Object value() {
        return value;
    }

    /** @return whether this is JSON {@code null} */
    public boolean isNull() {
        return value == null;
    }

    /** @return whether this is an object */
    public boolean isObject() {
        return value instanceof Map;
    }

    /** @return whether this is an array */
    public boolean isArray() {
        return value instanceof List;
    }

    /** @return whether this is a string */
    public boolean isString() {
        return value instanceof String;
    }

    /** @return whether this is a number */
    public boolean isNumber() {
        return value instanceof Number;
    }

    /** @return whether this is {@code true} or {@code false} */
    public boolean isBoolean() {
        return value instanceof Boolean;
    }

    /**
     * Whether this is an object with a member of this name (whose value may be {@code null}).
     *
     * @param name the member name
     * @return {@code true} if the member exists
     */
    public boolean has(String name) {
        return value instanceof Map && ((Map<?, ?>) value).containsKey(name);
    }

    /**
     * A member of this object.
     *
     * @param name the member name
     * @return its value
     * @throws JsonException if this is not an object or has no such member
     */
    public Json get(String name) {
        Map<String, Object> map = asMap();
        if (!map.containsKey(name)) {
            throw new JsonException("no member \"" + name + "\" in " + abbreviated(), -1);
        }
        return new Json(map.get(name), null);
    }

    /**
     * A member of this object, if it is there and not {@code null}.
     *
     * @param name the member name
     * @return its value, or empty
     * @throws JsonException if this is not an object
     */
    public Optional<Json> find(String name) {
        Object v = asMap().get(name);
        return v == null ? Optional.empty() : Optional.of(new Json(v, null));
    }

    /**
     * An element of this array.
     *
     * @param index the index, from 0
     * @return the element
     * @throws JsonException if this is not an array or the index is out of range
     */
    public Json get(int index) {
        List<Object> list = asList();
        if (index < 0 || index >= list.size()) {
            throw new JsonException("index " + index + " out of range for an array of " + list.size(), -1);
        }
        return new Json(list.get(index), null);
    }

    /**
     * The number of members of an object or elements of an array.
     *
     * @return the size
     * @throws JsonException if this is neither
     */
    public int size() {
        if (value instanceof Map) {
            return ((Map<?, ?>) value).size();
        }
        if (value instanceof List) {
            return ((List<?>) value).size();
        }
        throw kind("an object or an array");
    }

    /**
     * The member names of this object, in document order.
     *
     * @return the names (unmodifiable)
     * @throws JsonException if this is not an object
     */
    public Set<String> keys() {
        return asMap().keySet();
    }

    /**
     * The elements of this array, each as a {@code Json}.
     *
     * @return the elements (unmodifiable)
     * @throws JsonException if this is not an array
     */
    public List<Json> elements() {
        List<Object> list = asList();
        List<Json> out = new ArrayList<>(list.size());
        for (Object o : list) {
            out.add(new Json(o, null));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * This object as a map.
     *
     * @return the members (unmodifiable, in document order)
     * @throws JsonException if this is not an object
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> asMap() {
        if (value instanceof Map) {
            return (Map<String, Object>) value;
        }
        throw kind("an object");
    }

    /**
     * This array as a list.
     *
     * @return the elements (unmodifiable)
     * @throws JsonException if this is not an array
     */
    @SuppressWarnings("unchecked")
    public List<Object> asList() {
        if (value instanceof List) {
            return (List<Object>) value;
        }
        throw kind("an array");
    }

    /**
     * This string.
     *
     * @return the text
     * @throws JsonException if this is not a string
     */
    public String asString() {
        if (value instanceof String) {
            return (String) value;
        }
        throw kind("a string");
    }

    /**
     * This integer.
     *
     * @return the value
     * @throws JsonException if this is not an integer within the range of {@code long}
     */
    public long asLong() {
        if (value instanceof Long) {
            return (Long) value;
        }
        if (value instanceof Double) {
            double d = (Double) value;
            if (d == Math.rint(d) && Math.abs(d) <= 9.007199254740992E15) {
                return (long) d;
            }
        }
        throw kind("an integer within the range of long");
    }

    /**
     * This number as a {@code double}.
     *
     * @return the value (maybe rounded)
     * @throws JsonException if this is not a number
     */
    public double asDouble() {
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        throw kind("a number");
    }

    /**
     * This boolean.
     *
     * @return the value
     * @throws JsonException if this is not {@code true} or {@code false}
     */
    public boolean asBoolean() {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        throw kind("a boolean");
    }

    private JsonException kind(String expected) {
        return new JsonException("expected " + expected + ", found " + abbreviated(), -1);
    }

    /**
     * This value's text for an error message: a record's subject ID or a signer's CCCD must not
     * reach a log, so every run of 9 or more digits is masked but for its last two (as the
     * library's own messages are), then the text is cut after 80 characters.
     */
    private String abbreviated() {
        String r = maskPersonalIds(raw());
        return r.length() <= 80 ? r : r.substring(0, 77) + "...";
    }

    private static final java.util.regex.Pattern LONG_DIGITS = java.util.regex.Pattern.compile("[0-9]{9,}");

    /** {@code text} with every run of 9 or more ASCII digits masked but for its last two digits. */
    static String maskPersonalIds(String text) {
        java.util.regex.Matcher m = LONG_DIGITS.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String run = m.group();
            m.appendReplacement(out, "*".repeat(run.length() - 2) + run.substring(run.length() - 2));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Two values are equal when their trees are ({@code Map} equality ignores member order).
     *
     * @param o the other object
     * @return whether it is an equal {@code Json}
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Json && Objects.equals(value, ((Json) o).value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }

    /**
     * The JSON text, as {@link #raw()}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return raw();
    }
}
