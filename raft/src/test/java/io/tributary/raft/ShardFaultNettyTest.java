package io.tributary.raft;

/** {@link ShardFaultTest} over Ratis's Netty transport. */
class ShardFaultNettyTest extends ShardFaultTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
