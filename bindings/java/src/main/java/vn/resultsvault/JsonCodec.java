package vn.resultsvault;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict RFC 8259 JSON parser and writer: the JDK has none, and the binding must not
 * pull a dependency in for the few shapes the C ABI exchanges.
 *
 * <p>Parsing gives objects as unmodifiable {@link LinkedHashMap}s (members in document order; a
 * repeated name keeps its first position and its last value), arrays as unmodifiable
 * {@link ArrayList}s, strings as {@link String}, {@code true}/{@code false} as {@link Boolean},
 * {@code null} as {@code null}, integers as {@link Long} (or {@link BigInteger} beyond its range)
 * and other numbers as {@link Double} (or {@link BigDecimal} beyond its range). Escapes are all
 * decoded; a surrogate pair written as two {@code \\u} escapes becomes one code point; a lone
 * surrogate (escaped or not) is refused, since it cannot be encoded as UTF-8.
 *
 * <p>Writing accepts maps with string keys, lists and other iterables, object and primitive arrays
 * (not {@code byte[]}: give binary data as hex), strings, characters, numbers (finite), booleans,
 * {@code null}, enums (their name), {@link Instant}, {@link OffsetDateTime}, {@link LocalDate}
 * (ISO text) and {@link Json} values. Non-ASCII text is written as is; control characters,
 * {@code "} and {@code \\} are escaped.
 */
final class JsonCodec {
    /** Deeper nesting is refused, by the parser and the writer (a cycle is infinitely deep). */
    static final int MAX_DEPTH = 512;

    private JsonCodec() {
    }

    /** A failure to write a value; {@link #encoding} says it is a text that cannot be UTF-8. */
    static final class WriteException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final boolean encoding;

        WriteException(String message, boolean encoding) {
            super(message);
            this.encoding = encoding;
        }
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Parses a whole JSON text.
     *
     * @throws JsonException if the text is not one JSON value (with optional white space around)
     */
    static Object parse(String text) {
        if (text == null) {
            throw new JsonException("no JSON text (null)", 0);
        }
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the JSON value");
        }
        return value;
    }

    private static final class Parser {
        private final String s;
        private final int n;
        private int pos;

        Parser(String s) {
            this.s = s;
            this.n = s.length();
        }

        JsonException error(String what) {
            return new JsonException(what + " at offset " + pos, pos);
        }

        void skipWhitespace() {
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        Object value(int depth) {
            if (pos >= n) {
                throw error("unexpected end of the JSON text");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth + 1);
                case '[':
                    return array(depth + 1);
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character '" + printable(c) + "'");
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, pos)) {
                throw error("invalid literal (expected " + word + ")");
            }
            pos += word.length();
        }

        private Map<String, Object> object(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH);
            }
            pos++; // {
            LinkedHashMap<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < n && s.charAt(pos) == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            }
            while (true) {
                skipWhitespace();
                if (pos >= n || s.charAt(pos) != '"') {
                    throw error("expected a member name (a string)");
                }
                String key = string();
                skipWhitespace();
                if (pos >= n || s.charAt(pos) != ':') {
                    throw error("expected ':' after a member name");
                }
                pos++;
                skipWhitespace();
                map.put(key, value(depth));
                skipWhitespace();
                if (pos >= n) {
                    throw error("unterminated object");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    return Collections.unmodifiableMap(map);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}' in an object");
                }
            }
        }

        private List<Object> array(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH);
            }
            pos++; // [
            ArrayList<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < n && s.charAt(pos) == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                if (pos >= n) {
                    throw error("unterminated array");
                }
                char c = s.charAt(pos++);
                if (c == ']') {
                    list.trimToSize();
                    return Collections.unmodifiableList(list);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']' in an array");
                }
            }
        }

        private String string() {
            int start = ++pos; // after the opening quote
            // Fast path: no escape and no surrogate.
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '"') {
                    return s.substring(start, pos++);
                }
                if (c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                    break;
                }
                pos++;
            }
            StringBuilder sb = new StringBuilder(pos - start + 16);
            sb.append(s, start, pos);
            while (true) {
                if (pos >= n) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error("unescaped control character U+" + hex4(c) + " in a string");
                }
                if (c == '\\') {
                    pos++;
                    if (pos >= n) {
                        throw error("unterminated escape");
                    }
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"':
                            sb.append('"');
                            break;
                        case '\\':
                            sb.append('\\');
                            break;
                        case '/':
                            sb.append('/');
                            break;
                        case 'b':
                            sb.append('\b');
                            break;
                        case 'f':
                            sb.append('\f');
                            break;
                        case 'n':
                            sb.append('\n');
                            break;
                        case 'r':
                            sb.append('\r');
                            break;
                        case 't':
                            sb.append('\t');
                            break;
                        case 'u': {
                            char u = unicodeEscape();
                            if (Character.isHighSurrogate(u)) {
                                if (pos + 1 < n && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
                                    pos += 2;
                                    char low = unicodeEscape();
                                    if (!Character.isLowSurrogate(low)) {
                                        pos -= 6;
                                        throw error("a high surrogate escape \\u" + hex4(u)
                                                + " not followed by a low surrogate");
                                    }
                                    sb.append(u).append(low);
                                } else {
                                    throw error("a lone high surrogate escape \\u" + hex4(u));
                                }
                            } else if (Character.isLowSurrogate(u)) {
                                pos -= 6;
                                throw error("a lone low surrogate escape \\u" + hex4(u));
                            } else {
                                sb.append(u);
                            }
                            break;
                        }
                        default:
                            pos -= 2;
                            throw error("invalid escape '\\" + printable(e) + "'");
                    }
                } else if (Character.isHighSurrogate(c)) {
                    if (pos + 1 < n && Character.isLowSurrogate(s.charAt(pos + 1))) {
                        sb.append(c).append(s.charAt(pos + 1));
                        pos += 2;
                    } else {
                        throw error("an unpaired surrogate U+" + hex4(c));
                    }
                } else if (Character.isLowSurrogate(c)) {
                    throw error("an unpaired surrogate U+" + hex4(c));
                } else {
                    sb.append(c);
                    pos++;
                }
            }
        }

        private char unicodeEscape() {
            if (pos + 4 > n) {
                throw error("truncated \\u escape");
            }
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int d = Character.digit(s.charAt(pos + k), 16);
                if (d < 0 || s.charAt(pos + k) > 'f') {
                    throw error("invalid hex digit in a \\u escape");
                }
                v = (v << 4) | d;
            }
            pos += 4;
            return (char) v;
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= n) {
                throw error("a '-' without digits");
            }
            char c = s.charAt(pos);
            if (c == '0') {
                pos++;
            } else if (c >= '1' && c <= '9') {
                while (pos < n && isDigit(s.charAt(pos))) {
                    pos++;
                }
            } else {
                throw error("expected a digit");
            }
            if (pos < n && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= n || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit after '.'");
                }
                while (pos < n && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < n && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < n && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= n || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit in the exponent");
                }
                while (pos < n && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            String text = s.substring(start, pos);
            if (integral) {
                if (text.length() <= 18) {
                    return Long.parseLong(text);
                }
                BigInteger big = new BigInteger(text);
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            double d = Double.parseDouble(text);
            if (Double.isInfinite(d)) {
                return new BigDecimal(text);
            }
            return d;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static String printable(char c) {
        return c < 0x20 || c >= 0x7f ? "U+" + hex4(c) : String.valueOf(c);
    }

    private static String hex4(char c) {
        String h = Integer.toHexString(c).toUpperCase();
        return "0000".substring(h.length()) + h;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes a value as compact JSON text.
     *
     * @throws WriteException if the value (or a part) cannot be written
     */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, value, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new WriteException("nested deeper than " + MAX_DEPTH + " (a cycle?)", false);
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof CharSequence) {
            quote(sb, v.toString());
        } else if (v instanceof Boolean) {
            sb.append(((Boolean) v).booleanValue() ? "true" : "false");
        } else if (v instanceof Number) {
            number(sb, (Number) v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof CharSequence)) {
                    throw new WriteException("an object member name must be a string, not "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()), false);
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, e.getKey().toString());
                sb.append(':');
                write(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (v instanceof Iterable) {
            sb.append('[');
            boolean first = true;
            for (Object item : (Iterable<?>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, item, depth + 1);
            }
            sb.append(']');
        } else if (v instanceof Json) {
            write(sb, ((Json) v).value(), depth);
        } else if (v instanceof Character) {
            quote(sb, v.toString());
        } else if (v instanceof Enum) {
            quote(sb, ((Enum<?>) v).name());
        } else if (v instanceof Instant || v instanceof OffsetDateTime || v instanceof LocalDate) {
            quote(sb, v.toString());
        } else if (v instanceof byte[]) {
            throw new WriteException("a byte[] has no JSON form here: give binary data as a hex string", false);
        } else if (v.getClass().isArray()) {
            sb.append('[');
            int len = java.lang.reflect.Array.getLength(v);
            for (int i = 0; i < len; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, java.lang.reflect.Array.get(v, i), depth + 1);
            }
            sb.append(']');
        } else {
            throw new WriteException("a " + v.getClass().getName() + " has no JSON form", false);
        }
    }

    private static void number(StringBuilder sb, Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new WriteException("JSON has no " + d, false);
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                sb.append((long) d);
                if (d == 0 && 1 / d < 0) {
                    sb.setLength(sb.length() - 1);
                    sb.append("-0.0");
                } else {
                    sb.append(".0");
                }
            } else {
                sb.append(n instanceof Float ? Float.toString(n.floatValue()) : Double.toString(d));
            }
        } else if (n instanceof BigDecimal) {
            sb.append(n.toString());
        } else if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger || n instanceof java.util.concurrent.atomic.AtomicInteger
                || n instanceof java.util.concurrent.atomic.AtomicLong) {
            sb.append(n.toString());
        } else {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new WriteException("JSON has no " + d, false);
            }
            sb.append(new BigDecimal(n.toString()).toString());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        int n = s.length();
        int run = 0; // start of the pending run of characters that need no escape
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a valid pair: written as is
                continue;
            }
            sb.append(s, run, i);
            run = i + 1;
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (Character.isSurrogate(c)) {
                        throw new WriteException("a string holds an unpaired surrogate U+" + hex4(c) + " at index " + i
                                + ": it cannot be encoded as UTF-8", true);
                    }
                    sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        sb.append(s, run, n);
        sb.append('"');
    }
}
