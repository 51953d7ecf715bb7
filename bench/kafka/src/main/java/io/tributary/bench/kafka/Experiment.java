package io.tributary.bench.kafka;

import java.util.Locale;

/** What one run measures: the load generator's {@code --mode}. */
enum Experiment
{
    /** Latency at a fixed offered rate (open loop, coordinated omission corrected). */
    RATE("rate"),
    /** Maximum sustained throughput (closed loop). */
    MAX("max"),
    /** A consumer reading the whole stream from offset 0. */
    CATCH_UP("catch-up");

    final String mode;

    Experiment(final String mode)
    {
        this.mode = mode;
    }

    static Experiment parse(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        for (final Experiment experiment : values())
        {
            if (experiment.mode.equals(value))
            {
                return experiment;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an experiment; use rate, max or catch-up");
    }
}
