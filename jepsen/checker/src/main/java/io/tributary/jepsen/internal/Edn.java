package io.tributary.jepsen.internal;

import io.tributary.jepsen.history.Keyword;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the subset of EDN that Jepsen histories use: nil, booleans, integers, decimals, strings,
 * keywords, vectors and lists (as {@link List}), maps (as {@link Map}, in order), sets, and tagged values
 * (the tag is dropped, so {@code #jepsen.history.Op{...}} reads as its map). Symbols other than nil, true
 * and false, characters and metadata are not supported. Commas are whitespace; {@code ;} starts a comment.
 * Not thread-safe: one instance per line.
 */
public final class Edn extends TextCursor
{
    private static final String DELIMITERS = "()[]{}\",;";

    private Edn(final String text)
    {
        super(text);
    }

    /** Parses exactly one value, with nothing but whitespace or a comment after it. */
    public static Object parse(final String text)
    {
        Edn edn = new Edn(text);
        Object value = edn.value(0);
        edn.skipSpace();
        if (!edn.atEnd())
        {
            throw edn.error("end of line after the value");
        }
        return value;
    }

    /**
     * Parses one value at the start of {@code text}.
     *
     * @return the value and the index just after it
     */
    public static Prefix parsePrefix(final String text)
    {
        Edn edn = new Edn(text);
        Object value = edn.value(0);
        return new Prefix(value, edn.position);
    }

    /** A value parsed from the start of a text, and where it ended. */
    public record Prefix(Object value, int end)
{
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
        switch (c)
        {
            case '"':
                return string();
            case ':':
                position++;
                return new Keyword(token("a keyword name"));
            case '[':
                position++;
                return Collections.unmodifiableList(sequence(']', depth));
            case '(':
                position++;
                return Collections.unmodifiableList(sequence(')', depth));
            case '{':
                position++;
                return map(depth);
            case '#':
                return dispatch(depth);
            default:
                return atom();
        }
    }

    private Object dispatch(final int depth)
    {
        position++;
        if (!atEnd() && peek() == '{')
        {
            position++;
            Set<Object> set = new LinkedHashSet<>(sequence('}', depth));
            return Collections.unmodifiableSet(set);
        }
        token("a tag after #");
        return value(depth + 1);
    }

    private Object atom()
    {
        int start = position;
        String token = token("a value");
        switch (token)
        {
            case "nil":
                return null;
            case "true":
                return Boolean.TRUE;
            case "false":
                return Boolean.FALSE;
            default:
                break;
        }
        char first = token.charAt(0);
        boolean signed = (first == '-' || first == '+') && token.length() > 1;
        if (Character.isDigit(first) || (signed && Character.isDigit(token.charAt(1))))
        {
            String digits = token.endsWith("N") || token.endsWith("M") ? token.substring(0, token.length() - 1) : token;
            return number(digits, start + 1);
        }
        position = start;
        throw error("nil, true, false, a number, a string, a keyword, [, (, { or #{");
    }

    private String token(final String what)
    {
        int start = position;
        while (!atEnd() && !Character.isWhitespace(peek()) && DELIMITERS.indexOf(peek()) < 0)
        {
            position++;
        }
        if (position == start)
        {
            throw error(what);
        }
        return text.substring(start, position);
    }

    private List<Object> sequence(final char close, final int depth)
    {
        List<Object> items = new ArrayList<>();
        while (true)
        {
            skipSpace();
            if (atEnd())
            {
                throw error("'" + close + "' to close the collection");
            }
            if (peek() == close)
            {
                position++;
                return items;
            }
            items.add(value(depth + 1));
        }
    }

    private Map<Object, Object> map(final int depth)
    {
        List<Object> items = sequence('}', depth);
        if (items.size() % 2 != 0)
        {
            throw error("a map with a value for every key (found " + items.size() + " forms)");
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2)
        {
            map.put(items.get(i), items.get(i + 1));
        }
        return Collections.unmodifiableMap(map);
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
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            if (atEnd())
            {
                throw error("an escaped character after \\");
            }
            char escaped = text.charAt(position++);
            switch (escaped)
            {
                case 'n': out.append('\n'); break;
                case 't': out.append('\t'); break;
                case 'r': out.append('\r'); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case '"': out.append('"'); break;
                case '\\': out.append('\\'); break;
                case 'u': out.append(unicodeEscape()); break;
                default:
                    position--;
                    throw error("one of \\n \\t \\r \\b \\f \\\" \\\\ \\uXXXX");
            }
        }
    }

    private void skipSpace()
    {
        while (!atEnd())
        {
            char c = peek();
            if (c == ';')
            {
                position = text.length();
            }
            else if (Character.isWhitespace(c) || c == ',')
            {
                position++;
            }
            else
            {
                return;
            }
        }
    }
}
