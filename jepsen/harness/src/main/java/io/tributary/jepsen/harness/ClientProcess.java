package io.tributary.jepsen.harness;

import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One client thread of a workload, running one operation at a time and recording each in the
 * history. Jepsen's convention: after an indeterminate completion (info) the operation may still
 * take effect later, so the thread continues as a new process id.
 */
abstract class ClientProcess implements AutoCloseable
{
    protected final ClientContext context;
    private long process;

    ClientProcess(final ClientContext context, final int index)
    {
        this.context = context;
        this.process = index;
    }

    protected long process()
    {
        return process;
    }

    protected void invoke(final String f, final Object key, final Object value)
    {
        context.history().record(process, HistoryLog.INVOKE, f, key, value, null);
    }

    protected void ok(final String f, final Object key, final Object value)
    {
        context.history().record(process, HistoryLog.OK, f, key, value, null);
    }

    /** The operation certainly did not take effect. */
    protected void fail(final String f, final Object key, final Object value, final String error)
    {
        context.history().record(process, HistoryLog.FAIL, f, key, value, error);
    }

    /** The outcome is unknown: recorded as info, and this thread becomes a new process. */
    protected void info(final String f, final Object key, final Object value, final String error)
    {
        context.history().record(process, HistoryLog.INFO, f, key, value, error);
        process += context.concurrency();
    }

    /** Runs one operation chosen with {@code random}. */
    abstract void step(Random random);

    /** After the faults are healed: the reads the checkers compare everything with. */
    abstract void finalReads(int index);

    static String describe(final Throwable error)
    {
        Throwable cause = error;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
            && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        final String message = cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    @Override
    public abstract void close();
}
