package io.tributary.raft;

/** {@link RebalanceTest} over Ratis's gRPC transport. */
class RebalanceGrpcTest extends RebalanceTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
