package io.tributary.client.internal;

import org.agrona.DirectBuffer;

import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendResultDescriptor;

/**
 * A shard's answer to one batch or conditional append, decoded from its result in a produce
 * response.
 *
 * @param status   null for a status code this client does not know (a newer node): treated as an unknown outcome.
 * @param code     the status code as received.
 * @param message  null for success.
 */
public record AppendOutcome(AppendStatus status, int code, long baseOffset, long lastOffset, long expected, long found,
    String message)
{
    static AppendOutcome decode(final DirectBuffer buffer, final int offset)
    {
        return new AppendOutcome(AppendResultDescriptor.status(buffer, offset),
            AppendResultDescriptor.statusCode(buffer, offset),
            AppendResultDescriptor.baseOffset(buffer, offset), AppendResultDescriptor.lastOffset(buffer, offset),
            AppendResultDescriptor.expected(buffer, offset), AppendResultDescriptor.found(buffer, offset),
            AppendResultDescriptor.message(buffer, offset));
    }

    static AppendOutcome of(final AppendStatus status, final String message)
    {
        return new AppendOutcome(status, status.code(), AppendResultDescriptor.NONE, AppendResultDescriptor.NONE,
            AppendResultDescriptor.NONE, AppendResultDescriptor.NONE, message);
    }

    public boolean isStored()
    {
        return status == AppendStatus.APPENDED || status == AppendStatus.DUPLICATE;
    }

    String describe()
    {
        return (status == null ? "status code " + code : status.toString()) + (message == null ? "" : ": " + message);
    }
}
