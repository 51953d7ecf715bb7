package io.tributary.protocol.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the Raft links whose TLS stack Ratis drives (its gRPC transport, and the Netty one), over a process's
 * {@link TlsContext}:
 * <ul>
 * <li>{@link #sslContext()} is a JDK context of the files as last loaded: a new one for every load, so a renewed
 * certificate or CA counts for the next connection without a restart (as on Aeron; a context whose managers changed
 * underneath would still resume old sessions from its cache). Open connections keep theirs.</li>
 * <li>It admits <b>node principals only</b>, on both sides, in the handshake: a client certificate of the same CA
 * never gets a Raft connection (appendEntries, votes, group management), where on Aeron the server RPC refuses
 * its messages after the handshake. Only nodes, and tools holding a node certificate, speak Raft.</li>
 * <li>The dialling side checks that the node's certificate names the host it dialled when its engine asks for it
 * (gRPC's always do; {@link #clientEngine}'s do), unless {@code security.tls.verify.hostname=false}.</li>
 * </ul>
 * Thread-safe.
 */
public final class RaftPeerTls
{
    private static final Logger LOG = LoggerFactory.getLogger(RaftPeerTls.class);

    private final TlsContext context;

    private static final ConcurrentHashMap<TlsSettings, RaftPeerTls> SHARED = new ConcurrentHashMap<>();

    public RaftPeerTls(final TlsContext context)
    {
        this.context = context;
    }

    /** The process's instance for {@code settings}, over {@link TlsContext#shared}: one reload check per process. */
    public static RaftPeerTls shared(final TlsSettings settings)
    {
        return SHARED.computeIfAbsent(settings, given -> new RaftPeerTls(TlsContext.shared(given)));
    }

    public TlsContext context()
    {
        return context;
    }

    /** The JDK context of the files as last loaded (checked for a change first): the same object until they change. */
    public SSLContext sslContext()
    {
        return context.raftPeerContext();
    }

    /** An engine for the side that dials a node at {@code peerHost}: TLS 1.3 only, the node's host checked. */
    public SSLEngine clientEngine(final String peerHost, final int peerPort)
    {
        return TlsContext.clientEngine(sslContext(), peerHost, peerPort, true);
    }

    /** An engine for the side that is dialled: TLS 1.3 only, the peer's node certificate required. */
    public SSLEngine serverEngine()
    {
        return TlsContext.serverEngine(sslContext());
    }

    /** Throws when the chain's leaf is not a node's certificate; the message says who and why. */
    static void requireNode(final X509Certificate[] chain, final String side) throws CertificateException
    {
        if (chain == null || chain.length == 0)
        {
            throw new CertificateException("no certificate from the " + side + ": a Raft link needs a node's");
        }
        final PeerIdentity peer;
        try
        {
            peer = PeerIdentity.of(chain[0]);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateException(ex.getMessage(), ex);
        }
        if (!peer.isNode())
        {
            final String message = "the " + side + " presented " + peer + " (" + chain[0].getSubjectX500Principal()
                + "): only node principals (OU=" + PeerIdentity.NODE_UNIT + ") may speak Raft";
            LOG.warn("Raft TLS refused: {}", message);
            throw new CertificateException(message);
        }
    }

    /**
     * One load's CA checks, then the node-only rule. With {@code verify.hostname=false} the dialling side checks the
     * chain without the engine, so no host is compared (the engine-free call validates the path only).
     */
    static final class NodesOnly extends X509ExtendedTrustManager
    {
        private final X509ExtendedTrustManager authority;
        private final boolean verifyHostname;

        NodesOnly(final X509ExtendedTrustManager authority, final boolean verifyHostname)
        {
            this.authority = authority;
            this.verifyHostname = verifyHostname;
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
            throws CertificateException
        {
            authority.checkClientTrusted(chain, authType);
            requireNode(chain, "client");
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
            throws CertificateException
        {
            authority.checkClientTrusted(chain, authType, socket);
            requireNode(chain, "client");
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
            throws CertificateException
        {
            authority.checkClientTrusted(chain, authType, engine);
            requireNode(chain, "client");
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
            throws CertificateException
        {
            authority.checkServerTrusted(chain, authType);
            requireNode(chain, "server");
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
            throws CertificateException
        {
            if (verifyHostname)
            {
                authority.checkServerTrusted(chain, authType, socket);
            }
            else
            {
                authority.checkServerTrusted(chain, authType);
            }
            requireNode(chain, "server");
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
            throws CertificateException
        {
            if (verifyHostname)
            {
                authority.checkServerTrusted(chain, authType, engine);
            }
            else
            {
                authority.checkServerTrusted(chain, authType);
            }
            requireNode(chain, "server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return authority.getAcceptedIssuers();
        }
    }
}
