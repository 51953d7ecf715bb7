package io.tributary.raft.rpc;

import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

import io.tributary.protocol.tls.RaftPeerTls;
import io.tributary.protocol.tls.TlsSettings;

/**
 * What a node runs for {@code transport=netty}: Ratis's Netty wire format and client, with {@link NotifyingLogAppender}
 * as the log appender, the node's disk gate in front of appendEntries ({@link GatedRaftServer}), and Tributary's own
 * server RPC ({@link NettyServerRpc}: requests served off the event loop, TLS 1.3 with node certificates when
 * {@code security.tls.*} is set, which Ratis 3.3's Netty RPC has not). With TLS on, clients use
 * {@link SecureNettyClientRpc}. Ratis instantiates it by name ({@code raft.rpc.type}) on servers and clients alike.
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

    /** ratis-netty's factory with the appender and the server RPC replaced; Tributary's client RPC with TLS on. */
    static final class Factory implements ServerFactory, ClientFactory
    {
        /** One per process and settings, as the contexts they read are. */

        private final NettyFactory plain;

        Factory(final Parameters parameters)
        {
            this.plain = new NettyFactory(parameters);
        }

        @Override
        public RpcType getRpcType()
        {
            return plain.getRpcType();
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
            return tls.enabled() ? new SecureNettyClientRpc(clientId, properties, secure(tls))
                : plain.newRaftClientRpc(clientId, properties);
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
