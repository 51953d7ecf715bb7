package io.tributary.raft;

/** {@link DiskFullFollowerTest} over Ratis's Netty transport. */
class DiskFullFollowerNettyTest extends DiskFullFollowerTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
