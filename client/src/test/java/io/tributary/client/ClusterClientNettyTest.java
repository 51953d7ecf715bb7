package io.tributary.client;

/** {@link ClusterClientTest} over Ratis's Netty transport. */
class ClusterClientNettyTest extends ClusterClientTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
