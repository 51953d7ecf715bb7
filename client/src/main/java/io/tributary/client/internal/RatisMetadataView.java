package io.tributary.client.internal;

import java.io.IOException;
import java.util.Map;

import io.tributary.client.TributaryException;
import io.tributary.client.UnknownStreamException;
import io.tributary.raft.meta.MetadataClient;

/** {@link MetadataView} over the metadata quorum's text protocol ({@link MetadataClient}). */
public final class RatisMetadataView implements MetadataView
{
    private final MetadataClient client;

    public RatisMetadataView(final Map<String, String> metadataPeers, final String transport, final long requestTimeoutMs)
    {
        this.client = new MetadataClient(metadataPeers, transport, requestTimeoutMs);
    }

    public MetadataClient client()
    {
        return client;
    }

    @Override
    public StreamInfo describe(final String stream) throws IOException
    {
        try
        {
            return StreamInfo.parse(stream, client.query("DESCRIBE", stream));
        }
        catch (final MetadataClient.MetadataException e)
        {
            throw translate(stream, e);
        }
    }

    @Override
    public long allocateProducerId() throws IOException
    {
        final String reply = client.command("ALLOC_PRODUCER_ID");
        try
        {
            return Long.parseLong(reply.trim());
        }
        catch (final NumberFormatException e)
        {
            throw new IOException("ALLOC_PRODUCER_ID answered '" + reply + "', not a number", e);
        }
    }

    /** Metadata refusals about a stream become {@link UnknownStreamException} or {@link TributaryException}. */
    public static TributaryException translate(final String stream, final MetadataClient.MetadataException e)
    {
        final String message = e.getMessage();
        if (message != null && message.startsWith("unknown stream"))
        {
            return new UnknownStreamException(stream, message);
        }
        return new TributaryException(message, e);
    }

    @Override
    public void close() throws IOException
    {
        client.close();
    }
}
