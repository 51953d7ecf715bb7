package io.tributary.raft.rpc;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;

/**
 * What a node runs for {@code transport=grpc}: Ratis's gRPC transport (its appender already notifies
 * lagging followers) with the node's disk gate in front of appendEntries ({@link GatedRaftServer}).
 */
public final class TributaryGrpcRpcType implements RpcType
{
    public static final String NAME = TributaryGrpcRpcType.class.getName();

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public RpcFactory newFactory(final Parameters parameters)
    {
        return new Factory(parameters);
    }

    @Override
    public String toString()
    {
        return "GRPC";
    }

    /** ratis-grpc's factory, with the served server replaced. */
    static final class Factory extends GrpcFactory
    {
        Factory(final Parameters parameters)
        {
            super(parameters);
        }

        @Override
        public GrpcServices newRaftServerRpc(final RaftServer server)
        {
            return super.newRaftServerRpc(GatedRaftServer.of(server));
        }
    }
}
