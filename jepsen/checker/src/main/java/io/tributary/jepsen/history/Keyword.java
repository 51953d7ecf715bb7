package io.tributary.jepsen.history;

/**
 * An EDN keyword such as {@code :timed-out}, as it appears in Jepsen values and errors.
 *
 * @param name the name without the colon
 */
public record Keyword(String name)
{

    public Keyword
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("a keyword needs a name, got '" + name + "'");
        }
    }

    @Override
    public String toString()
    {
        return ":" + name;
    }
}
