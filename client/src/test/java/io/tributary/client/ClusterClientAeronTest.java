package io.tributary.client;

/** {@link ClusterClientTest} over the Aeron transport (transport/), the default. */
class ClusterClientAeronTest extends ClusterClientTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
