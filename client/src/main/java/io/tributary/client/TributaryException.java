package io.tributary.client;

/** Base of the client's exceptions; the message says what failed, with the values involved. */
public class TributaryException extends RuntimeException
{
    public TributaryException(final String message)
    {
        super(message);
    }

    public TributaryException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
