package io.tributary.raft.frontend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.JavaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.raft.protocol.RatisMessages;
import io.tributary.raft.protocol.ShardEntryDescriptor;

/**
 * Leader-side coalescing for one shard: batches from any number of producers queue here, and
 * at most {@code inFlightMax} Raft entries are in flight; when a slot frees, everything queued
 * (up to {@code entryBytesMax}) becomes one entry. Under load entries grow by themselves, so
 * the per-entry cost of Raft (about 15 thread hand-offs, an fsync on every replica, a Ratis
 * request) is paid once for many batches (WRITE-PATH.md, lever 1; Redpanda's replicate_batcher).
 * While the CPU is saturated, an entry that is not full also waits until {@code entryIntervalNs}
 * (an {@link EntryPacer}'s) has passed since the shard's previous entry, so the same records
 * travel in fewer entries (a full entry never waits).
 * <p>
 * Each item is copied once, from the request into the entry being built, and the entry's array
 * is handed to Ratis without another copy. Entries are submitted on a pool thread (never the
 * network thread: a division can hold its lock for long), one shard at a time in queue order, and
 * their results are fanned out to each item's request from Ratis's apply thread.
 * <p>
 * Bounds: at most {@code queueBytesMax} bytes wait per shard; beyond, items are refused BUSY (the
 * producer backs off and resends) so overload never turns into unbounded memory or timeouts.
 * <p>
 * A leader in transition (elected but not ready until an entry of its term commits, or handing its
 * leadership to another replica) refuses writes for a few milliseconds, and a replica that has just
 * stepped down knows no leader until the election ends. Entries wait here instead, re-checked every
 * {@link #HOLD_POLL_NS}, for at most {@code leaderWaitMs}: a refusal would send each producer into a
 * back-off of 100 ms or more (the 100-200 ms stalls of every shard at each preferred-leader move in
 * the Jepsen timelines, and 0.5-1.2 s for a producer whose resends met the election twice). Once
 * another replica is known to lead, they are refused NOT_LEADER naming it, which producers follow at
 * once.
 */
