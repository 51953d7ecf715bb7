package io.tributary.jepsen.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations and sizes of command-line options (the check command and the Jepsen harness's). Stateless. */
public final class Quantities
{
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg])?b?");

    private Quantities()
{
    }

    /**
     * A duration such as {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, a bare number of seconds, or
     * ISO-8601 ({@code PT1M30S}).
     *
     * @throws IllegalArgumentException with a message saying what is accepted
     */
    public static Duration duration(final String text, final String option)
    {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(trimmed);
        try
        {
            if (m.matches())
            {
                long amount = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                switch (unit)
                {
                    case "ms": return Duration.ofMillis(amount);
                    case "m": return Duration.ofMinutes(amount);
                    case "h": return Duration.ofHours(amount);
                    default: return Duration.ofSeconds(amount);
                }
            }
            if (trimmed.startsWith("pt"))
            {
                Duration parsed = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
                if (!parsed.isNegative())
                {
                    return parsed;
                }
            }
        }
        catch (final NumberFormatException | ArithmeticException | DateTimeParseException e)
        {
            // reported below with the accepted forms
        }
        throw new IllegalArgumentException(option + " '" + text
            + "' is not a duration; use e.g. 500ms, 60s, 5m, 1h, or 0 for no limit");
    }

    /**
     * A size in bytes such as {@code 512m}, {@code 2g}, {@code 100k} or a bare number of bytes.
     *
     * @throws IllegalArgumentException with a message saying what is accepted
     */
    public static long bytes(final String text, final String option)
    {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches())
        {
            try
            {
                long amount = Long.parseLong(m.group(1));
                int shift = m.group(2) == null ? 0 : m.group(2).equals("k") ? 10 : m.group(2).equals("m") ? 20 : 30;
                if (amount > 0 && amount <= (Long.MAX_VALUE >> shift))
                {
                    return amount << shift;
                }
            }
            catch (final NumberFormatException e)
            {
                // reported below with the accepted forms
            }
        }
        throw new IllegalArgumentException(option + " '" + text + "' is not a positive size; use e.g. 512m or 2g");
    }
}
