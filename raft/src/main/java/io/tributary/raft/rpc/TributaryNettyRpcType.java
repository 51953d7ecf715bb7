package io.tributary.raft.rpc;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.netty.NettyFactory;
import org.apache.ratis.netty.server.NettyRpcService;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * What a node runs for {@code transport=netty}: Ratis's Netty transport (its server, client and wire
 * format) with {@link NotifyingLogAppender} as the log appender and the node's disk gate in front of
 * appendEntries ({@link GatedRaftServer}). Ratis instantiates it by name ({@code raft.rpc.type}) on
 * servers and clients alike.
 */
public final class TributaryNettyRpcType implements RpcType
{
    public static final String NAME = TributaryNettyRpcType.class.getName();

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
        return "NETTY";
    }

    /** ratis-netty's factory, with the appender and the served server replaced. */
    static final class Factory extends NettyFactory
    {
        Factory(final Parameters parameters)
        {
            super(parameters);
        }

        @Override
        public NettyRpcService newRaftServerRpc(final RaftServer server)
        {
            return super.newRaftServerRpc(GatedRaftServer.of(server));
        }

        @Override
        public LogAppender newLogAppender(final RaftServer.Division server, final LeaderState state,
            final FollowerInfo follower)
        {
            return new NotifyingLogAppender(server, state, follower);
        }
    }
}
