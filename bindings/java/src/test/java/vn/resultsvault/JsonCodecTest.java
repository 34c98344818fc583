package vn.resultsvault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.resultsvault.TestSupport.map;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binding's own JSON parser and writer (no JSON in the JDK). */
class JsonCodecTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = JsonCodec.parse(" {\"b\": 1, \"a\": [true, false, null, -0, 12.5e-1, \"x\"], \"c\": {}, \"d\": []} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", "c", "d"), new ArrayList<>(m.keySet()), "members keep document order");
        assertEquals(1L, m.get("b"));
        assertEquals(Arrays.asList(true, false, null, 0L, 1.25, "x"), m.get("a"));
        assertEquals(Map.of(), m.get("c"));
        assertEquals(List.of(), m.get("d"));
        assertNull(JsonCodec.parse("null"));
        assertEquals("top", JsonCodec.parse("\"top\""));
        assertEquals(-7L, JsonCodec.parse("-7"));
    }

    @Test
    void numbers() {
        assertEquals(Long.MAX_VALUE, JsonCodec.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, JsonCodec.parse("-9223372036854775808"));
        assertEquals(new BigInteger("9223372036854775808"), JsonCodec.parse("9223372036854775808"));
        assertEquals(1e300, JsonCodec.parse("1E300"));
        assertEquals(new BigDecimal("1e400"), JsonCodec.parse("1e400"));
        assertEquals(-0.5, JsonCodec.parse("-0.5"));
        assertEquals(100.0, JsonCodec.parse("1e+2"));
        for (String bad : new String[] {"01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity", "1.e3", "--1"}) {
            assertThrows(JsonException.class, () -> JsonCodec.parse(bad), bad);
        }
    }

    @Test
    void stringsAndEscapes() {
        assertEquals("\"\\/\b\f\n\r\t", JsonCodec.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""));
        assertEquals("Nguyễn", JsonCodec.parse("\"Nguy\\u1EC5n\""));
        assertEquals("Nguyễn", JsonCodec.parse("\"Nguyễn\""));
        assertEquals("\uD83D\uDE00", JsonCodec.parse("\"\\uD83D\\uDE00\""), "an escaped pair is one code point");
        assertEquals("a\uD83D\uDE00b", JsonCodec.parse("\"a\uD83D\uDE00b\""));
        assertEquals("\u0000", JsonCodec.parse("\"\\u0000\""));
        String[] bad = {"\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"tab\there\"", "\"\\uD800\"",
            "\"\\uDC00\"", "\"\\uD800\\u0041\"", "\"\\uD800x\"", "\"\uD800\"", "\"\uDC00\uD800\"", "\"\\u０１２３\""};
        for (String s : bad) {
            assertThrows(JsonException.class, () -> JsonCodec.parse(s), s);
        }
    }

    @Test
    void refusesWhatIsNotJson() {
        String[] bad = {"", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "[1 2]", "{\"a\" 1}", "tru",
            "nul", "[1]x", "{} {}", "// c\n1", "\u00a01", "[\"a\"\"b\"]", "{\"a\":1 \"b\":2}"};
        for (String s : bad) {
            JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parse(s), s);
            assertTrue(e.offset() >= 0, s);
        }
        assertThrows(JsonException.class, () -> JsonCodec.parse(null));
    }

    @Test
    void depthIsLimited() {
        String ok = "[".repeat(JsonCodec.MAX_DEPTH) + "]".repeat(JsonCodec.MAX_DEPTH);
        assertInstanceOf(List.class, JsonCodec.parse(ok));
        String deep = "[".repeat(JsonCodec.MAX_DEPTH + 1) + "]".repeat(JsonCodec.MAX_DEPTH + 1);
        assertThrows(JsonException.class, () -> JsonCodec.parse(deep));
        String deeper = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertThrows(JsonException.class, () -> JsonCodec.parse(deeper), "no StackOverflowError");
    }

    @Test
    void repeatedNamesKeepTheLastValue() {
        Map<?, ?> m = (Map<?, ?>) JsonCodec.parse("{\"a\":1,\"b\":2,\"a\":3}");
        assertEquals(List.of("a", "b"), new ArrayList<>(m.keySet()));
        assertEquals(3L, m.get("a"));
    }

    @Test
    void parsedCollectionsAreUnmodifiable() {
        Map<?, ?> m = (Map<?, ?>) JsonCodec.parse("{\"a\":[1]}");
        assertThrows(UnsupportedOperationException.class, () -> m.clear());
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) m.get("a")).clear());
    }

    @Test
    void writesCompactEscapedJson() {
        assertEquals("{\"s\":\"q\\\"b\\\\n\\nc\\u0001\\u001f\\t\",\"u\":\"Nguyễn \uD83D\uDE00\",\"n\":null}",
                JsonCodec.write(map("s", "q\"b\\n\nc\u0001\u001f\t", "u", "Nguyễn \uD83D\uDE00", "n", null)));
        assertEquals("[1,2,3,4.5,1.0,-0.0,true,\"x\",\"A\"]",
                JsonCodec.write(Arrays.asList(1, 2L, (short) 3, 4.5, 1.0, -0.0, true, 'x', "A")));
        assertEquals("[1,2]", JsonCodec.write(new int[] {1, 2}));
        assertEquals("[\"a\",null]", JsonCodec.write(new String[] {"a", null}));
        assertEquals("12345678901234567890", JsonCodec.write(new BigInteger("12345678901234567890")));
        assertEquals("\"2026-11-23T12:00:00Z\"", JsonCodec.write(Instant.parse("2026-11-23T12:00:00Z")));
        assertEquals("\"RSA_PKCS1\"", JsonCodec.write(RawSignatureAlgorithm.RSA_PKCS1));
        assertEquals("{\"a\":[1]}", JsonCodec.write(Json.parse("{\"a\": [1]}")));
        assertEquals("\"\u2028\"", JsonCodec.write("\u2028"));
        assertEquals("\"\\\"\"", JsonCodec.write("\""));
    }

    @Test
    void writerRefusesWhatHasNoJsonForm() {
        assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write(Double.NaN));
        assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write(Float.POSITIVE_INFINITY));
        assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write(new Object()));
        assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write(new byte[] {1}));
        Map<Object, Object> intKey = new HashMap<>();
        intKey.put(1, "x");
        assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write(intKey));
        Map<String, Object> cycle = new HashMap<>();
        cycle.put("self", cycle);
        assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write(cycle));
        JsonCodec.WriteException lone = assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write("a\uD800b"));
        assertTrue(lone.encoding);
        assertTrue(assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write("\uDC00\uD800")).encoding);
        assertFalse(assertThrows(JsonCodec.WriteException.class, () -> JsonCodec.write(Double.NaN)).encoding);
    }

    @Test
    void roundTrips() {
        String[] texts = {TestSupport.META_JSON, "[1,-2,3.25,1.0E-7,\"\\u0000\\\"\",{\"k\":[[],{}]},null,true]",
            "{\"emoji\":\"\uD83D\uDE00\",\"control\":\"\\u001b\"}"};
        for (String t : texts) {
            Object v = JsonCodec.parse(t);
            assertEquals(v, JsonCodec.parse(JsonCodec.write(v)), t);
        }
        assertEquals(TestSupport.META_JSON, JsonCodec.write(JsonCodec.parse(TestSupport.META_JSON)), "compact input comes back identical");
    }

    @Test
    void jsonValueAccessors() {
        Json j = Json.parse("{\"record\":{\"result_id\":\"01X\",\"size\":5,\"ok\":true,\"r\":0.5,\"tags\":[\"a\",\"b\"],\"none\":null}}");
        Json r = j.get("record");
        assertEquals("01X", r.get("result_id").asString());
        assertEquals(5, r.get("size").asLong());
        assertTrue(r.get("ok").asBoolean());
        assertEquals(0.5, r.get("r").asDouble());
        assertEquals(2, r.get("tags").size());
        assertEquals("b", r.get("tags").get(1).asString());
        assertEquals(List.of("a", "b"), r.get("tags").asList());
        assertTrue(r.has("none"));
        assertTrue(r.get("none").isNull());
        assertTrue(r.find("none").isEmpty());
        assertTrue(r.find("size").isPresent());
        assertFalse(r.has("missing"));
        assertEquals("[\"a\",\"b\"]", r.get("tags").raw());
        assertEquals("{\"record\"", j.raw().substring(0, 9));
        assertThrows(JsonException.class, () -> r.get("missing"));
        assertThrows(JsonException.class, () -> r.get("size").asString());
        assertThrows(JsonException.class, () -> r.get("r").asLong());
        assertThrows(JsonException.class, () -> r.get("tags").get(2));
        // An error quotes the value it was given, with a personal ID masked.
        Json subject = Json.parse("{\"kind\":\"citizen\",\"id\":\"001203004567\"}");
        JsonException shown = assertThrows(JsonException.class, () -> subject.asString());
        assertFalse(shown.getMessage().contains("001203004567"), shown.getMessage());
        assertTrue(shown.getMessage().contains("**********67"), shown.getMessage());
        assertThrows(JsonException.class, () -> r.get("tags").get("x"));
        assertThrows(JsonException.class, () -> r.get("ok").size());
        assertEquals(Json.parse("{\"b\":1,\"a\":2}"), Json.parse("{\"a\":2, \"b\":1}"));
        assertEquals(Json.of(map("n", 1)), Json.parse("{\"n\":1}"), "Json.of normalizes an Integer to a Long");
        assertThrows(JsonException.class, () -> Json.stringify(Double.NaN));
        assertEquals(List.of("record"), new ArrayList<>(j.keys()));
    }
}
