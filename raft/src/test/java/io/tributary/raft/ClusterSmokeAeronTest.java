package io.tributary.raft;

/** {@link ClusterSmokeTest} over the Aeron transport (transport/), the default. */
class ClusterSmokeAeronTest extends ClusterSmokeTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
