package io.tributary.raft;

/** {@link RebalanceTest} over the Aeron transport (transport/), the default. */
class RebalanceAeronTest extends RebalanceTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
