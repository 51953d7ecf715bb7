package io.tributary.client;

/** {@link SecureRatisClusterTest} over the grpc transport. */
class SecureGrpcClusterTest extends SecureRatisClusterTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
