package io.tributary.raft;

/** {@link ShardFaultTest} over Ratis's gRPC transport. */
class ShardFaultGrpcTest extends ShardFaultTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
