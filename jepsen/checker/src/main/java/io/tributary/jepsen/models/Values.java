package io.tributary.jepsen.models;

import io.tributary.jepsen.history.Keyword;
import java.util.List;

/** Showing values the way histories write them: nil, 3, "x", [1 2]. */
final class Values
{
    private Values()
{
    }

    static String show(final Object value)
    {
        if (value == null)
        {
            return "nil";
        }
        if (value instanceof String)
        {
            return "\"" + value + "\"";
        }
        if (value instanceof List)
        {
            StringBuilder out = new StringBuilder("[");
            for (final Object item : (List<?>) value)
            {
                out.append(out.length() > 1 ? " " : "").append(show(item));
            }
            return out.append(']').toString();
        }
        if (value instanceof Keyword)
        {
            return value.toString();
        }
        return String.valueOf(value);
    }
}
