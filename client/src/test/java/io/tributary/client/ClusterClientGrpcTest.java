package io.tributary.client;

/** {@link ClusterClientTest} over Ratis's Grpc transport. */
class ClusterClientGrpcTest extends ClusterClientTest
{
    @Override
    String transport()
    {
        return "grpc";
    }
}
