package io.tributary.raft;

/** {@link ShardFaultTest} over the Aeron transport (transport/), the default. */
class ShardFaultAeronTest extends ShardFaultTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
