package io.tributary.raft;

/** {@link RetentionRebalanceTest} over Ratis's Netty transport. */
class RetentionRebalanceNettyTest extends RetentionRebalanceTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
