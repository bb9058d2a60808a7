package io.vserver.kmod.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reader of one flat JSON object, such as a status line of the vcontext program or its
 * {@code exit.json}: member values are strings (with every JSON escape), integers that fit a
 * {@code long}, booleans or {@code null}. Nested objects, arrays and numbers with a fraction or
 * exponent are rejected, because vcontext writes none.
 */
public final class FlatJson {

    private final String text;
    private int position;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * Parses one object. String values become {@link String}, integers {@link Long}, booleans
     * {@link Boolean} and {@code null} a {@code null} value; the map keeps the members' order.
     *
     * @throws IllegalArgumentException naming the offset and the text when it is not one flat
     *                                  object, or when a member name repeats
     */
    public static Map<String, Object> parseObject(String text) {
        return new FlatJson(text).object();
    }

    private Map<String, Object> object() {
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        expect('{');
        skipWhitespace();
        if (peek() == '}') {
            position++;
        } else {
            readMembers(members);
        }
        skipWhitespace();
        if (position != text.length()) {
            throw invalid("text after the closing brace");
        }
        return Collections.unmodifiableMap(members);
    }

    private void readMembers(Map<String, Object> members) {
        while (true) {
            skipWhitespace();
            int nameStart = position;
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object value = value();
            if (members.containsKey(name)) {
                position = nameStart;
                throw invalid("member \"" + name + "\" repeats");
            }
            members.put(name, value);
            skipWhitespace();
            char next = next();
            if (next == '}') {
                return;
            }
            if (next != ',') {
                position--;
                throw invalid("expected ',' or '}'");
            }
        }
    }

    private Object value() {
        char first = peek();
        if (first == '"') {
            return string();
        }
        if (first == '-' || (first >= '0' && first <= '9')) {
            return integer();
        }
        if (text.startsWith("true", position)) {
            position += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("false", position)) {
            position += 5;
            return Boolean.FALSE;
        }
        if (text.startsWith("null", position)) {
            position += 4;
            return null;
        }
        throw invalid("expected a string, an integer, true, false or null");
    }

    private Long integer() {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        int digitsStart = position;
        while (position < text.length() && Character.isDigit(text.charAt(position))) {
            position++;
        }
        int digits = position - digitsStart;
        if (digits == 0 || (digits > 1 && text.charAt(digitsStart) == '0')) {
            position = start;
            throw invalid("invalid integer");
        }
        if (position < text.length() && ".eE".indexOf(text.charAt(position)) >= 0) {
            position = start;
            throw invalid("expected an integer, not a number with a fraction or exponent");
        }
        try {
            return Long.parseLong(text.substring(start, position));
        } catch (NumberFormatException e) {
            position = start;
            throw invalid("integer out of the range of a 64-bit signed number");
        }
    }

    private String string() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\') {
                value.append(escape());
            } else if (c < 0x20) {
                position--;
                throw invalid("unescaped control character in a string");
            } else {
                value.append(c);
            }
        }
    }

    private char escape() {
        char c = next();
        switch (c) {
            case '"':
            case '\\':
            case '/':
                return c;
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                return unicodeEscape();
            default:
                position--;
                throw invalid("invalid escape \\" + c);
        }
    }

    /** Decodes the four hex digits of a {@code \\uXXXX} escape; surrogate pairs come as two escapes. */
    private char unicodeEscape() {
        if (position + 4 > text.length()) {
            throw invalid("incomplete \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(position), 16);
            if (digit < 0) {
                throw invalid("invalid hex digit in a \\u escape");
            }
            code = code * 16 + digit;
            position++;
        }
        return (char) code;
    }

    private void expect(char expected) {
        if (position >= text.length() || text.charAt(position) != expected) {
            throw invalid("expected '" + expected + "'");
        }
        position++;
    }

    private char peek() {
        if (position >= text.length()) {
            throw invalid("unexpected end of text");
        }
        return text.charAt(position);
    }

    private char next() {
        char c = peek();
        position++;
        return c;
    }

    private void skipWhitespace() {
        while (position < text.length() && " \t\r\n".indexOf(text.charAt(position)) >= 0) {
            position++;
        }
    }

    private IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException("Invalid JSON object at offset " + position + " ("
                + reason + "): " + KernelFiles.quote(text));
    }

    /**
     * Returns a required string member.
     *
     * @throws IllegalArgumentException naming the member when it is missing or not a string
     */
    public static String requireString(Map<String, Object> object, String name) {
        Object value = object.get(name);
        if (!(value instanceof String)) {
            throw wrongType(object, name, "a string");
        }
        return (String) value;
    }

    /**
     * Returns a required integer member.
     *
     * @throws IllegalArgumentException naming the member when it is missing or not an integer
     */
    public static long requireLong(Map<String, Object> object, String name) {
        Object value = object.get(name);
        if (!(value instanceof Long)) {
            throw wrongType(object, name, "an integer");
        }
        return (Long) value;
    }

    /**
     * Returns a required integer member that fits an {@code int}, such as a pid.
     *
     * @throws IllegalArgumentException naming the member when it is missing, not an integer or
     *                                  out of range
     */
    public static int requireInt(Map<String, Object> object, String name) {
        long value = requireLong(object, name);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw wrongType(object, name, "a 32-bit integer");
        }
        return (int) value;
    }

    private static IllegalArgumentException wrongType(Map<String, Object> object, String name,
            String expected) {
        String found = object.containsKey(name) ? "has " + describe(object.get(name)) : "is missing";
        return new IllegalArgumentException("Member \"" + name + "\" " + found + ", expected "
                + expected + ", in JSON object " + object);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        return value instanceof String ? "string " + KernelFiles.quote((String) value)
                : value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }
}
