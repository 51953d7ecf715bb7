package io.tributary.protocol.frame;

/**
 * Outcome of one send: back-pressure and failures are values, not exceptions. Only
 * {@link #OK} means every frame of the message was handed to Aeron.
 */
public enum SendStatus
{
    /** Every frame of the message is in the publication. */
    OK,
    /** No subscriber connected (peer down or restarting) after the bounded retries. */
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
    ENCODE_FAILED;

    /** Whether a later attempt on the same publication may succeed. */
    public boolean isTransient()
    {
        return this == NOT_CONNECTED || this == BACK_PRESSURED || this == ADMIN_ACTION;
    }
}
