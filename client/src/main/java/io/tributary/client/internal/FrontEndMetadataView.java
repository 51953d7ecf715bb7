package io.tributary.client.internal;

import java.io.IOException;

import io.tributary.client.TributaryException;
import io.tributary.client.UnknownStreamException;

/** {@link MetadataView} through the nodes' front ends, which forward to the metadata quorum's text protocol. */
public final class FrontEndMetadataView implements MetadataView
{
    private final FrontEndClient client;
    private final boolean ownsClient;

    public FrontEndMetadataView(final FrontEndClient client, final boolean ownsClient)
    {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    @Override
    public StreamInfo describe(final String stream) throws IOException
    {
        try
        {
            return StreamInfo.parse(stream, client.metadataQuery("DESCRIBE", stream));
        }
        catch (final FrontEndClient.MetadataRefusedException e)
        {
            throw translate(stream, e);
        }
    }

    @Override
    public long allocateProducerId() throws IOException
    {
        final String reply = client.metadataCommand("ALLOC_PRODUCER_ID");
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
    static TributaryException translate(final String stream, final FrontEndClient.MetadataRefusedException e)
    {
        final String message = e.getMessage();
        if (message != null && message.startsWith("unknown stream"))
        {
            return new UnknownStreamException(stream, message);
        }
        return new TributaryException(message, e);
    }

    @Override
    public void close()
    {
        if (ownsClient)
        {
            client.close();
        }
    }
}
