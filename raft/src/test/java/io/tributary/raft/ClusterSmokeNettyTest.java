package io.tributary.raft;

/** {@link ClusterSmokeTest} over Ratis's Netty transport. */
class ClusterSmokeNettyTest extends ClusterSmokeTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
