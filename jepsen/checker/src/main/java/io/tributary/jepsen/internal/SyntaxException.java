package io.tributary.jepsen.internal;

/**
 * A value could not be parsed. Carries the 1-based column and a message that says what was expected and
 * what was found; the caller adds the file and line.
 */
public final class SyntaxException extends RuntimeException
{
    private final int column;

    public SyntaxException(final int column, final String message)
    {
        super(message);
        this.column = column;
    }

    public int column()
    {
        return column;
    }
}
