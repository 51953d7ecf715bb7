package io.tributary.bench.load;

import java.util.Locale;

/**
 * The few JSON helpers {@code summary.json} needs: a number that is not one (NaN) is written as null, which JSON
 * allows.
 */
final class Json
{
    private Json()
    {
    }

    static String number(final double value, final int decimals)
    {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "null";
    }

    static String string(final String value)
    {
        return value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
