package io.tributary.raft;

/** {@link PreferredLeaderTest} over the Aeron transport (transport/), the default. */
class PreferredLeaderAeronTest extends PreferredLeaderTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
