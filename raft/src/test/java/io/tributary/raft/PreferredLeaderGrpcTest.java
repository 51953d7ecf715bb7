package io.tributary.raft;

/** {@link PreferredLeaderTest} over Ratis's gRPC transport. */
class PreferredLeaderGrpcTest extends PreferredLeaderTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
