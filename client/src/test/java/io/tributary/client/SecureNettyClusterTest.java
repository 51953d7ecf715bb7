package io.tributary.client;

/** {@link SecureRatisClusterTest} over the netty transport. */
class SecureNettyClusterTest extends SecureRatisClusterTest
{
    @Override
    String transport()
    {
        return "netty";
    }
}
