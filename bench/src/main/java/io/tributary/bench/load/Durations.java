package io.tributary.bench.load;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses command-line durations: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, a bare number
 * of seconds, or ISO-8601 ({@code PT30S}). Shared by {@code tributary bench} and the other
 * {@code tributary} commands.
 */
public final class Durations
{
    private Durations()
    {
    }

    /** @throws IllegalArgumentException naming the option, the text and the accepted forms */
    public static Duration parse(final String text, final String option)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            if (value.startsWith("pt"))
            {
                return Duration.parse(text.trim());
            }
            if (value.endsWith("ms"))
            {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            final char unit = value.isEmpty() ? ' ' : value.charAt(value.length() - 1);
            if (Character.isDigit(unit))
            {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            final long amount = Long.parseLong(value.substring(0, value.length() - 1));
            return switch (unit)
            {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> throw new NumberFormatException();
            };
        }
        catch (final RuntimeException e)
        {
            throw new IllegalArgumentException(option + ": '" + text
                + "' is not a duration; use e.g. 500ms, 30s, 2m or 1h");
        }
    }
}
