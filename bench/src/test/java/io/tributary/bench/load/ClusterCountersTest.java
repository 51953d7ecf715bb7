package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Entries, batches and records between two samples of the shards' leaders. */
class ClusterCountersTest
{
    private static ClusterCounters.Shard shard(final int shard, final long appliedIndex, final long batchCount,
        final long nextOffset)
    {
        return new ClusterCounters.Shard(shard, true, appliedIndex, batchCount, nextOffset);
    }

    @Test
    void sumsTheDeltasOfEveryShard()
    {
        final ClusterCounters.Sample before =
            new ClusterCounters.Sample(List.of(shard(0, 100, 300, 2_400), shard(1, 50, 90, 800)));
        final ClusterCounters.Sample after =
            new ClusterCounters.Sample(List.of(shard(0, 140, 420, 3_360), shard(1, 60, 110, 1_000)));
        final ClusterCounters.Delta delta = ClusterCounters.Delta.between(before, after);
        assertThat(delta).isEqualTo(new ClusterCounters.Delta(50, 140, 1_160, 0));
        assertThat(delta.batchesPerEntry()).isEqualTo(2.8);
        assertThat(delta.recordsPerEntry()).isEqualTo(23.2);
    }

    @Test
    void aShardWithoutLeaderInEitherSampleIsLeftOutAndCounted()
    {
        final ClusterCounters.Sample before =
            new ClusterCounters.Sample(List.of(shard(0, 10, 10, 100), ClusterCounters.Shard.unknown(1),
            shard(2, 10, 10, 100)));
        final ClusterCounters.Sample after =
            new ClusterCounters.Sample(List.of(shard(0, 20, 30, 300), shard(1, 99, 99, 999),
            ClusterCounters.Shard.unknown(2), shard(3, 5, 5, 5)));
        assertThat(ClusterCounters.Delta.between(before, after)).isEqualTo(new ClusterCounters.Delta(10, 20, 200, 3));
    }

    @Test
    void aCounterThatWentBackwardsAddsNothing()
    {
        // A new leader that had applied less than the old one reported: its index is lower for a moment.
        final ClusterCounters.Sample before =
            new ClusterCounters.Sample(List.of(shard(0, 100, 100, 1000), shard(1, 10, 10, 100)));
        final ClusterCounters.Sample after =
            new ClusterCounters.Sample(List.of(shard(0, 98, 99, 990), shard(1, 12, 14, 140)));
        assertThat(ClusterCounters.Delta.between(before, after)).isEqualTo(new ClusterCounters.Delta(2, 4, 40, 1));
    }

    @Test
    void noEntryMeansNoRatio()
    {
        final ClusterCounters.Sample same = new ClusterCounters.Sample(List.of(shard(0, 7, 7, 7)));
        final ClusterCounters.Delta delta = ClusterCounters.Delta.between(same, same);
        assertThat(delta.entries()).isZero();
        assertThat(delta.batchesPerEntry()).isNaN();
        assertThat(delta.recordsPerEntry()).isNaN();
        assertThat(ClusterCounters.NOT_AVAILABLE.available()).isFalse();
    }
}
