package io.tributary.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Picks the key of each record, uniformly or zipfian (YCSB's generator, exponent 0.99: a few keys
 * take most records, as sensor and user ids do). Keys are built once; {@link #next} allocates nothing.
 * Not thread-safe: one per load thread.
 */
public final class KeyChooser
{
    static final double ZIPF_THETA = 0.99;

    private final byte[][] keys;
    private final SplittableRandom random;
    private final boolean zipfian;
    private final double zetaN;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;

    public KeyChooser(final int keyCount, final LoadOptions.KeyDistribution distribution, final long seed)
    {
        if (keyCount < 1)
        {
            throw new IllegalArgumentException("keyCount must be >= 1, was " + keyCount);
        }
        this.keys = new byte[keyCount][];
        for (int k = 0; k < keyCount; k++)
        {
            keys[k] = String.format("key-%08d", k).getBytes(StandardCharsets.US_ASCII);
        }
        this.random = new SplittableRandom(seed);
        this.zipfian = distribution == LoadOptions.KeyDistribution.ZIPFIAN;
        // zeta(n) is a sum over every key: only the zipfian distribution pays for it.
        this.zetaN = zipfian ? zeta(keyCount, ZIPF_THETA) : 0;
        this.alpha = 1.0 / (1.0 - ZIPF_THETA);
        this.eta = zipfian ? (1 - Math.pow(2.0 / keyCount, 1 - ZIPF_THETA)) / (1 - zeta(2, ZIPF_THETA) / zetaN) : 0;
        this.halfPowTheta = 1 + Math.pow(0.5, ZIPF_THETA);
    }

    public byte[] next()
    {
        return keys[nextIndex()];
    }

    int nextIndex()
    {
        if (!zipfian || keys.length == 1)
        {
            return random.nextInt(keys.length);
        }
        final double u = random.nextDouble();
        final double uz = u * zetaN;
        if (uz < 1.0)
        {
            return 0;
        }
        if (uz < halfPowTheta)
        {
            return 1;
        }
        final int index = (int)(keys.length * Math.pow(eta * u - eta + 1, alpha));
        return Math.min(index, keys.length - 1);
    }

    int keyCount()
    {
        return keys.length;
    }

    private static double zeta(final long n, final double theta)
    {
        double sum = 0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1.0 / Math.pow(i, theta);
        }
        return sum;
    }
}
