package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class KeyChooserTest
{
    private static final int KEYS = 1000;
    private static final int DRAWS = 200_000;

    private static int[] histogram(final LoadOptions.KeyDistribution distribution, final long seed)
    {
        final KeyChooser chooser = new KeyChooser(KEYS, distribution, seed);
        final int[] counts = new int[KEYS];
        for (int i = 0; i < DRAWS; i++)
        {
            counts[chooser.nextIndex()]++;
        }
        return counts;
    }

    @Test
    void uniformSpreadsEvenly()
    {
        final int[] counts = histogram(LoadOptions.KeyDistribution.UNIFORM, 11);
        for (int k = 0; k < KEYS; k++)
        {
            // Expected 200 per key; 5 standard deviations is ~70.
            assertThat(counts[k]).as("key %d", k).isBetween(130, 270);
        }
    }

    @Test
    void zipfianConcentratesOnFewKeys()
    {
        final int[] counts = histogram(LoadOptions.KeyDistribution.ZIPFIAN, 11);
        long topTen = 0;
        for (int k = 0; k < 10; k++)
        {
            topTen += counts[k];
        }
        // With exponent 0.99 over 1,000 keys the 10 most popular keys take ~39% of draws; uniform would give 1%.
        assertThat(topTen / (double)DRAWS).isBetween(0.30, 0.48);
        assertThat(counts[0]).isGreaterThan(counts[1]).isGreaterThan(counts[100]);
        assertThat(counts[KEYS - 1]).isLessThan(60);
    }

    @Test
    void sameSeedSameKeys()
    {
        assertThat(histogram(LoadOptions.KeyDistribution.ZIPFIAN, 5))
            .isEqualTo(histogram(LoadOptions.KeyDistribution.ZIPFIAN, 5));
    }

    @Test
    void keysAreDistinctAndFixedWidth()
    {
        final KeyChooser chooser = new KeyChooser(3, LoadOptions.KeyDistribution.UNIFORM, 1);
        assertThat(new String(chooser.next(), StandardCharsets.US_ASCII)).matches("key-0000000[0-2]");
    }
}
