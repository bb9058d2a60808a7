package io.vserver.kmod.internal;

import org.junit.Test;

import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class FlatJsonTest {

    @Test
    public void statusLine() {
        Map<String, Object> object = FlatJson.parseObject(
                "{\"event\":\"pid\",\"pid\":4242,\"monitor\":4241}");

        assertEquals(Map.of("event", "pid", "pid", 4242L, "monitor", 4241L), object);
    }

    @Test
    public void allValueTypes() {
        Map<String, Object> object = FlatJson.parseObject(
                " { \"s\" : \"text\" , \"n\" : -17 , \"t\" : true , \"f\" : false , \"z\" : null } ");

        assertEquals("text", object.get("s"));
        assertEquals(-17L, object.get("n"));
        assertEquals(Boolean.TRUE, object.get("t"));
        assertEquals(Boolean.FALSE, object.get("f"));
        assertTrue(object.containsKey("z"));
        assertNull(object.get("z"));
    }

    @Test
    public void stringEscapes() {
        Map<String, Object> object = FlatJson.parseObject(
                "{\"path\":\"/a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\\u00e9\\ud83d\\ude00\"}");

        assertEquals("/a\"b\\c/d\n\t\r\b\f\u00e9\ud83d\ude00", object.get("path"));
    }

    @Test
    public void emptyObject() {
        assertEquals(Map.of(), FlatJson.parseObject("{}"));
    }

    @Test
    public void keepsMemberOrder() {
        assertEquals("[b, a, c]", FlatJson.parseObject("{\"b\":1,\"a\":2,\"c\":3}").keySet().toString());
    }

    @Test
    public void largeIntegers() {
        assertEquals(Long.MAX_VALUE, FlatJson.parseObject("{\"n\":9223372036854775807}").get("n"));
        assertThrows(IllegalArgumentException.class, () -> FlatJson.parseObject("{\"n\":9223372036854775808}"));
    }

    @Test
    public void rejectsWhatVcontextNeverWrites() {
        String[] invalid = {
            "", "[]", "{\"a\":{}}", "{\"a\":[1]}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":01}",
            "{\"a\":-}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1} x", "{\"a\":\"unterminated}",
            "{\"a\":\"bad \\x escape\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"line\nbreak\"}", "{a:1}",
            "{\"a\":1,\"a\":2}", "{\"a\":tru}"
        };
        for (String text : invalid) {
            assertThrows(text, IllegalArgumentException.class, () -> FlatJson.parseObject(text));
        }
    }

    @Test
    public void errorNamesOffset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlatJson.parseObject("{\"a\":1.5}"));

        assertEquals("Invalid JSON object at offset 5 (expected an integer, not a number with a "
                + "fraction or exponent): \"{\\\"a\\\":1.5}\"", e.getMessage());
    }

    @Test
    public void typedAccessors() {
        Map<String, Object> object = FlatJson.parseObject("{\"pid\":12,\"big\":4294967296,\"name\":\"x\"}");

        assertEquals(12, FlatJson.requireInt(object, "pid"));
        assertEquals("x", FlatJson.requireString(object, "name"));
        assertThrows(IllegalArgumentException.class, () -> FlatJson.requireInt(object, "big"));
        assertThrows(IllegalArgumentException.class, () -> FlatJson.requireString(object, "pid"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlatJson.requireLong(object, "missing"));
        assertTrue(e.getMessage(), e.getMessage().contains("\"missing\" is missing"));
    }
}
