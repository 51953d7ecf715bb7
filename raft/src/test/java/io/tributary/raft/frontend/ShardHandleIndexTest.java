package io.tributary.raft.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import io.tributary.raft.protocol.ReplayKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a follower read asked for "at least index X" compares: the index up to which the replica holds whole entries.
 * An entry carries several batches, stored one at a time; a replica between two of them must not count the entry.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ShardHandleIndexTest
{
    @Test
    void aReplicaBetweenTheBatchesOfAnEntryDoesNotCountThatEntry()
    {
        // The leader stored both batches of entry 40 and reported 40 with its read; this follower has stored
        // batch 0 of entry 40 only, and has applied up to 39.
        final long firstOfEntry40 = ReplayKey.of(40, 0);
        assertThat(ShardHandle.completeIndex(39, firstOfEntry40)).as("entry 40 may be cut between its batches")
            .isEqualTo(39).isLessThan(40);
        final long lastOfEntry40 = ReplayKey.of(40, 1);
        assertThat(ShardHandle.completeIndex(39, lastOfEntry40)).as("even at its last batch, until it is applied")
            .isEqualTo(39);
        assertThat(ShardHandle.completeIndex(40, lastOfEntry40)).as("applied: whole").isEqualTo(40);
    }

    @Test
    void aStoredBatchOfALaterEntryMakesEveryEarlierEntryWhole()
    {
        // After a restart the applied index is the snapshot's while the log holds batches well past it.
        assertThat(ShardHandle.completeIndex(10, ReplayKey.of(57, 2))).isEqualTo(56);
        // Entries past the last stored batch (configuration, key horizons) count once applied.
        assertThat(ShardHandle.completeIndex(60, ReplayKey.of(57, 2))).isEqualTo(60);
    }

    @Test
    void anEmptyLogCountsTheAppliedIndexAlone()
    {
        assertThat(ShardHandle.completeIndex(-1, 0)).isEqualTo(-1);
        assertThat(ShardHandle.completeIndex(12, 0)).isEqualTo(12);
    }
}
