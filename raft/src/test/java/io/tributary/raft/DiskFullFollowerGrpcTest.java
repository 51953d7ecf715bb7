package io.tributary.raft;

/** {@link DiskFullFollowerTest} over Ratis's gRPC transport. */
class DiskFullFollowerGrpcTest extends DiskFullFollowerTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
