package io.tributary.raft.rpc;

import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.ServerTransportFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsContext;

/**
 * Tells the process's session observer (the node's audit trail) of each gRPC connection its Raft port accepted over
 * TLS: opened with the peer's principal, and closed. (A handshake that fails never becomes a transport, so gRPC
 * shows it only in its log.)
 */
final class RaftSessionFilter extends ServerTransportFilter
{
    private static final Logger LOG = LoggerFactory.getLogger(RaftSessionFilter.class);

    private final TlsContext context;

    RaftSessionFilter(final TlsContext context)
    {
        this.context = context;
    }

    @Override
    public Attributes transportReady(final Attributes transport)
    {
        try
        {
            context.sessionObserver().onSession(peer(transport), address(transport), true,
                "Raft TLS connection (grpc)");
        }
        catch (final RuntimeException e)
        {
            LOG.warn("the audit of an opened Raft connection failed: {}", e.toString());
        }
        return transport;
    }

    /**
     * gRPC calls this for every transport, with null for one that never became ready (its handshake failed), and
     * counts a transport as gone only once every filter returns: so nothing here may throw, or the server never
     * terminates (seen: a node's close waited forever after a refused handshake).
     */
    @Override
    public void transportTerminated(final Attributes transport)
    {
        if (transport == null)
        {
            return;
        }
        try
        {
            context.sessionObserver().onSession(peer(transport), address(transport), false,
                "Raft TLS connection closed");
        }
        catch (final RuntimeException e)
        {
            LOG.warn("the audit of a closed Raft connection failed: {}", e.toString());
        }
    }

    private static PeerIdentity peer(final Attributes transport)
    {
        final SSLSession session = transport.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null)
        {
            return null;
        }
        try
        {
            final Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? PeerIdentity.of(leaf) : null;
        }
        catch (final SSLPeerUnverifiedException | IllegalArgumentException e)
        {
            return null;
        }
    }

    private static String address(final Attributes transport)
    {
        final SocketAddress remote = transport.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return String.valueOf(remote).replaceFirst("^/", "");
    }
}
