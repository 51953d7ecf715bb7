package io.tributary.dist;

import java.time.Duration;

/** Parses durations like {@code 30s}, {@code 500ms}, {@code 2m}. */
final class Durations
{
    private Durations()
    {
    }

    static Duration parse(final String text, final String option)
    {
        final String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        try
        {
            if (value.endsWith("ms"))
            {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s"))
            {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("m"))
            {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(value));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + " '" + text + "' is not a duration: use e.g. 500ms, 30s or 2m");
        }
    }
}
