package io.tributary.protocol.frame;

/**
 * Outcome of one send: back-pressure and failures are values, not exceptions. Only
 * {@link #OK} means every frame of the message was handed to Aeron.
 */
public enum SendStatus
{
    /** Every frame of the message is in the publication. */
    OK,
    /**
     * No subscriber connected (peer down or restarting): after the bounded retries, or at once when an
     * earlier send has already waited for a peer that had joined and went silent.
     */
    NOT_CONNECTED,
    /** The receiver did not make room (slow or stopped) within the bounded retries. */
    BACK_PRESSURED,
    /** Aeron kept asking for a retry (term rotation) past the bounded retries. */
    ADMIN_ACTION,
    /** The publication is closed; a new one is needed. */
    CLOSED,
    /** The publication's stream reached its maximum position; a new one is needed. */
    MAX_POSITION_EXCEEDED,
    /** The message is larger than {@code message.bytes.max}. */
    MESSAGE_TOO_LARGE,
    /** The payload could not be serialized (a bug, or a message changed while being sent). */
    ENCODE_FAILED,
    /** The TLS session with the peer failed or could not be set up (the log says why: certificate, CA, timeout). */
    TLS_FAILED;

    /** What a failed send means for its caller, for error messages ({@code offerTimeoutMs}: the retry budget). */
    public String hint(final long offerTimeoutMs)
    {
        return switch (this)
        {
            case NOT_CONNECTED ->
                " (the peer does not answer: down or restarting? sends to it fail at once until it is back)";
            case BACK_PRESSURED, ADMIN_ACTION -> " after " + offerTimeoutMs
                + " ms of retries (peer slow or overloaded?)";
            case TLS_FAILED -> " (no TLS session with the peer: its certificate, its CA or ours? see the log)";
            default -> "";
        };
    }

    /** Whether a later attempt on the same publication may succeed. */
    public boolean isTransient()
    {
        return this == NOT_CONNECTED || this == BACK_PRESSURED || this == ADMIN_ACTION;
    }
}
