package io.tributary.raft.rpc;

import java.util.concurrent.ConcurrentHashMap;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.client.GrpcClientRpc;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.grpc.server.GrpcServicesImpl;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;

import io.tributary.protocol.tls.RaftPeerTls;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSettings;

/**
 * What a node runs for {@code transport=grpc}: Ratis's gRPC transport (its appender already notifies
 * lagging followers) with the node's disk gate in front of appendEntries ({@link GatedRaftServer}), and TLS 1.3
 * between nodes when the properties turn it on.
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

    /**
     * ratis-grpc's factory, with the served server replaced, and with TLS between nodes when the properties turn it on
     * ({@code security.tls.*}, as for Aeron). Ratis would read its TLS settings from the factory's {@link Parameters}
     * and build one context for the process's life; the contexts here come from the files as last loaded instead
     * ({@link RaftPeerSslContext}), one pair per process and settings.
     */
    static final class Factory extends GrpcFactory
    {
        private static final ConcurrentHashMap<TlsSettings, Contexts> SECURE = new ConcurrentHashMap<>();

        /** The dialled side's context and the dialling side's. */
        private record Contexts(SslContext server, SslContext client)
        {
            static Contexts of(final TlsSettings settings)
            {
                final RaftPeerTls tls = RaftPeerTls.shared(settings);
                return new Contexts(new RaftPeerSslContext(tls, false), new RaftPeerSslContext(tls, true));
            }
        }

        private final GrpcServices.Customizer customizer;

        Factory(final Parameters parameters)
        {
            super(parameters);
            final GrpcServices.Customizer given = GrpcConfigKeys.Server.servicesCustomizer(parameters);
            this.customizer = given != null ? given : GrpcServices.Customizer.getDefaultInstance();
        }

        @Override
        public GrpcServices newRaftServerRpc(final RaftServer server)
        {
            final TlsSettings tls = TlsSettings.fromProperties(server.getProperties()::get);
            final RaftServer gated = GatedRaftServer.of(server);
            if (!tls.enabled())
            {
                return super.newRaftServerRpc(gated);
            }
            // As GrpcFactory wires its contexts: every service served with the server's, the node's own calls to its
            // peers with the client's.
            final Contexts contexts = SECURE.computeIfAbsent(tls, Contexts::of);
            return GrpcServicesImpl.newBuilder()
                .setServer(gated)
                .setCustomizer((builder, types) -> customizer.customize(builder, types)
                    .addTransportFilter(new RaftSessionFilter(TlsContext.shared(tls))))
                .setAdminSslContext(contexts.server)
                .setClientSslContext(contexts.server)
                .setServerSslContextForServer(contexts.server)
                .setServerSslContextForClient(contexts.client)
                .build();
        }

        @Override
        public GrpcClientRpc newRaftClientRpc(final ClientId clientId, final RaftProperties properties)
        {
            final TlsSettings tls = TlsSettings.fromProperties(properties::get);
            if (!tls.enabled())
            {
                return super.newRaftClientRpc(clientId, properties);
            }
            final Contexts contexts = SECURE.computeIfAbsent(tls, Contexts::of);
            return GrpcClientRpc.create(clientId, properties, contexts.client, contexts.client);
        }
    }
}
