package io.tributary.transport.rpc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.SlidingWindowEntry;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.util.SlidingWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of Ratis's ordered async client requests (those with a {@link SlidingWindowEntry}), as
 * ratis-grpc's {@code GrpcClientProtocolService} does it with one {@link SlidingWindow.Server} per ordered stream:
 * here one window per (client id, group id, to the leader or to this server by name), as the client numbers them.
 * Requests are submitted in seqNum order starting from the request that opens the window (the client's
 * {@code isFirst} request after it (re)connects or a leader change), whatever order they arrive in; replies are
 * sent in seqNum order.
 * <p>
 * An {@code isFirst} request that is not a retry of a submitted, unanswered request of the window replaces
 * the client's window (the client restarted its sequence: leader change, timeout); the requests after it that the
 * old window held behind a gap move to the new one. A retry of a request the
 * window holds but has not answered redirects the answer to the retry (the earlier attempt's reply route may
 * have timed out on the client); a retry of a request already answered is submitted directly (the server's
 * retry cache answers it). A window with no unanswered request is evicted after {@link #IDLE_NANOS} without
 * traffic (any window after {@link #ABANDONED_NANOS}), and the least recently used one when more than
 * {@link #MAX_WINDOWS} clients have one; a client whose window is gone opens a new one with its next request.
 * <p>
 * {@link #receive} must be called from one thread (the endpoint's polling thread): submission order is the
 * order of that thread's calls.
 */
final class OrderedClientRequests implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(OrderedClientRequests.class);
    static final int MAX_WINDOWS = 4096;
    static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(2);
    static final long ABANDONED_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the server answered: a reply, or the failure of the submission. */
    record Outcome(RaftClientReplyProto reply, Throwable failure)
    {
    }

    /** Submits a request to the Raft server. */
    @FunctionalInterface
    interface Submitter
    {
        CompletableFuture<RaftClientReplyProto> submit(RaftClientRequest request) throws Exception;
    }

    /**
     * A client's window: Ratis's client keeps one sequence for requests to the leader and one per named server
     * ({@code OrderedAsync.getSlidingWindow}: {@code isToLeader() ? leader : serverId}). Here the server is this one,
     * so {@code toLeader} tells the two apart; one window for both made them collide (a follower read opening its
     * sequence replaced the leader-bound one, whose next request then waited behind a gap until it timed out).
     */
    private record Key(ClientId clientId, RaftGroupId groupId, boolean toLeader)
    {
    }

    static final class Pending implements SlidingWindow.ServerSideRequest<Outcome>
    {
        private final RaftClientRequest request;
        private final long seqNum;
        private final boolean opensWindow;
        private final AtomicReference<Outcome> outcome = new AtomicReference<>();
        private volatile Consumer<Outcome> replyTo;

        Pending(final RaftClientRequest request, final long seqNum, final boolean opensWindow,
            final Consumer<Outcome> replyTo)
        {
            this.request = request;
            this.seqNum = seqNum;
            this.opensWindow = opensWindow;
            this.replyTo = replyTo;
        }

        @Override
        public long getSeqNum()
        {
            return seqNum;
        }

        @Override
        public boolean isFirstRequest()
        {
            return opensWindow;
        }

        @Override
        public void setReply(final Outcome reply)
        {
            outcome.compareAndSet(null, reply);
        }

        @Override
        public boolean hasReply()
        {
            return this == END || outcome.get() != null;
        }

        @Override
        public void fail(final Throwable failure)
        {
            setReply(new Outcome(null, failure));
        }

        @Override
        public String toString()
        {
            return this == END ? "END" : seqNum + ":" + outcome.get();
        }
    }

    private static final Pending END = new Pending(null, Long.MAX_VALUE, false, o -> { });

    private final class Window
    {
        private final Key key;
        private final SlidingWindow.Server<Pending, Outcome> window;
        /** Received and not yet answered, by seqNum (retries are redirected to them). */
        private final Map<Long, Pending> unanswered = new ConcurrentHashMap<>();
        /** Only the polling thread reads or writes it. */
        private long lastSubmitted;
        private volatile long lastActiveNanos = System.nanoTime();
        private volatile boolean closed;

        Window(final Key key, final long firstSeqNum)
        {
            this.key = key;
            this.lastSubmitted = firstSeqNum - 1;
            this.window = new SlidingWindow.Server<>(name.get() + ":" + key.clientId() + "@" + key.groupId(), END);
        }

        void replied(final Pending pending, final Outcome outcome)
        {
            lastActiveNanos = System.nanoTime();
            if (!closed)
            {
                window.receiveReply(pending.getSeqNum(), outcome, this::send);
            }
            if (closed && unanswered.remove(pending.getSeqNum(), pending))
            {
                // A replaced or evicted window: answer anyway (the write was submitted), in no particular order.
                pending.setReply(outcome);
                pending.replyTo.accept(outcome);
            }
        }

        private void send(final Pending ready)
        {
            if (ready == END)
            {
                return;
            }
            unanswered.remove(ready.getSeqNum(), ready);
            ready.replyTo.accept(ready.outcome.get());
        }

        boolean idle(final long now)
        {
            // A window with requests held behind a gap and no traffic for long: its client is gone.
            return now - lastActiveNanos > (unanswered.isEmpty() ? IDLE_NANOS : ABANDONED_NANOS);
        }

        void close()
        {
            closed = true;
            window.close();
        }
    }

    private final Supplier<String> name;
    private final Submitter submitter;
    /** Access order: the first entry is the least recently used window. Guarded by itself. */
    private final LinkedHashMap<Key, Window> windows = new LinkedHashMap<>(16, 0.75f, true);
    private long lastSweepNanos = System.nanoTime();

    OrderedClientRequests(final Supplier<String> name, final Submitter submitter)
    {
        this.name = name;
        this.submitter = submitter;
    }

    /** True if the request is an ordered async one (it has a sliding window entry). */
    static boolean isOrdered(final RaftClientRequest request)
    {
        return request.getSlidingWindowEntry() != null;
    }

    /**
     * An ordered request (or a retry) arrived; {@code replyTo} is called once with its outcome, after the
     * outcomes of the client's earlier requests in this window.
     */
    void receive(final RaftClientRequest request, final Consumer<Outcome> replyTo)
    {
        final SlidingWindowEntry entry = request.getSlidingWindowEntry();
        final long seqNum = entry.getSeqNum();
        final Key key = new Key(request.getClientId(), request.getRaftGroupId(), request.isToLeader());
        final long now = System.nanoTime();
        Window window;
        Window replaced = null;
        boolean opens = false;
        synchronized (windows)
        {
            if (now - lastSweepNanos > SWEEP_NANOS)
            {
                lastSweepNanos = now;
                sweep(now);
            }
            window = windows.get(key);
            // An isFirst retry stays in the window only if its first attempt was submitted (one held behind a
            // gap would wait for requests the client may never resend here).
            if (window == null || (entry.getIsFirst()
                && !(window.unanswered.containsKey(seqNum) && seqNum <= window.lastSubmitted)))
            {
                if (window != null)
                {
                    LOG.debug("{}: {} restarts its sequence at {} (window was {})", name.get(), key, seqNum,
                        window.window);
                    window.close();
                    replaced = window;
                }
                window = new Window(key, seqNum);
                windows.put(key, window);
                opens = true;
                while (windows.size() > MAX_WINDOWS)
                {
                    evictOne();
                }
            }
        }
        window.lastActiveNanos = now;

        final Pending existing = window.unanswered.get(seqNum);
        if (existing != null)
        {
            existing.replyTo = replyTo; // a retry: answer the latest attempt
            return;
        }
        if (!opens && seqNum <= window.lastSubmitted)
        {
            // A retry of a request already answered: the server's retry cache answers it again.
            submit(request).whenComplete((reply, failure) -> replyTo.accept(new Outcome(reply, unwrap(failure))));
            return;
        }
        final Pending pending = new Pending(request, seqNum, opens, replyTo);
        window.unanswered.put(seqNum, pending);
        final List<Pending> ready = new ArrayList<>();
        window.window.receivedRequest(pending, ready::add);
        if (replaced != null)
        {
            carryHeldRequests(replaced, window, seqNum, ready);
        }
        // Submitted outside the window's lock: a reply that completes at once must not re-enter its iteration.
        for (final Pending next : ready)
        {
            window.lastSubmitted = next.getSeqNum();
            final Window w = window;
            submit(next.request).whenComplete((reply, failure) -> w.replied(next, new Outcome(reply, unwrap(failure))));
        }
    }

    /**
     * The client restarted its sequence at {@code firstSeqNum}, {@code to}'s first request: its requests after that one which {@code from}
     * held behind a gap (received, never submitted) move to the new window. The client sent them once and waits for
     * their replies; it resends one only when that wait times out (seconds), and each timeout restarts the sequence
     * again (Ratis's client also picks another leader on it). Dropped with the old window, they timed out, and each
     * timeout's restart dropped the requests held then: one write every timeout's length got through, for as long
     * as the writes went on. Requests before the new first one were answered on the client and are dropped.
     */
    private static void carryHeldRequests(final Window from, final Window to, final long firstSeqNum,
        final List<Pending> ready)
    {
        final List<Pending> held = new ArrayList<>();
        for (final Pending pending : from.unanswered.values())
        {
            if (pending.getSeqNum() > firstSeqNum && pending.getSeqNum() > from.lastSubmitted)
            {
                held.add(pending);
            }
        }
        held.sort(Comparator.comparingLong(Pending::getSeqNum));
        for (final Pending pending : held)
        {
            from.unanswered.remove(pending.getSeqNum(), pending);
            to.unanswered.put(pending.getSeqNum(), pending);
            to.window.receivedRequest(pending, ready::add);
        }
    }

    private CompletableFuture<RaftClientReplyProto> submit(final RaftClientRequest request)
    {
        try
        {
            return submitter.submit(request);
        }
        catch (final Exception ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private static Throwable unwrap(final Throwable failure)
    {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Under the map's lock. */
    private void sweep(final long now)
    {
        for (final Iterator<Window> i = windows.values().iterator(); i.hasNext(); )
        {
            final Window window = i.next();
            if (window.idle(now))
            {
                window.close();
                i.remove();
            }
        }
    }

    /** Under the map's lock: the least recently used window with nothing unanswered, else the least recently used. */
    private void evictOne()
    {
        Iterator<Window> i = windows.values().iterator();
        while (i.hasNext())
        {
            final Window window = i.next();
            if (window.unanswered.isEmpty())
            {
                window.close();
                i.remove();
                return;
            }
        }
        i = windows.values().iterator();
        final Window window = i.next();
        LOG.warn("{}: more than {} clients with ordered requests; evicting the window of {} with {} unanswered",
            name.get(),
            MAX_WINDOWS, window.key, window.unanswered.size());
        window.close();
        i.remove();
    }

    int windowCount()
    {
        synchronized (windows)
        {
            return windows.size();
        }
    }

    @Override
    public void close()
    {
        synchronized (windows)
        {
            windows.values().forEach(Window::close);
            windows.clear();
        }
    }
}
