package io.tributary.jepsen.internal;

/** A position in one line of text, for the hand-written parsers. Not thread-safe. */
class TextCursor
{
    /** Nesting limit: a deeper value is surely not a history record, and recursion must stay bounded. */
    static final int DEPTH_MAX = 64;

    final String text;
    int position;

    TextCursor(final String text)
    {
        this.text = text;
    }

    boolean atEnd()
    {
        return position >= text.length();
    }

    char peek()
    {
        return text.charAt(position);
    }

    SyntaxException error(final String expected)
    {
        return new SyntaxException(position + 1, "expected " + expected + ", found " + found());
    }

    String found()
    {
        if (atEnd())
        {
            return "end of line";
        }
        int end = Math.min(text.length(), position + 12);
        return "'" + text.substring(position, end) + (end < text.length() ? "..." : "") + "'";
    }

    void expect(final char c, final String what)
    {
        if (atEnd() || peek() != c)
        {
            throw error(what);
        }
        position++;
    }

    /** A \\uXXXX escape's four hex digits, the cursor on the first. */
    char unicodeEscape()
    {
        if (position + 4 > text.length())
        {
            throw error("four hex digits after \\u");
        }
        int code = 0;
        for (int i = 0; i < 4; i++)
        {
            int digit = Character.digit(text.charAt(position + i), 16);
            if (digit < 0)
            {
                throw error("four hex digits after \\u");
            }
            code = code * 16 + digit;
        }
        position += 4;
        return (char) code;
    }

    /** An integer or decimal number at the cursor, as a Long or a Double. */
    Object number(final String token, final int startColumn)
    {
        try
        {
            if (token.indexOf('.') >= 0 || token.indexOf('e') >= 0 || token.indexOf('E') >= 0)
            {
                return Double.parseDouble(token);
            }
            return Long.parseLong(token.startsWith("+") ? token.substring(1) : token);
        }
        catch (final NumberFormatException e)
        {
            throw new SyntaxException(startColumn, "expected a number that fits in 64 bits, found '" + token + "'");
        }
    }
}
