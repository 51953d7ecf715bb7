package io.tributary.raft.rpc;

/** {@link SecureRatisTransportTest} over Ratis's gRPC transport. */
class SecureGrpcTransportTest extends SecureRatisTransportTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
