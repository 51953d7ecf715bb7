package io.tributary.raft;

/** {@link DiskFullFollowerTest} over the Aeron transport (transport/), the default. */
class DiskFullFollowerAeronTest extends DiskFullFollowerTest
{
    @Override
    String transport()
    {
        return "aeron";
    }
}
