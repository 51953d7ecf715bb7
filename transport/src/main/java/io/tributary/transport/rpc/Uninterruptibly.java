package io.tributary.transport.rpc;

import java.util.function.Supplier;

/**
 * Runs an Aeron client call that waits for the media driver with the thread's interrupt flag
 * cleared, then restores the flag. Aeron's client conductor treats an interrupted thread in such
 * a call as fatal ("unexpected interrupt": it terminates the whole client, for every user in the
 * process), and Ratis interrupts its own threads routinely (a leader election that ends, an
 * appender that stops) right when they may be opening a publication to a peer. Found by the Jepsen
 * harness: a node's Aeron client terminated a few seconds after start, 1 node in 5 at times.
 */
final class Uninterruptibly
{
    private Uninterruptibly()
    {
    }

    static <T> T call(final Supplier<T> aeronCall)
    {
        final boolean interrupted = Thread.interrupted();
        try
        {
            return aeronCall.get();
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
