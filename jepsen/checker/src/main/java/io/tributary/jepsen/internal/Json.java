package io.tributary.jepsen.internal;

import io.tributary.jepsen.history.Keyword;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and writes JSON values: null, booleans, numbers (integers as {@link Long}, others as
 * {@link Double}), strings, arrays (as {@link List}) and objects (as {@link Map}, in order). Parsing is
 * strict RFC 8259 for one value per line. Writing escapes {@code <}, {@code >}, {@code &} and the line
 * separators so the output can be embedded in an HTML {@code <script>}; {@link Keyword}s are written as
 * their name. Stateless static methods; the parser instance is per call.
 */
public final class Json extends TextCursor
{

    private Json(final String text)
    {
        super(text);
    }

    /** Parses exactly one value, with nothing but whitespace after it. */
    public static Object parse(final String text)
    {
        Json json = new Json(text);
        Object value = json.value(0);
        json.skipSpace();
        if (!json.atEnd())
        {
            throw json.error("end of line after the value");
        }
        return value;
    }

    private Object value(final int depth)
    {
        if (depth > DEPTH_MAX)
        {
            throw error("values nested at most " + DEPTH_MAX + " deep");
        }
        skipSpace();
        if (atEnd())
        {
            throw error("a value");
        }
        char c = peek();
        if (c == '{')
        {
            return object(depth);
        }
        if (c == '[')
        {
            return array(depth);
        }
        if (c == '"')
        {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9'))
        {
            return numberToken();
        }
        return literal();
    }

    private Object literal()
    {
        for (final String word : new String[] {"null", "true", "false"})
        {
            if (text.startsWith(word, position))
            {
                position += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        throw error("a JSON value (object, array, string, number, true, false or null)");
    }

    private Object numberToken()
    {
        int start = position;
        while (!atEnd() && "+-0123456789.eE".indexOf(peek()) >= 0)
        {
            position++;
        }
        return number(text.substring(start, position), start + 1);
    }

    private Map<String, Object> object(final int depth)
    {
        position++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (!atEnd() && peek() == '}')
        {
            position++;
            return Collections.unmodifiableMap(map);
        }
        while (true)
        {
            skipSpace();
            if (atEnd() || peek() != '"')
            {
                throw error("a \"quoted\" member name");
            }
            String name = string();
            skipSpace();
            expect(':', "':' after member name \"" + name + "\"");
            if (map.put(name, value(depth + 1)) != null)
            {
                throw error("no second member named \"" + name + "\"");
            }
            skipSpace();
            if (!atEnd() && peek() == ',')
            {
                position++;
                continue;
            }
            expect('}', "',' or '}' in the object");
            return Collections.unmodifiableMap(map);
        }
    }

    private List<Object> array(final int depth)
    {
        position++;
        List<Object> items = new ArrayList<>();
        skipSpace();
        if (!atEnd() && peek() == ']')
        {
            position++;
            return Collections.unmodifiableList(items);
        }
        while (true)
        {
            items.add(value(depth + 1));
            skipSpace();
            if (!atEnd() && peek() == ',')
            {
                position++;
                continue;
            }
            expect(']', "',' or ']' in the array");
            return Collections.unmodifiableList(items);
        }
    }

    private String string()
    {
        position++;
        StringBuilder out = new StringBuilder();
        while (true)
        {
            if (atEnd())
            {
                throw error("a closing \" for the string");
            }
            char c = text.charAt(position++);
            if (c == '"')
            {
                return out.toString();
            }
            if (c < 0x20)
            {
                position--;
                throw error("an escaped control character (\\n, \\t, \\u0001, ...)");
            }
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            out.append(escape());
        }
    }

    private char escape()
    {
        if (atEnd())
        {
            throw error("an escaped character after \\");
        }
        char escaped = text.charAt(position++);
        switch (escaped)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case 'b': return '\b';
            case 'f': return '\f';
            case '"': return '"';
            case '/': return '/';
            case '\\': return '\\';
            case 'u': return unicodeEscape();
            default:
                position--;
                throw error("one of \\n \\t \\r \\b \\f \\\" \\/ \\\\ \\uXXXX");
        }
    }

    private void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n'))
        {
            position++;
        }
    }

    /** Writes a value as compact JSON. */
    public static String write(final Object value)
    {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /**
     * Appends a value as compact JSON.
     *
     * @throws IllegalArgumentException for a type JSON cannot hold (the message names it) or a non-finite
     *     number
     */
    public static void write(final Object value, final StringBuilder out)
    {
        if (value == null)
        {
            out.append("null");
        }
        else if (value instanceof String)
        {
            writeString((String) value, out);
        }
        else if (value instanceof Keyword)
        {
            writeString(((Keyword) value).name(), out);
        }
        else if (value instanceof Boolean || value instanceof Long || value instanceof Integer
            || value instanceof Short || value instanceof Byte)
        {
            out.append(value);
        }
        else if (value instanceof Double || value instanceof Float)
        {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d))
            {
                throw new IllegalArgumentException("JSON has no " + d);
            }
            out.append(d);
        }
        else if (value instanceof Map)
        {
            writeObject((Map<?, ?>) value, out);
        }
        else if (value instanceof Iterable)
        {
            writeArray((Iterable<?>) value, out);
        }
        else
        {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON: " + value);
        }
    }

    private static void writeObject(final Map<?, ?> map, final StringBuilder out)
    {
        out.append('{');
        boolean first = true;
        for (final Map.Entry<?, ?> member : map.entrySet())
        {
            if (!(member.getKey() instanceof String))
            {
                throw new IllegalArgumentException("JSON member names are strings, found " + member.getKey());
            }
            if (!first)
            {
                out.append(',');
            }
            first = false;
            writeString((String) member.getKey(), out);
            out.append(':');
            write(member.getValue(), out);
        }
        out.append('}');
    }

    private static void writeArray(final Iterable<?> items, final StringBuilder out)
    {
        out.append('[');
        boolean first = true;
        for (final Object item : items)
        {
            if (!first)
            {
                out.append(',');
            }
            first = false;
            write(item, out);
        }
        out.append(']');
    }

    private static void writeString(final String s, final StringBuilder out)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            char c = s.charAt(i);
            switch (c)
            {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029')
                    {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
