package io.tributary.client.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.opentelemetry.api.trace.Span;

import io.tributary.client.AccessDeniedException;
import io.tributary.client.ClientConfig;
import io.tributary.client.TributaryException;
import io.tributary.protocol.AdminRequestDescriptor;
import io.tributary.protocol.AdminResponseDescriptor;
import io.tributary.protocol.ErrorResponseDescriptor;
import io.tributary.protocol.FrontEndProtocol;
import io.tributary.protocol.aeron.AeronRuntimes;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.MessageEndpoint;
import io.tributary.protocol.aeron.ReplyAddresses;
import io.tributary.protocol.aeron.SharedClientEndpoints;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.net.ClientTransport;
import io.tributary.protocol.net.ResponseHandler;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSettings;

/**
 * A client's connection to the cluster's front ends: the transport (Aeron: the process's media
 * driver and network thread, shared by every client object of the process), the bootstrap nodes
 * (the configured metadata peers; any node answers metadata requests), and admin calls. Owned by
 * one producer, consumer or admin client. Thread-safe.
 */
public final class FrontEndClient implements AutoCloseable
{
    private static final AtomicLong CLIENTS = new AtomicLong();
    /**
     * One endpoint per process (and reply host): every producer, consumer and admin client of the process shares it.
     */
    private static final SharedClientEndpoints<MessageEndpoint> ENDPOINTS = new SharedClientEndpoints<>();

    private final EmbeddedMediaDriver driver;
    private final MessageEndpoint transport;
    private final List<String> bootstrap;
    private final long requestTimeoutMs;
    private final String name;
    /** The bootstrap node that answered last: asked first next time, so a node that is down costs one timeout, once. */
    private volatile int lastAnswered;

    private FrontEndClient(final EmbeddedMediaDriver driver, final MessageEndpoint transport,
        final List<String> bootstrap,
        final long requestTimeoutMs, final String name)
    {
        this.driver = driver;
        this.transport = transport;
        this.bootstrap = bootstrap;
        this.requestTimeoutMs = requestTimeoutMs;
        this.name = name;
    }

    /** Connects (the config is validated by the caller). */
    public static FrontEndClient connect(final ClientConfig<?> config)
    {
        final List<String> bootstrap = new ArrayList<>(config.metadataPeers().values());
        final String name = "client-" + ProcessHandle.current().pid() + "-" + CLIENTS.incrementAndGet();
        // One driver per process: named by the process, shared by every client object in it (and by a node's, in
        // tests). Aeron settings of a client process come from its system properties
        // (-Dtransport.aeron.idle.network=..., as a node's come from its configuration file).
        final AeronTransportConfig aeron = AeronTransportConfig.fromProperties(System::getProperty)
            .nodeName("client-" + ProcessHandle.current().pid());
        final EmbeddedMediaDriver driver = AeronRuntimes.acquireForClient(aeron, false);
        try
        {
            final String host = ReplyAddresses.towards(null, bootstrap.get(0));
            final TlsSettings tls = config.tls();
            final MessageEndpoint endpoint = ENDPOINTS.acquire(driver, host, tls.toString(), () -> new MessageEndpoint(
                "client-" + ProcessHandle.current().pid(), driver, host + ":0", FrontEndProtocol.AERON_STREAM_ID,
                    null, tls.enabled() ? TlsContext.shared(tls) : null));
            return new FrontEndClient(driver, endpoint, List.copyOf(bootstrap), config.requestTimeoutMs(), name);
        }
        catch (final IOException | RuntimeException e)
        {
            AeronRuntimes.release(driver);
            throw new TributaryException("cannot open the client's Aeron endpoint towards " + bootstrap + ": "
                + e.getMessage(), e);
        }
    }

