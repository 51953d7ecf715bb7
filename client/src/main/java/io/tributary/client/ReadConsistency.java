package io.tributary.client;

/** What a {@link Consumer}'s reads guarantee. */
public enum ReadConsistency
{
    /**
     * Every read sees every record acknowledged before it was sent (Ratis ReadIndex on the shard
     * leader). The default.
     */
    LINEARIZABLE,
    /**
     * Reads are served by one replica (a follower if {@link ConsumerConfig#preferredReplica} names
     * one of the shard's replicas), up to what that replica has applied: cheaper for the leader,
     * possibly behind it, never behind what this consumer has already seen of that shard. A follower
     * applies a write once it learns the commit index: with the next write, or at most
     * {@code transport.aeron.appender.commit.delay.us} (25 ms) later on the Aeron transport when
     * writes are sparse.
     */
    FOLLOWER
}
