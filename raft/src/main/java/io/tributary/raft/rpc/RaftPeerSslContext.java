package io.tributary.raft.rpc;

import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

import org.apache.ratis.thirdparty.io.netty.buffer.ByteBufAllocator;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.ApplicationProtocolConfig;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.ApplicationProtocolNames;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.ApplicationProtocolNegotiator;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.ClientAuth;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.JdkSslContext;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;

import io.tributary.protocol.tls.RaftPeerTls;
import io.tributary.protocol.tls.TlsContext;

/**
 * The Netty TLS context Ratis's gRPC transport is given, for one side (dialling or dialled): each engine comes from
 * the JDK context of the node's files as last loaded ({@link RaftPeerTls#sslContext()}), wrapped for Netty once per
 * load, so a renewed certificate counts for the next connection without a restart. TLS 1.3 only, HTTP/2 by ALPN (as
 * gRPC needs), the peer's node certificate required on both sides. Thread-safe.
 */
final class RaftPeerSslContext extends SslContext
{
    private static final ApplicationProtocolConfig HTTP2 = new ApplicationProtocolConfig(
        ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
        ApplicationProtocolNames.HTTP_2);

    private final RaftPeerTls tls;
    private final boolean client;
    private Wrapped wrapped;

    /** A load's JDK context and its Netty wrapping. */
    private record Wrapped(SSLContext from, JdkSslContext netty)
    {
    }

    RaftPeerSslContext(final RaftPeerTls tls, final boolean client)
    {
        this.tls = tls;
        this.client = client;
        current();
    }

    private synchronized JdkSslContext current()
    {
        final SSLContext jdk = tls.sslContext();
        if (wrapped == null || wrapped.from != jdk)
        {
            wrapped = new Wrapped(jdk, new JdkSslContext(jdk, client, null, IdentityCipherSuiteFilter.INSTANCE, HTTP2,
                ClientAuth.REQUIRE, new String[] {TlsContext.PROTOCOL}, false));
        }
        return wrapped.netty;
    }

    @Override
    public boolean isClient()
    {
        return client;
    }

    @Override
    public List<String> cipherSuites()
    {
        return current().cipherSuites();
    }

    @Override
    public ApplicationProtocolNegotiator applicationProtocolNegotiator()
    {
        return current().applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(final ByteBufAllocator allocator)
    {
        return current().newEngine(allocator);
    }

    @Override
    public SSLEngine newEngine(final ByteBufAllocator allocator, final String peerHost, final int peerPort)
    {
        return current().newEngine(allocator, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext()
    {
        return current().sessionContext();
    }
}
