package io.tributary.raft;

/** {@link RetentionRebalanceTest} over Ratis's gRPC transport. */
class RetentionRebalanceGrpcTest extends RetentionRebalanceTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
