package io.tributary.client;

/** The stream does not exist (or is being deleted); the message lists the known streams. */
public final class UnknownStreamException extends TributaryException
{
    private final String stream;

    public UnknownStreamException(final String stream, final String message)
    {
        super(message);
        this.stream = stream;
    }

    public String stream()
    {
        return stream;
    }
}
