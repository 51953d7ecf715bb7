package io.tributary.jepsen.history;

/**
 * A history could not be read: the message says where (source and line), what was expected and what was
 * found.
 */
public final class HistoryFormatException extends Exception
{
    private final String source;
    private final int line;
    private final String detail;

    public HistoryFormatException(final String source, final int line, final String detail)
    {
        super(source + (line > 0 ? ":" + line : "") + ": " + detail);
        this.source = source;
        this.line = line;
        this.detail = detail;
    }

    public String source()
    {
        return source;
    }

    /** 1-based line, or 0 if the problem is not on one line. */
    public int line()
    {
        return line;
    }

    public String detail()
    {
        return detail;
    }
}
