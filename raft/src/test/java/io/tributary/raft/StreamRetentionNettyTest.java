package io.tributary.raft;

/** {@link StreamRetentionTest} over Ratis's Netty transport. */
class StreamRetentionNettyTest extends StreamRetentionTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
