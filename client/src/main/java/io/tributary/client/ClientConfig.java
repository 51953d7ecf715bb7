package io.tributary.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.tributary.protocol.tls.TlsSettings;


/**
 * What every client needs to reach a cluster: the metadata quorum (every other address is
 * learnt from it), the transport and the per-request timeout. Builder-style and mutable; a
 * client copies what it needs when it is created, so changing a config afterwards affects
 * nothing. Not thread-safe.
 *
 * @param <SELF> the concrete configuration, so that setters chain.
 */
public abstract class ClientConfig<SELF extends ClientConfig<SELF>>
{
    /** Transports by name: {@code aeron} (default) reaches the nodes' front ends over Aeron UDP. */
    public static final List<String> TRANSPORTS = List.of("aeron", "grpc", "netty");
    public static final String DEFAULT_TRANSPORT = "aeron";
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

    private final Map<String, String> metadataPeers = new LinkedHashMap<>();
    private String transport = DEFAULT_TRANSPORT;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private TlsSettings tls = TlsSettings.disabled();

    @SuppressWarnings("unchecked")
    private SELF self()
    {
        return (SELF)this;
    }

    /** The metadata quorum as node id -> host:port (the {@code metadata.peers} of the nodes). */
    public SELF metadataPeers(final Map<String, String> peers)
    {
        metadataPeers.clear();
        metadataPeers.putAll(peers);
        return self();
    }

    /** The metadata quorum as {@code id@host:port,id@host:port}, as in a node's configuration file. */
    public SELF metadataPeers(final String peers)
    {
        final List<String> problems = new ArrayList<>();
        final Map<String, String> parsed = parsePeers(peers, problems);
        if (!problems.isEmpty())
        {
            throw new IllegalArgumentException("metadata peers '" + peers + "' are invalid: "
                + String.join("; ", problems));
        }
        return metadataPeers(parsed);
    }

    /** {@code aeron} (default), {@code grpc} or {@code netty}: the nodes' transport (docs/configuration.md). */
    public SELF transport(final String transport)
    {
        this.transport = transport;
        return self();
    }

    /** Timeout of one request to one node, before the client retries it (elsewhere, or after a leader change). */
    public SELF requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return self();
    }

    /**
     * TLS 1.3 to the nodes, with this client's certificate (the nodes know it by its CN; docs/security.md). Off by
     * default; a cluster with TLS on takes nothing else.
     */
    public SELF tls(final TlsSettings tls)
    {
        this.tls = tls;
        return self();
    }

    /** TLS from the {@code security.tls.*} keys (a properties file, system properties). */
    public SELF tls(final Function<String, String> lookup)
    {
        return tls(TlsSettings.fromProperties(lookup));
    }

    public TlsSettings tls()
    {
        return tls;
    }

    public Map<String, String> metadataPeers()
    {
        return new LinkedHashMap<>(metadataPeers);
    }

    public String transport()
    {
        return transport;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * Checks every setting and their relations; throws {@link IllegalArgumentException} listing
     * each problem and what to change. Called by the client factories.
     */
    public final void validate()
    {
        final List<String> problems = new ArrayList<>();
        if (metadataPeers.isEmpty())
        {
            problems.add("metadataPeers is empty: give the metadata quorum as id@host:port,... (the nodes' "
                + "metadata.peers)");
        }
        if (transport == null || !TRANSPORTS.contains(transport))
        {
            problems.add("transport is '" + transport + "': use " + String.join(", ", TRANSPORTS) + " (default "
                + DEFAULT_TRANSPORT + "), the transport the nodes run");
        }
        if (requestTimeoutMs < 100 || requestTimeoutMs > 600_000)
        {
            problems.add("requestTimeoutMs is " + requestTimeoutMs + "; it must be in [100, 600000]");
        }
        try
        {
            tls.validate();
        }
        catch (final IllegalArgumentException e)
        {
            problems.add(e.getMessage());
        }
        validate(problems);
        if (!problems.isEmpty())
        {
            throw new IllegalArgumentException("invalid " + getClass().getSimpleName() + ":\n  - "
                + String.join("\n  - ", problems));
        }
    }

    /** Parses {@code id@host:port,id@host:port}, adding what is wrong to {@code problems}. */
    public static Map<String, String> parsePeers(final String text, final List<String> problems)
    {
        final Map<String, String> peers = new LinkedHashMap<>();
        if (text == null || text.isBlank())
        {
            return peers;
        }
        for (final String entry : text.split(","))
        {
            final String trimmed = entry.trim();
            final int at = trimmed.indexOf('@');
            final int colon = trimmed.lastIndexOf(':');
            if (at <= 0 || colon < at + 2 || colon == trimmed.length() - 1)
            {
                problems.add("peer '" + trimmed + "' is not id@host:port");
                continue;
            }
            peers.put(trimmed.substring(0, at), trimmed.substring(at + 1));
        }
        return peers;
    }

    /** Adds the problems of the concrete configuration. */
    protected abstract void validate(List<String> problems);

    protected static void checkRange(final List<String> problems, final String name, final long value, final long min,
        final long max)
    {
        if (value < min || value > max)
        {
            problems.add(name + " is " + value + "; it must be in [" + min + ", " + max + "]");
        }
    }
}
