package io.tributary.raft;

/** {@link ClusterSmokeTest} over Ratis's gRPC transport. */
class ClusterSmokeGrpcTest extends ClusterSmokeTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
