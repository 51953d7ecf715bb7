package io.tributary.raft;

/** {@link RetentionRebalanceTest} over the Aeron transport (transport/), the default. */
class RetentionRebalanceAeronTest extends RetentionRebalanceTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
