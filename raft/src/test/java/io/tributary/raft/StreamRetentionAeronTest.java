package io.tributary.raft;

/** {@link StreamRetentionTest} over the Aeron transport (transport/), the default. */
class StreamRetentionAeronTest extends StreamRetentionTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
