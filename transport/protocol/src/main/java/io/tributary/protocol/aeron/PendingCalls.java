package io.tributary.protocol.aeron;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.collections.LongArrayList;

import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.tls.TlsSession;

/**
 * The calls an endpoint waits on for responses, by correlation id. A call ends exactly once, by whoever removes it
 * from the table: its response, a send failure, the timeout, a receiver gone silent, a failed TLS session, or close.
 * The endpoint's {@link Call} says how a call ends, its {@link Failures} what a failure says. Thread-safe.
 *
 * @param <C> the endpoint's kind of call.
 */
public final class PendingCalls<C extends PendingCalls.Call>
{
    /** A call waiting for its response. */
    public abstract static class Call
    {
        final MessageType requestType;
        final String address;
        final long deadlineNs;
        /**
         * The publication counted its receiver as connected when the request left. Only such a call fails early
         * when the receiver goes silent: one sent before a restarted receiver joined is delivered at the handshake.
         */
        volatile FramedPublication sentToConnected;
        /** The TLS session the request went by (null without TLS): its failure fails the call at once. */
        volatile TlsSession session;

        protected Call(final MessageType requestType, final String address, final long timeoutMs)
        {
            this.requestType = requestType;
            this.address = address;
            this.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        }

        public MessageType requestType()
        {
            return requestType;
        }

        /** Where the request went. */
        public String address()
        {
            return address;
        }

        /** Ends the call with {@code error}; called once, by whoever removed the call from the table. */
        protected abstract void fail(IOException error);
    }

    /** What a failed call says: each endpoint's own words for its peers and its messages. */
    public interface Failures<C extends Call>
    {
        /** No response by the call's deadline. */
        IOException timedOut(C call, long correlationId);

        /** The receiver went silent after the request was sent to it connected ({@link Call#sentToConnected}). */
        default IOException wentSilent(final C call, final long correlationId)
        {
            return timedOut(call, correlationId);
        }

        /** The request never left: nobody joined the publication to {@code address} in time. */
        IOException notConnected(C call, String address);

        /** The request never left: the TLS session it waited in failed. */
        IOException notSent(C call, TlsSession session, String reason);

        /** The request left, but the TLS session its response would come by failed. */
        IOException unanswered(C call, TlsSession session, String reason);

        /** The endpoint closed first. */
        IOException closed(C call);
    }

    private final Map<Long, C> calls = new ConcurrentHashMap<>();
    private final AtomicLong correlationIds = new AtomicLong();
    private final Failures<C> failures;

    public PendingCalls(final Failures<C> failures)
    {
        this.failures = failures;
    }

    /** Waits on {@code call} from now; returns its correlation id. Any thread. */
    public long add(final C call)
    {
        final long correlationId = correlationIds.incrementAndGet();
        calls.put(correlationId, call);
        return correlationId;
    }

    /** Ends the wait for a call (its response came); null when it has already ended. */
    public C remove(final long correlationId)
    {
        return calls.remove(correlationId);
    }

    /** Fails a call unless it has already ended. */
    public void fail(final long correlationId, final IOException error)
    {
        final C call = calls.remove(correlationId);
        if (call != null)
        {
            call.fail(error);
        }
    }

    /** Calls in flight. */
    public int size()
    {
        return calls.size();
    }

    /** A request that never left: its publication's receiver did not join in time. */
    void failNotConnected(final long correlationId, final String address)
    {
        final C call = calls.remove(correlationId);
        if (call != null)
        {
            call.fail(failures.notConnected(call, address));
        }
    }

    /** Fails the calls past their deadline, or sent to a receiver gone silent since; returns how many. */
    int sweep(final long nowNs)
    {
        if (calls.isEmpty())
        {
            return 0;
        }
        int expired = 0;
        for (final Map.Entry<Long, C> entry : calls.entrySet())
        {
            final C call = entry.getValue();
            if (nowNs - call.deadlineNs >= 0 && calls.remove(entry.getKey(), call))
            {
                expired++;
                call.fail(failures.timedOut(call, entry.getKey()));
            }
            else if (call.sentToConnected != null && !call.sentToConnected.isConnected()
                && calls.remove(entry.getKey(), call))
            {
                // A node killed -9 says nothing (no TCP reset over UDP): the driver's connection timeout is the first
                // sign, and a request to it will not be answered. Failing it now lets the caller try another replica at
                // once instead of waiting out the whole request timeout.
                expired++;
                call.fail(failures.wentSilent(call, entry.getKey()));
            }
        }
        return expired;
    }

    /** A TLS session failed: the calls it carried will not be answered by it. */
    void onSessionFailed(final TlsSession session, final String reason, final LongArrayList dropped)
    {
        if (!session.isDialler())
        {
            return;
        }
        for (int i = 0; i < dropped.size(); i++)
        {
            final C call = calls.remove(dropped.getLong(i));
            if (call != null)
            {
                call.fail(failures.notSent(call, session, reason));
            }
        }
        for (final Map.Entry<Long, C> entry : calls.entrySet())
        {
            final C call = entry.getValue();
            if (call.session == session && calls.remove(entry.getKey(), call))
            {
                call.fail(failures.unanswered(call, session, reason));
            }
        }
    }

    /** Fails every call in flight: the endpoint closes. */
    void failAll()
    {
        for (final Long correlationId : calls.keySet())
        {
            final C call = calls.remove(correlationId);
            if (call != null)
            {
                call.fail(failures.closed(call));
            }
        }
    }
}
