package io.tributary.raft;

/** {@link RebalanceTest} over Ratis's Netty transport. */
class RebalanceNettyTest extends RebalanceTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
