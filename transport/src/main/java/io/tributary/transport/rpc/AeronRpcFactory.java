package io.tributary.transport.rpc;

import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSettings;

/**
 * Creates the server and client RPC of the Aeron transport. Settings come from the Raft
 * properties under {@code transport.aeron.} ({@link AeronTransportConfig#fromProperties}), TLS from
 * those under {@code security.tls.} ({@link TlsSettings#fromProperties}).
 * The log appender is {@link AeronLogAppender}: several appendEntries in flight per follower
 * ({@code transport.aeron.appender.inflight.max}) and install-snapshot notifications.
 */
public final class AeronRpcFactory implements ServerFactory, ClientFactory
{
    private final RpcType rpcType;

    AeronRpcFactory(final RpcType rpcType)
    {
        this.rpcType = rpcType;
    }

    @Override
    public RpcType getRpcType()
    {
        return rpcType;
    }

    @Override
    public RaftServerRpc newRaftServerRpc(final RaftServer server)
    {
        // The server's id is not known yet (Ratis is constructing it): the RPC names its driver at start.
        final AeronTransportConfig config = config(server.getProperties(), "server");
        return new AeronServerRpc(server, rpcType, config,
            server.getProperties().get(AeronTransportConfig.PREFIX + "node.name") != null, tls(server.getProperties()));
    }

    @Override
    public LogAppender newLogAppender(final RaftServer.Division server, final LeaderState state,
        final FollowerInfo follower)
    {
        final RaftServerRpc rpc = server.getRaftServer().getServerRpc();
        if (!(rpc instanceof AeronServerRpc aeron))
        {
            throw new IllegalStateException("Aeron log appender needs the Aeron server RPC, found " + rpc.getClass()
                .getName());
        }
        return new AeronLogAppender(server, state, follower, aeron, aeron.config().appenderInflightMax(),
            TimeUnit.MICROSECONDS.toNanos(aeron.config().appenderCommitDelayUs()));
    }

    @Override
    public RaftClientRpc newRaftClientRpc(final ClientId clientId, final RaftProperties properties)
    {
        return new AeronClientRpc(clientId, config(properties, "client-" + ProcessHandle.current().pid()),
            properties.get(AeronTransportConfig.PREFIX + "node.name") != null, tls(properties));
    }

    /** The process's TLS context for the {@code security.tls.*} properties; null when TLS is off. */
    static TlsContext tls(final RaftProperties properties)
    {
        final TlsSettings settings = TlsSettings.fromProperties(properties::get);
        return settings.enabled() ? TlsContext.shared(settings) : null;
    }

    static AeronTransportConfig config(final RaftProperties properties, final String defaultNodeName)
    {
        final AeronTransportConfig config = AeronTransportConfig.fromProperties(properties::get);
        if (properties.get(AeronTransportConfig.PREFIX + "node.name") == null)
        {
            config.nodeName(defaultNodeName.replaceAll("[^A-Za-z0-9._-]", "_"));
        }
        return config.validate();
    }
}