    public ClientTransport transport()
    {
        return transport;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /** A node's answer to an admin request. */
    public record AdminReply(byte status, byte role, long term, String text)
    {
        boolean isOk()
        {
            return status == AdminResponseDescriptor.STATUS_OK;
        }
    }

    /** A metadata command or query the quorum refused; the message says why. */
    public static final class MetadataRefusedException extends TributaryException
    {
        public MetadataRefusedException(final String message)
        {
            super(message);
        }
    }

    /** Runs a metadata command through any bootstrap node; returns the reply text. */
    public String metadataCommand(final String... fields) throws IOException
    {
        return metadata(AdminRequestDescriptor.KIND_METADATA_COMMAND, fields);
    }

    /** Runs a linearizable metadata query through any bootstrap node; returns the reply text. */
    public String metadataQuery(final String... fields) throws IOException
    {
        return metadata(AdminRequestDescriptor.KIND_METADATA_QUERY, fields);
    }

    private String metadata(final short kind, final String... fields) throws IOException
    {
        final String text = String.join("\t", fields);
        IOException last = null;
        // Each node forwards to the quorum; one that does not answer (down, or itself cut off) is skipped.
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final int first = lastAnswered;
            for (int i = 0; i < bootstrap.size(); i++)
            {
                final int index = (first + i) % bootstrap.size();
                final String address = bootstrap.get(index);
                final AdminReply reply;
                try
                {
                    reply = admin(address, kind, null, requestTimeoutMs, text);
                }
                catch (final IOException e)
                {
                    last = e;
                    continue;
                }
                switch (reply.status())
                {
                    case AdminResponseDescriptor.STATUS_OK:
                        lastAnswered = index;
                        return reply.text();
                    case AdminResponseDescriptor.STATUS_REFUSED:
                        lastAnswered = index;
                        throw new MetadataRefusedException(reply.text());
                    case AdminResponseDescriptor.STATUS_NOT_AUTHORIZED:
                        throw new AccessDeniedException(reply.text());
                    default:
                        last = new IOException("node " + address + ": " + reply.text());
                }
            }
        }
        throw new IOException("no node of " + bootstrap + " could run '" + fields[0] + "' on the metadata quorum: "
            + (last == null ? "no answer" : last.getMessage()), last);
    }

    /** One admin request to one node, waited for. */
    public AdminReply admin(final String address, final short kind, final UUID group, final long timeoutMs,
        final String text)
        throws IOException
    {
        final CompletableFuture<AdminReply> future = adminAsync(address, kind, group, timeoutMs, text);
        try
        {
            return future.get(requestTimeoutMs + timeoutMs + 1_000, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + address, e);
        }
        catch (final ExecutionException e)
        {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        catch (final TimeoutException e)
        {
            throw new IOException("no answer from " + address + " in time", e);
        }
    }

    public CompletableFuture<AdminReply> adminAsync(final String address, final short kind, final UUID group,
        final long timeoutMs,
        final String text)
    {
        // The caller's trace context, when it has one, goes along: the node's audit trail names its trace id.
        final byte[] request = AdminRequestDescriptor.encode(kind, group == null ? 0 : group.getMostSignificantBits(),
            group == null ? 0 : group.getLeastSignificantBits(), timeoutMs, text,
            ProduceTracing.traceparent(Span.current()));
        final CompletableFuture<AdminReply> future = new CompletableFuture<>();
        transport.call(address, MessageType.ADMIN_REQUEST, new UnsafeBuffer(request), 0, request.length,
            requestTimeoutMs + timeoutMs, new ResponseHandler()
            {
                @Override
                public void onResponse(final MessageType type, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    if (type == MessageType.ADMIN_RESPONSE && length >= AdminResponseDescriptor.HEADER_LENGTH)
                    {
                        future.complete(new AdminReply(AdminResponseDescriptor.status(buffer, offset),
                            AdminResponseDescriptor.role(buffer, offset), AdminResponseDescriptor.term(buffer, offset),
                            AdminResponseDescriptor.text(buffer, offset)));
                    }
                    else if (type == MessageType.ERROR_RESPONSE)
                    {
                        future.complete(new AdminReply(AdminResponseDescriptor.STATUS_INVALID, (byte)0, -1, "node "
                            + address + " refused the request: "
                            + ErrorResponseDescriptor.text(buffer, offset, length)));
                    }
                    else
                    {
                        future.completeExceptionally(new IOException("node " + address
                            + " answered an admin request with " + type + " of " + length + " bytes"));
                    }
                }

                @Override
                public void onFailure(final IOException error)
                {
                    future.completeExceptionally(error);
                }
            });
        return future;
    }

    /** The bootstrap addresses (node id -> address is learnt from stream descriptions). */
    public List<String> bootstrap()
    {
        return bootstrap;
    }

    @Override
    public void close()
    {
        try
        {
            ENDPOINTS.release(transport);
        }
        catch (final Exception e)
        {
            // closing an endpoint fails nothing that was acknowledged; the driver goes next
        }
        AeronRuntimes.release(driver);
    }

    @Override
    public String toString()
    {
        return name + " -> " + bootstrap;
    }
}
