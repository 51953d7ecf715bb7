package io.tributary.protocol.aeron;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs an Aeron client call that waits for the media driver on a thread nobody interrupts, and
 * waits for it without giving in to the caller's interrupts (which are kept for the caller).
 * Aeron's client conductor treats an interrupt during such a call as fatal ("unexpected
 * interrupt": it terminates the whole client, for every user in the process), and Ratis
 * interrupts its own threads routinely (a leader election that ends, an appender that stops),
 * right when they may be opening a publication to a peer. Clearing the flag before the call is
 * not enough: the interrupt can arrive during it. Found by the Jepsen harness: a node's Aeron
 * client terminated a few seconds after start, 1 node in 5 at times.
 */
public final class Uninterruptibly
{
    /** One daemon thread: these calls are rare (a publication per peer or client, a subscription per endpoint). */
    private static final ExecutorService AERON_CALLS = Executors.newSingleThreadExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "aeron-calls");
        thread.setDaemon(true);
        return thread;
    });

    private Uninterruptibly()
    {
    }

    public static <T> T call(final Supplier<T> aeronCall)
    {
        final CompletableFuture<T> result = CompletableFuture.supplyAsync(aeronCall, AERON_CALLS);
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    return result.get();
                }
                catch (final InterruptedException e)
                {
                    interrupted = true;
                }
                catch (final ExecutionException e)
                {
                    final Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime)
                    {
                        throw runtime;
                    }
                    if (cause instanceof Error error)
                    {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        }
        finally
        {
            if (interrupted || Thread.currentThread().isInterrupted())
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
