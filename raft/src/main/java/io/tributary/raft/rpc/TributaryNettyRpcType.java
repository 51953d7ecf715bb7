package io.tributary.raft.rpc;

import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

import io.tributary.protocol.tls.RaftPeerTls;
import io.tributary.protocol.tls.TlsSettings;

/**
 * What a node runs for {@code transport=netty}: Ratis's Netty wire format, served and called by Tributary's own RPCs
 * ({@link NettyServerRpc}: requests served off the event loop; {@link TributaryNettyClientRpc}; both inside TLS 1.3
 * with node certificates when {@code security.tls.*} is set, which Ratis 3.3's Netty RPC has not, and both carrying
 * exceptions as data, not Java serialization), with {@link NotifyingLogAppender} as the log appender and the node's
 * disk gate in front of appendEntries ({@link GatedRaftServer}). Ratis instantiates it by name
 * ({@code raft.rpc.type}) on servers and clients alike.
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

    /** The factory: Tributary's server and client RPCs, and the notifying appender. */
    static final class Factory implements ServerFactory, ClientFactory
    {
        Factory(final Parameters parameters)
        {
            // Nothing to read: the RPCs take their settings from the server's or client's properties.
        }

        @Override
        public RpcType getRpcType()
        {
            return SupportedRpcType.NETTY;
        }

        @Override
        public RaftServerRpc newRaftServerRpc(final RaftServer server)
        {
            final TlsSettings tls = TlsSettings.fromProperties(server.getProperties()::get);
            final RaftServer gated = GatedRaftServer.of(server);
            return NettyReadIndexRedirect.of(new NettyServerRpc(gated, tls.enabled() ? secure(tls) : null), server);
        }

        @Override
        public RaftClientRpc newRaftClientRpc(final ClientId clientId, final RaftProperties properties)
        {
            final TlsSettings tls = TlsSettings.fromProperties(properties::get);
            return new TributaryNettyClientRpc(clientId, properties, tls.enabled() ? secure(tls) : null);
        }

        @Override
        public LogAppender newLogAppender(final RaftServer.Division server, final LeaderState state,
            final FollowerInfo follower)
        {
            return new NotifyingLogAppender(server, state, follower);
        }

        private static RaftPeerTls secure(final TlsSettings tls)
        {
            return RaftPeerTls.shared(tls);
        }
    }
}
