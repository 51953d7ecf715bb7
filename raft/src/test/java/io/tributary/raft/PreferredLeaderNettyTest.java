package io.tributary.raft;

/** {@link PreferredLeaderTest} over Ratis's Netty transport. */
class PreferredLeaderNettyTest extends PreferredLeaderTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