final class ShardAppender
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardAppender.class);
    private static final int INITIAL_ENTRY_BYTES = 16 * 1024;

    /**
     * The longest a replica that has stepped down holds writes for a leader it does not know yet. After a
     * hand-over the new leader is known within 20-40 ms (100-200 ms on a cold JVM); a leader cut off from its
     * peers but not from its producers steps down and learns of no leader until the partition heals, and
     * its producers should look elsewhere soon.
     */
    static final long NEW_LEADER_WAIT_MAX_NS = TimeUnit.MILLISECONDS.toNanos(250);

    /** How often entries waiting on a leader in transition look again. */
    static final long HOLD_POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Makes the appender of a shard handle. */
    @FunctionalInterface
    interface Factory
    {
        ShardAppender create(ShardHandle shard);
    }

    /** What the appender needs of its shard's Raft division (ShardHandle). */
    interface Target
    {
        /** This replica leads the shard (it may still be in transition). */
        boolean leads();

        /** Leads and has committed an entry of its term: a write submitted now will not be refused as "not ready". */
        boolean leadsAndIsReady();

        /**
         * The leader's node id as this replica knows it, or "" when it knows none. Never this replica's own id unless
         * it leads (Ratis keeps its own id as the leader's for a few milliseconds after it steps down: that names no
         * leader).
         */
        String leaderHint();

        /**
         * This replica does not lead and knows no other leader. Its own id as the hint counts as none here too: it
         * may have become the leader between the two reads, and a new leader is what the hold waits for.
         */
        default boolean knowsNoOtherLeader()
        {
            if (leads())
            {
                return false;
            }
            final String hint = leaderHint();
            return hint.isEmpty() || hint.equals(serverId().toString());
        }

        RaftPeerId serverId();

        RaftGroupId groupId();

        /** Submits a write to this replica's division (the leader). */
        CompletableFuture<RaftClientReply> submit(RaftClientRequest request) throws IOException;
    }

    /** Counters shared by the node's appenders (statistics and tests). */
    static final class Stats
    {
        final LongAdder entries = new LongAdder();
        final LongAdder items = new LongAdder();
        final LongAdder entryBytes = new LongAdder();
        final LongAdder busy = new LongAdder();
        final LongAdder failedEntries = new LongAdder();
        /** Times an entry went back to wait on a leader in transition instead of being refused. */
        final LongAdder leaderWaits = new LongAdder();
    }

    /** One entry being filled: its bytes and where each item's result goes. */
    private static final class EntryBuilder
    {
        byte[] bytes = new byte[INITIAL_ENTRY_BYTES];
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        int length = ShardEntryDescriptor.HEADER_LENGTH;
        int itemCount;
        PendingProduce[] requests = new PendingProduce[8];
        int[] indexes = new int[8];
        /** When the entry first went back to wait on a leader in transition; meaningful while {@link #waited}. */
        long waitingSinceNs;
        boolean waited;

        boolean accepts(final int itemLength, final int entryBytesMax)
        {
            // The first item always goes in (a batch larger than the bound travels alone).
            return itemCount == 0 || (length + itemLength <= entryBytesMax
                && itemCount < ShardEntryDescriptor.ITEM_COUNT_MAX);
        }

        void add(final PendingProduce request, final int index, final DirectBuffer source, final int offset,
            final int itemLength)
        {
            if (length + itemLength > bytes.length)
            {
                bytes = Arrays.copyOf(bytes, Math.max(length + itemLength, bytes.length * 2));
                buffer = new UnsafeBuffer(bytes);
            }
            buffer.putBytes(length, source, offset, itemLength);
            length += itemLength;
            if (itemCount == requests.length)
            {
                requests = Arrays.copyOf(requests, itemCount * 2);
                indexes = Arrays.copyOf(indexes, itemCount * 2);
            }
            requests[itemCount] = request;
            indexes[itemCount] = index;
            itemCount++;
        }

        void failAll(final AppendStatus status, final String message)
        {
            for (int i = 0; i < itemCount; i++)
            {
                requests[i].complete(indexes[i], status, message);
            }
        }
    }

    private final Target shard;
    private final Executor submitPool;
    private final ScheduledExecutorService timer;
    private final ClientId clientId;
    private final AtomicLong callIds;
    private final int entryBytesMax;
    private final int inFlightMax;
    private final long queueBytesMax;
    private final long leaderWaitNs;
    private final long newLeaderWaitNs;
    private final LongSupplier entryIntervalNs;
    private final Stats stats;
    /**
     * When the previous entry went to Raft, as a ready leader (an hour back: none yet). Written only by the
     * drain, which runs on one thread at a time; volatile for {@link #holdsForNewLeader()} on network threads.
     */
    private volatile long lastSubmitNs = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    // Guarded by this.
    private final ArrayDeque<EntryBuilder> queue = new ArrayDeque<>();
    private long queuedBytes;
    private int inFlight;
    /** A drain is queued on the pool or running, or {@link #pacedWait}: no other may start. */
    private boolean drainScheduled;
    /** The drain ended to wait for the pacing interval; whoever clears this starts the next drain. */
    private boolean pacedWait;
    private boolean lookAgainScheduled;
    private String closedReason;

    ShardAppender(final Target shard, final Executor submitPool, final ScheduledExecutorService timer,
        final ClientId clientId,
        final AtomicLong callIds, final FrontEndSettings settings, final LongSupplier entryIntervalNs,
            final Stats stats)
    {
        this(shard, submitPool, timer, clientId, callIds, settings, entryIntervalNs, stats,
            Math.min(TimeUnit.MILLISECONDS.toNanos(settings.leaderWaitMs()), NEW_LEADER_WAIT_MAX_NS));
    }

    /** As above, with the longest hold for a new leader given ({@link #holdsForNewLeader()}; tests). */
    ShardAppender(final Target shard, final Executor submitPool, final ScheduledExecutorService timer,
        final ClientId clientId,
        final AtomicLong callIds, final FrontEndSettings settings, final LongSupplier entryIntervalNs,
            final Stats stats,
        final long newLeaderWaitNs)
    {
        this.newLeaderWaitNs = newLeaderWaitNs;
        this.shard = shard;
        this.submitPool = submitPool;
        this.timer = timer;
        this.clientId = clientId;
        this.callIds = callIds;
        this.entryBytesMax = settings.entryBytesMax();
        this.inFlightMax = settings.entriesInFlightMax();
        this.queueBytesMax = settings.queueBytesMax();
        this.leaderWaitNs = TimeUnit.MILLISECONDS.toNanos(settings.leaderWaitMs());
        this.entryIntervalNs = entryIntervalNs;
        this.stats = stats;
    }

    /** Batches for a leader in transition wait here rather than being refused at once. */
    boolean waitsForLeader()
    {
        return leaderWaitNs > 0;
    }

    /**
     * Whether a write for this replica should wait for the shard's new leader to be known: this
     * replica led the shard less than {@link #NEW_LEADER_WAIT_MAX_NS} (or {@code leaderWaitMs}, if
     * shorter) ago, no longer does, and knows no other
     * leader (it has handed its leadership over or stepped down, and the election is under way). A
     * refusal then could name no leader, and the producer would back off 100 ms or more. A replica
     * that has not led lately (a restarted one that has not heard from the leader yet) refuses at
     * once: its producer's placement is stale, and the wait could last as long as the leader takes
     * to reach it.
     */
    boolean holdsForNewLeader()
    {
        return leaderWaitNs > 0 && System.nanoTime() - lastSubmitNs < newLeaderWaitNs && shard.knowsNoOtherLeader();
    }

    /**
     * Queues the append item at {@code offset} (copied now) for the shard's next entry; its result
     * goes to {@code request}'s slot {@code index}. Nothing is submitted until {@link #kick()}, so the
     * items of one request for one shard travel in one entry when a slot is free. Any thread, never blocks.
     *
     * @return false when the shard's queue is full (or the appender closed): nothing was queued.
     */
    boolean enqueue(final PendingProduce request, final int index, final DirectBuffer source, final int offset,
        final int itemLength)
    {
        synchronized (this)
        {
            if (closedReason != null || (queuedBytes > 0 && queuedBytes + itemLength > queueBytesMax))
            {
                stats.busy.increment();
                return false;
            }
            EntryBuilder open = queue.peekLast();
            if (open == null || !open.accepts(itemLength, entryBytesMax))
            {
                open = new EntryBuilder();
                queue.addLast(open);
            }
            open.add(request, index, source, offset, itemLength);
            queuedBytes += itemLength;
        }
        return true;
    }

    /** Submits what is queued if an in-flight slot is free (on a pool thread). */
    void kick()
    {
        final boolean schedule;
        synchronized (this)
        {
            if (pacedWait && queue.size() > 1)
            {
                // A full entry is queued now: it does not wait for the interval.
                pacedWait = false;
                schedule = true; // drainScheduled stays set for it
            }
            else
            {
                schedule = inFlight < inFlightMax && !drainScheduled && !queue.isEmpty() && closedReason == null;
                if (schedule)
                {
                    drainScheduled = true;
                }
            }
        }
        if (schedule)
        {
            scheduleDrain();
        }
    }

    private void scheduleDrain()
    {
        try
        {
            submitPool.execute(this::drain);
        }
        catch (final RejectedExecutionException e)
        {
            close("the node is stopping");
        }
    }

    /** On a pool thread: submits queued entries while slots are free. */
    private void drain()
    {
        while (true)
        {
            final EntryBuilder entry;
            final long waitNs;
            synchronized (this)
            {
                if (inFlight >= inFlightMax || queue.isEmpty() || closedReason != null)
                {
                    drainScheduled = false;
                    return;
                }
                // Only a lone, unfull entry waits: a second one queued means the first is full.
                waitNs = queue.size() == 1 ? lastSubmitNs + entryIntervalNs.getAsLong() - System.nanoTime() : 0;
                if (waitNs > 0)
                {
                    entry = null;
                    pacedWait = true; // drainScheduled stays set: whoever ends the wait starts the next drain
                }
                else
                {
                    entry = queue.pollFirst();
                    queuedBytes -= entry.length - ShardEntryDescriptor.HEADER_LENGTH;
                    inFlight++;
                }
            }
            if (entry == null)
            {
                drainLater(waitNs);
                return;
            }
            if (!submit(entry))
            {
                // It went back to wait on the leader, and this drain ended; the timer drains again.
                return;
            }
        }
    }

    /** Drains again after {@code waitNs} (pacing): the timer hands the drain to the pool, never runs it itself. */
    private void drainLater(final long waitNs)
    {
        try
        {
            timer.schedule(this::endPacedWait, waitNs, TimeUnit.NANOSECONDS);
        }
        catch (final RejectedExecutionException e)
        {
            close("the node is stopping");
        }
    }

    /** @return false when the entry went back to the queue to wait for the leader to settle. */
    private boolean submit(final EntryBuilder entry)
    {
        if (!shard.leadsAndIsReady())
        {
            // Checked before submitting: a refusal now means nothing was appended anywhere, so the
            // producer may resend at once (to the leader named, or after a short backoff while a new
            // leader gets ready), where a failure after submitting would leave the outcome unknown.
            if ((shard.leads() || holdsForNewLeader()) && waitForLeader(entry, true))
            {
                return false;
            }
            refuseInTransition(entry, "a new leader that has not committed an entry of its term yet");
            return true;
        }
        ShardEntryDescriptor.writeHeader(entry.buffer, 0, entry.itemCount);
        final RaftClientRequest request = RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(shard.serverId())
            .setGroupId(shard.groupId())
            .setCallId(callIds.incrementAndGet())
            .setMessage(RatisMessages.wrap(entry.bytes, 0, entry.length))
            .setType(RaftClientRequest.writeRequestType())
            .build();
        lastSubmitNs = System.nanoTime();
        stats.entries.increment();
        stats.items.add(entry.itemCount);
        stats.entryBytes.add(entry.length);
        CompletableFuture<RaftClientReply> reply;
        try
        {
            reply = shard.submit(request);
        }
        catch (final Exception e)
        {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((answer, error) -> onReply(entry, answer, error));
        return true;
    }

    /**
     * Ratis refuses a write before appending it when its leader is not ready or is handing its
     * leadership over (RaftServerImpl.checkLeaderState, the only place 3.3 makes these two): such an
     * entry waits and goes again, and if it cannot, its batches are refused as stored nowhere.
     */
    private void onReply(final EntryBuilder entry, final RaftClientReply reply, final Throwable error)
    {
        final Throwable cause = error != null ? JavaUtils.unwrapCompletionException(error)
            : reply != null && !reply.isSuccess() ? reply.getException() : null;
        if (cause instanceof LeaderNotReadyException || cause instanceof LeaderSteppingDownException)
        {
            if (!waitForLeader(entry, false))
            {
                refuseInTransition(entry, "its leader in transition (" + cause.getMessage() + ")");
            }
            return;
        }
        onDone(entry, reply, error, null, null);
    }

    /**
     * Nothing of the entry was appended: BUSY while this replica still leads (it is settling), else
     * NOT_LEADER naming the leader it knows, which the producer follows at once.
     */
    private void refuseInTransition(final EntryBuilder entry, final String why)
    {
        final boolean leads = shard.leads();
        onDone(entry, null, null, leads ? AppendStatus.BUSY : AppendStatus.NOT_LEADER, leads ? shard + " has " + why
            + "; nothing of this batch was stored; resend shortly" : shard.leaderHint());
    }

    /**
     * Puts an in-flight entry that was not appended back at the head of the queue, to go again once
     * the leader has settled, unless it has waited {@code leaderWaitMs} already (or waiting is off).
     *
     * @param endsDrain called by the drain, which ends here: marked ended under the same lock, so the
     *                  timer's next look cannot find the drain still running and skip it.
     * @return false when the caller must refuse it instead.
     */
    private boolean waitForLeader(final EntryBuilder entry, final boolean endsDrain)
    {
        final long nowNs = System.nanoTime();
        if (leaderWaitNs == 0 || (entry.waited && nowNs - entry.waitingSinceNs >= leaderWaitNs))
        {
            return false;
        }
        if (!entry.waited)
        {
            entry.waited = true;
            entry.waitingSinceNs = nowNs;
        }
        final boolean schedule;
        synchronized (this)
        {
            if (closedReason != null)
            {
                return false;
            }
            inFlight--;
            queue.addFirst(entry);
            queuedBytes += entry.length - ShardEntryDescriptor.HEADER_LENGTH;
            if (endsDrain)
            {
                drainScheduled = false;
            }
            schedule = !lookAgainScheduled;
            lookAgainScheduled = true;
        }
        stats.leaderWaits.increment();
        if (schedule)
        {
            try
            {
                timer.schedule(this::lookAgain, HOLD_POLL_NS, TimeUnit.NANOSECONDS);
            }
            catch (final RejectedExecutionException e)
            {
                close("the node is stopping");
            }
        }
        return true;
    }

    /** The pacing timer: starts the next drain unless a full entry ended the wait already (then a no-op). */
    private void endPacedWait()
    {
        synchronized (this)
        {
            if (!pacedWait)
            {
                return;
            }
            pacedWait = false;
        }
        scheduleDrain();
    }

    private void lookAgain()
    {
        synchronized (this)
        {
            lookAgainScheduled = false;
        }
        kick();
    }

    /** Fans the entry's results out to its items' requests, frees the slot, and drains what queued meanwhile. */
    private void onDone(final EntryBuilder entry, final RaftClientReply reply, final Throwable error,
        final AppendStatus refused,
        final String refusal)
    {
        try
        {
            if (refused != null)
            {
                entry.failAll(refused, refusal);
            }
            else if (error != null || reply == null || !reply.isSuccess())
            {
                stats.failedEntries.increment();
                final Object cause = error != null ? error : reply == null ? "no reply" : reply.getException();
                entry.failAll(AppendStatus.OUTCOME_UNKNOWN, shard
                    + ": the Raft entry carrying this batch failed after it was"
                    + " submitted (" + cause + "); it may or may not be stored: resend it with the same sequence");
            }
            else
            {
                distribute(entry, reply.getMessage().getContent());
            }
        }
        catch (final RuntimeException e)
        {
            LOG.error("{}: fanning out the results of an entry failed", shard, e);
        }
        final boolean schedule;
        synchronized (this)
        {
            inFlight--;
            schedule = !queue.isEmpty() && !drainScheduled && closedReason == null;
            if (schedule)
            {
                drainScheduled = true;
            }
        }
        if (schedule)
        {
            scheduleDrain();
        }
    }

    private void distribute(final EntryBuilder entry, final ByteString content)
    {
        final ByteBuffer bytes = content.asReadOnlyByteBuffer();
        final UnsafeBuffer results = new UnsafeBuffer(bytes, bytes.position(), bytes.remaining());
        final int length = bytes.remaining();
        final int answered = ShardEntryDescriptor.isEntry(results, 0, length)
            ? ShardEntryDescriptor.itemCount(results, 0) : 0;
        int at = ShardEntryDescriptor.HEADER_LENGTH;
        for (int i = 0; i < entry.itemCount; i++)
        {
            if (i < answered && at + AppendResultDescriptor.HEADER_LENGTH <= length
                && at + AppendResultDescriptor.length(results, at) <= length)
            {
                entry.requests[i].complete(entry.indexes[i], results, at);
                at += AppendResultDescriptor.length(results, at);
            }
            else
            {
                entry.requests[i].complete(entry.indexes[i], AppendStatus.INVALID_BATCH, shard
                    + ": the shard could not read the entry that carried this batch (" + answered + " results for "
                    + entry.itemCount + " items); nothing of it was stored");
            }
        }
    }

    /** Refuses everything queued and anything later (entries in flight still complete). */
    void close(final String reason)
    {
        final ArrayDeque<EntryBuilder> dropped;
        synchronized (this)
        {
            if (closedReason != null)
            {
                return;
            }
            closedReason = reason;
            dropped = new ArrayDeque<>(queue);
            queue.clear();
            queuedBytes = 0;
        }
        for (final EntryBuilder entry : dropped)
        {
            entry.failAll(AppendStatus.SHARD_NOT_HOSTED, shard + ": " + reason + "; nothing of this batch was stored");
        }
    }

    /** Whether the shard's next entry is waiting for the pacing interval (tests). */
    synchronized boolean waitsOnPacing()
    {
        return pacedWait;
    }

    synchronized long queuedBytes()
    {
        return queuedBytes;
    }
}
