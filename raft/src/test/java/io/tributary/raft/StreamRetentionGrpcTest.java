package io.tributary.raft;

/** {@link StreamRetentionTest} over Ratis's gRPC transport. */
class StreamRetentionGrpcTest extends StreamRetentionTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
