package io.tributary.raft.rpc;

/** {@link SecureRatisTransportTest} over the Netty transport (Ratis's wire format, Tributary's TLS). */
class SecureNettyTransportTest extends SecureRatisTransportTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
