package io.tributary.protocol.frame;

/** Seeds for randomized tests: printed, and replayed with -Dtributary.seed=N. */
public final class Seeds
{
    private Seeds()
    {
    }

    public static long seed(final String test)
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime());
        System.out.println(test + " seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        return seed;
    }
}
