package io.tributary.jepsen.checker;

import java.time.Duration;

/**
 * How a {@link Checker} runs. Immutable; start from {@link #defaults()} and use the {@code with} methods.
 *
 * @param timeout time allowed for the whole check, explanations included; zero means no limit
 * @param explain whether to compute explanations (longest partial linearizations, states, the point of
 *     failure). Explaining records every dead end of the search, so it is somewhat slower.
 * @param threads partitions checked at once
 * @param cacheBytesMax memory the search caches of the partitions searched at once may use together, split
 *     evenly among them (a count: the linearized sets' compact forms, the table, and a guess at the size of a
 *     state) before a search gives up with UNKNOWN; a bound on memory so that a hopeless search does not end
 *     in an OutOfMemoryError
 */
public record CheckOptions(Duration timeout, boolean explain, int threads, long cacheBytesMax)
{

    public CheckOptions
    {
        if (timeout == null || timeout.isNegative())
        {
            throw new IllegalArgumentException("timeout must be zero (no limit) or positive, got " + timeout);
        }
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (cacheBytesMax < 1)
        {
            throw new IllegalArgumentException("cacheBytesMax must be at least 1, got " + cacheBytesMax);
        }
    }

    /**
     * No timeout, no explanations, one thread per available processor, and caches of at most half the
     * maximum heap together, whatever the number of partitions searched at once (the other half is for the
     * states themselves where they are larger than the count's guess, and the rest of the process). A lone
     * partition, as a register history is, gets all of it: with a quarter of a 6 GiB heap the cache held
     * 14 M states and left 3,000-operation histories that porcupine decides undecided.
     */
    public static CheckOptions defaults()
    {
        return new CheckOptions(Duration.ZERO, false, Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() / 2);
    }

    public CheckOptions withTimeout(final Duration newTimeout)
    {
        return new CheckOptions(newTimeout, explain, threads, cacheBytesMax);
    }

    public CheckOptions withExplain(final boolean newExplain)
    {
        return new CheckOptions(timeout, newExplain, threads, cacheBytesMax);
    }

    public CheckOptions withThreads(final int newThreads)
    {
        return new CheckOptions(timeout, explain, newThreads, cacheBytesMax);
    }

    public CheckOptions withCacheBytesMax(final long newCacheBytesMax)
    {
        return new CheckOptions(timeout, explain, threads, newCacheBytesMax);
    }
}
