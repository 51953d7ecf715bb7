package io.tributary.protocol.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's TLS 1.3 context, built from the PEM files of its {@link TlsSettings} and rebuilt when any
 * of them changes (checked at most every {@code reload.check.ms}), so a renewed certificate or a new CA
 * is used by the next session without a restart; sessions already open keep theirs. Files caught half
 * written fail to load: the context in use stays, and the next check tries again.
 * <p>
 * Every engine speaks TLS 1.3 only (no fallback), and both ends present certificates: a server engine
 * needs the client's. Thread-safe.
 */
public final class TlsContext
{
    public static final String PROTOCOL = "TLSv1.3";
    private static final Logger LOG = LoggerFactory.getLogger(TlsContext.class);

    private final TlsSettings settings;
    private final long reloadCheckNs;
    private volatile Loaded loaded;
    private volatile long nextCheckNs;
    private volatile SessionObserver sessionObserver = SessionObserver.NONE;
    private long reloads;

    /**
     * One load of the files: {@code raftPeerContext} is the context of the Raft links Tributary does not drive itself
     * ({@link RaftPeerTls}). A context per load, never one whose managers change underneath: TLS 1.3 resumes sessions
     * from the context's cache without looking at a certificate again, so only a new context makes a changed file
     * count for the next connection.
     */
    private record Loaded(SSLContext context, PeerIdentity identity, X509Certificate leaf, FileStamp stamp,
        SSLContext raftPeerContext)
    {
    }

    /** What a file looked like when it was read: a change of either means it was rewritten. */
    private record FileStamp(long caModified, long caSize, long certModified, long certSize, long keyModified,
        long keySize)
    {
        static FileStamp of(final TlsSettings settings) throws IOException
        {
            return new FileStamp(
                Files.getLastModifiedTime(settings.caFile()).toMillis(), Files.size(settings.caFile()),
                Files.getLastModifiedTime(settings.certFile()).toMillis(), Files.size(settings.certFile()),
                Files.getLastModifiedTime(settings.keyFile()).toMillis(), Files.size(settings.keyFile()));
        }
    }

    /**
     * Loads the files now; throws {@link IllegalArgumentException} naming the file and the problem when they
     * do not make a usable context (a process must not start with TLS it cannot use).
     */
    public TlsContext(final TlsSettings settings)
    {
        if (!settings.enabled())
        {
            throw new IllegalArgumentException("TLS is off (" + TlsSettings.ENABLED + "=false): no TLS context");
        }
        this.settings = settings.validate();
        this.reloadCheckNs = TimeUnit.MILLISECONDS.toNanos(settings.reloadCheckMs());
        try
        {
            this.loaded = load(settings);
        }
        catch (final IOException | GeneralSecurityException | RuntimeException ex)
        {
            throw new IllegalArgumentException("TLS: cannot use " + settings + ": " + ex.getMessage(), ex);
        }
        this.nextCheckNs = System.nanoTime() + reloadCheckNs;
    }

    public TlsSettings settings()
    {
        return settings;
    }

    /** This process's principal, from its certificate as last loaded. */
    public PeerIdentity identity()
    {
        return current().identity;
    }

    /** This process's certificate as last loaded. */
    public X509Certificate certificate()
    {
        return current().leaf;
    }

    /** Times the files were loaded again after a change. */
    public synchronized long reloads()
    {
        return reloads;
    }

    /**
     * An engine for the side that dials {@code peerHost}: checks the server's certificate against the CA and,
     * unless turned off, that it names {@code peerHost} (as HTTPS does).
     */
    public SSLEngine clientEngine(final String peerHost, final int peerPort)
    {
        return clientEngine(current().context, peerHost, peerPort, settings.verifyHostname());
    }

