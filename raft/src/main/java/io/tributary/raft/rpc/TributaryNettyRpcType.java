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
 * What a node runs for {@code transport=netty}: Ratis's Netty transport (its server, client and wire
 * format) with {@link NotifyingLogAppender} as the log appender and the node's disk gate in front of
 * appendEntries ({@link GatedRaftServer}). With TLS on ({@code security.tls.*} in the properties), the same wire
 * format inside TLS 1.3 with node certificates ({@link SecureNettyServerRpc}, {@link SecureNettyClientRpc}): Ratis
 * 3.3's Netty RPC has no TLS. Ratis instantiates it by name ({@code raft.rpc.type}) on servers and clients alike.
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

    /** ratis-netty's factory with the appender and the served server replaced; Tributary's RPCs with TLS on. */
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
            return NettyReadIndexRedirect.of(tls.enabled() ? new SecureNettyServerRpc(gated, secure(tls))
                : plain.newRaftServerRpc(gated), server);
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
