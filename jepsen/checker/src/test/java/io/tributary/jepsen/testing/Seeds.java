package io.tributary.jepsen.testing;

import java.util.SplittableRandom;

/**
 * Seeds for randomized tests: {@code -Dtributary.seed=N} replays a run, otherwise a fresh seed is drawn.
 * Either way the seed is printed, so any failure can be replayed.
 */
public final class Seeds
{
    public static final String PROPERTY = "tributary.seed";

    private Seeds()
{
    }

    /** The base seed for a test, printed with how to replay it. */
    public static long base(final String testName)
    {
        String fixed = System.getProperty(PROPERTY, "");
        long seed = fixed.isBlank() ? new SplittableRandom().nextLong() : Long.parseLong(fixed.trim());
        System.out.printf("%s: seed %d (replay with -D%s=%d)%n", testName, seed, PROPERTY, seed);
        return seed;
    }

    /** The seed of the i-th case of a run, spread so that neighbouring cases differ in every bit. */
    public static long of(final long base, final long i)
    {
        return new SplittableRandom(base + 0x9E3779B97F4A7C15L * i).nextLong();
    }
}