    /** A dialling engine of {@code context}: TLS 1.3 only, the server's host checked when {@code verifyHostname}. */
    static SSLEngine clientEngine(final SSLContext context, final String peerHost, final int peerPort,
        final boolean verifyHostname)
    {
        final SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        if (verifyHostname)
        {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** An engine for the side that is dialled: it needs the client's certificate, signed by the CA. */
    public SSLEngine serverEngine()
    {
        return serverEngine(current().context);
    }

    /** A dialled engine of {@code context}: TLS 1.3 only, the client's certificate required. */
    static SSLEngine serverEngine(final SSLContext context)
    {
        final SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        parameters.setNeedClientAuth(true);
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** The context to use now: reloaded first when a file changed since the last check. */
    private Loaded current()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextCheckNs >= 0)
        {
            checkForChange(nowNs);
        }
        return loaded;
    }

    private synchronized void checkForChange(final long nowNs)
    {
        if (nowNs - nextCheckNs < 0)
        {
            return;
        }
        nextCheckNs = nowNs + reloadCheckNs;
        try
        {
            if (FileStamp.of(settings).equals(loaded.stamp))
            {
                return;
            }
            final Loaded fresh = load(settings);
            loaded = fresh;
            reloads++;
            LOG.info("TLS: loaded {} again after a change: now {} until {}", settings.certFile(), fresh.identity,
                fresh.leaf.getNotAfter());
        }
        catch (final IOException | GeneralSecurityException | RuntimeException ex)
        {
            LOG.warn("TLS: {} changed but cannot be used ({}); keeping the certificate loaded before, will try again "
                + "in {} ms", settings, ex.getMessage(), settings.reloadCheckMs());
        }
    }

    private static Loaded load(final TlsSettings settings) throws IOException, GeneralSecurityException
    {
        // The stamp is taken before reading, so a write that lands during the read is seen at the next check.
        final FileStamp stamp = FileStamp.of(settings);
        final List<X509Certificate> authorities = PemFiles.certificates(settings.caFile());
        final List<X509Certificate> chain = PemFiles.certificates(settings.certFile());
        final PrivateKey key = PemFiles.privateKey(settings.keyFile());
        final X509Certificate leaf = chain.get(0);
        if (!matches(leaf, key))
        {
            throw new IOException(settings.keyFile() + " is not the private key of the certificate in "
                + settings.certFile() + " (" + leaf.getSubjectX500Principal() + ")");
        }
        final PeerIdentity identity = PeerIdentity.of(leaf);

        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < authorities.size(); i++)
        {
            trust.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);

        final char[] password = new char[0];
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("self", key, password, chain.toArray(new X509Certificate[0]));
        final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX");
        keyManagers.init(keys, password);

        final X509ExtendedKeyManager keyManager = only(X509ExtendedKeyManager.class, keyManagers.getKeyManagers());
        final X509ExtendedTrustManager trustManager =
            only(X509ExtendedTrustManager.class, trustManagers.getTrustManagers());
        final SSLContext context = SSLContext.getInstance(PROTOCOL);
        context.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, new SecureRandom());
        final SSLContext raftPeerContext = SSLContext.getInstance(PROTOCOL);
        final TrustManager nodesOnly = new RaftPeerTls.NodesOnly(trustManager, settings.verifyHostname());
        raftPeerContext.init(new KeyManager[] {keyManager}, new TrustManager[] {nodesOnly}, new SecureRandom());
        return new Loaded(context, identity, leaf, stamp, raftPeerContext);
    }

    private static <T> T only(final Class<T> type, final Object[] managers) throws GeneralSecurityException
    {
        for (final Object manager : managers)
        {
            if (type.isInstance(manager))
            {
                return type.cast(manager);
            }
        }
        throw new GeneralSecurityException("the JDK's PKIX factory made no " + type.getSimpleName());
    }

    /**
     * The context of the Raft links whose TLS Ratis drives (gRPC, Netty), of the files as last loaded (checked for a
     * change first): it presents this process's certificate and admits node principals only ({@link RaftPeerTls}).
     */
    SSLContext raftPeerContext()
    {
        return current().raftPeerContext;
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean matches(final X509Certificate certificate, final PrivateKey key)
    {
        try
        {
            final String algorithm = switch (key.getAlgorithm())
            {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> key.getAlgorithm();
            };
            final byte[] probe = "tributary key check".getBytes(StandardCharsets.US_ASCII);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    /** Who is told of the sessions accepted under this context (the node's audit trail); none by default. */
    public void observeSessions(final SessionObserver observer)
    {
        this.sessionObserver = observer == null ? SessionObserver.NONE : observer;
    }

    public SessionObserver sessionObserver()
    {
        return sessionObserver;
    }

    /**
     * The process's context for {@code settings}, made on first use: every endpoint and Raft client of a process
     * with the same files shares one (one reload check, one copy of the key material).
     */
    public static TlsContext shared(final TlsSettings settings)
    {
        return SHARED.computeIfAbsent(settings, TlsContext::new);
    }

    private static final ConcurrentHashMap<TlsSettings, TlsContext> SHARED =
        new ConcurrentHashMap<>();
}
