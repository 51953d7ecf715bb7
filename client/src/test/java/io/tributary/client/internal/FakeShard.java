package io.tributary.client.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

import io.tributary.engine.AppendCondition;
import io.tributary.engine.AppendResult;
import io.tributary.format.AppendStatus;
import io.tributary.engine.OffsetOutOfRangeException;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;
import io.tributary.protocol.AppendItemDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One shard in-process, for client tests without a cluster: a real {@link ShardLog} behind the
 * real append items, answering on one thread in request order (like a Raft group), with faults
 * chosen per append request: the reply lost after the append was applied, the request lost
 * before it, a refusal, or a reply held back until released.
 */
final class FakeShard implements ShardChannel.Factory, AutoCloseable
{
    enum Fault
    {
        NONE,
        /** Applied, but the caller gets a timeout: it cannot tell this from a lost request. */
        LOSE_REPLY,
        /** Not applied; the caller gets a timeout. */
        LOSE_REQUEST,
        /** Not applied; the shard answers INVALID_BATCH. */
        REFUSE,
        /** Applied; the reply waits until {@link #release()}. */
        HOLD,
        /**
         * Applied, and the shard answers OUTCOME_UNKNOWN, as a leader does when it steps down with the entry pending.
         */
        ANSWER_UNKNOWN
    }

    private final ShardLog log;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final AppendResult result = new AppendResult();
    private final AppendCondition condition = new AppendCondition();
    private final AtomicInteger appendRequests = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();
    private final List<byte[]> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    private volatile IntFunction<Fault> faults = request -> Fault.NONE;
    private volatile Predicate<byte[]> refuses = request -> false;
    private volatile boolean holding;
    private volatile boolean neverHold;
    private long raftIndex;

    FakeShard(final Path directory, final String name)
    {
        this.log = ShardLog.open(new ShardLogConfig().directory(directory));
        this.executor = Executors.newSingleThreadExecutor(r -> daemon(r, "fake-shard-" + name));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fake-shard-timer-" + name));
    }

    private static Thread daemon(final Runnable runnable, final String name)
    {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Chooses the fault of each append request by its number (0, 1, 2, ... over the shard's life). */
    FakeShard faults(final IntFunction<Fault> faults)
    {
        this.faults = faults;
        return this;
    }

    /**
     * Refuses (INVALID_BATCH, nothing applied) every append whose request matches, whatever its
     * number: like a real shard, whose refusals depend on the batch, so a resend is refused too.
     */
    FakeShard refuses(final Predicate<byte[]> refuses)
    {
        this.refuses = refuses;
        return this;
    }

    /** Answers every held reply, in order, and holds no more (whatever the faults say). */
    void release()
    {
        final CompletableFuture<Void> released = new CompletableFuture<>();
        executor.execute(() ->
        {
            neverHold = true;
            holding = false;
            Runnable reply;
            while ((reply = held.poll()) != null)
            {
                reply.run();
            }
            released.complete(null);
        });
        released.join();
    }

    ShardLog log()
    {
        return log;
    }

    int appendRequests()
    {
        return appendRequests.get();
    }

    int maxOutstanding()
    {
        return maxOutstanding.get();
    }

    List<byte[]> requests()
    {
        return Collections.unmodifiableList(new ArrayList<>(requests));
    }

    @Override
    public ShardChannel open(final StreamInfo.ShardInfo shard)
    {
        return new ShardChannel()
        {
            @Override
            public CompletableFuture<AppendOutcome> append(final byte[] item)
            {
                return FakeShard.this.append(item);
            }

            @Override
            public CompletableFuture<ReadOutcome> read(final long fromOffset, final int maxBytes, final int waitMs,
                final String replica, final long minIndex)
            {
                return FakeShard.this.read(fromOffset, maxBytes, waitMs);
            }

            @Override
            public String leader()
            {
                return "fake";
            }

            @Override
            public void close()
            {
            }
        };
    }

    private CompletableFuture<AppendOutcome> append(final byte[] item)
    {
        final int number = appendRequests.getAndIncrement();
        requests.add(item.clone());
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        final Fault chosen = faults.apply(number);
        final Fault fault = chosen != Fault.LOSE_REQUEST && refuses.test(item) ? Fault.REFUSE : chosen;
        final CompletableFuture<AppendOutcome> reply = new CompletableFuture<>();
        executor.execute(() ->
        {
            final AppendOutcome answer = fault == Fault.LOSE_REQUEST ? null : fault == Fault.REFUSE ? refuse()
                : apply(item);
            final Runnable complete = () ->
            {
                outstanding.decrementAndGet();
                if (fault == Fault.LOSE_REPLY || fault == Fault.LOSE_REQUEST)
                {
                    reply.completeExceptionally(new IOException("fake shard: request " + number + " timed out (" + fault
                        + ")"));
                }
                else if (fault == Fault.ANSWER_UNKNOWN)
                {
                    reply.complete(AppendOutcome.of(AppendStatus.OUTCOME_UNKNOWN,
                        "fake shard: the entry's leader stepped down"));
                }
                else
                {
                    reply.complete(answer);
                }
            };
            if ((fault == Fault.HOLD || holding) && !neverHold)
            {
                holding = true;
                held.add(complete);
            }
            else
            {
                complete.run();
            }
        });
        return reply;
    }

    private static AppendOutcome refuse()
    {
        return AppendOutcome.of(AppendStatus.INVALID_BATCH, "fake shard refuses this batch");
    }

    private AppendOutcome apply(final byte[] bytes)
    {
        final UnsafeBuffer item = new UnsafeBuffer(bytes);
        condition.clear();
        final int flags = AppendItemDescriptor.flags(item, 0);
        if ((flags & AppendItemDescriptor.FLAG_SHARD_CONDITION) != 0)
        {
            condition.expectShardLastOffset(AppendItemDescriptor.expectedShardLastOffset(item, 0));
        }
        if ((flags & AppendItemDescriptor.FLAG_KEY_CONDITION) != 0)
        {
            condition.expectKeyLastOffset(item, AppendItemDescriptor.keyOffset(item, 0),
                AppendItemDescriptor.keyLength(item, 0),
                AppendItemDescriptor.expectedKeyLastOffset(item, 0));
        }
        log.append(item, AppendItemDescriptor.batchOffset(item, 0), AppendItemDescriptor.batchLength(item, 0),
            ++raftIndex,
            flags == 0 ? null : condition, result);
        return new AppendOutcome(result.status(), result.status().code(), result.baseOffset(), result.lastOffset(),
            result.expected(), result.found(), result.message());
    }

    /** The reads (numbered from 0) that fail in transit, as a node that does not answer. */
    void readFaults(final IntPredicate failing)
    {
        this.readFaults = failing;
    }

    /** Reads whose number (from 0) {@code notLed} accepts are answered NOT_LEADER naming no leader. */
    void readsAnsweredNotLeaderWithoutALeader(final IntPredicate notLed)
    {
        this.readsNotLed = notLed;
    }

    /** Read requests answered or failed so far. */
    int readRequests()
    {
        return readRequests.get();
    }

    private volatile IntPredicate readFaults = number -> false;
    private volatile IntPredicate readsNotLed = number -> false;
    private final AtomicInteger readRequests = new AtomicInteger();

    private CompletableFuture<ReadOutcome> read(final long fromOffset, final int maxBytes, final int waitMs)
    {
        final CompletableFuture<ReadOutcome> reply = new CompletableFuture<>();
        final int number = readRequests.getAndIncrement();
        executor.execute(() ->
        {
            if (readFaults.test(number))
            {
                reply.completeExceptionally(new IOException("fake shard: read " + number + " timed out"));
                return;
            }
            if (readsNotLed.test(number))
            {
                // A node that has not learnt the new leader yet (just restarted): NOT_LEADER without a name.
                reply.complete(new ReadOutcome(FetchResponseDescriptor.STATUS_NOT_LEADER,
                    FetchResponseDescriptor.ROLE_FOLLOWER,
                    0, 0, 0, 0, 0, new byte[0]));
                return;
            }
            if (waitMs > 0 && maxBytes > 0 && fromOffset == log.nextOffset())
            {
                // A simple long-poll: answer a little later, with whatever is there then.
                timer.schedule(() -> executor.execute(() -> reply.complete(readNow(fromOffset, maxBytes))),
                    Math.min(waitMs, 20),
                    TimeUnit.MILLISECONDS);
                return;
            }
            reply.complete(readNow(fromOffset, maxBytes));
        });
        return reply;
    }

    private ReadOutcome readNow(final long fromOffset, final int maxBytes)
    {
        try
        {
            final byte[] out = new byte[maxBytes == 0 ? 0 : Math.max(maxBytes, ShardLogConfig.DEFAULT_MAX_BATCH_BYTES)];
            final int length = maxBytes == 0 ? 0 : log.read(fromOffset, new UnsafeBuffer(out), 0, maxBytes);
            return new ReadOutcome(FetchResponseDescriptor.STATUS_OK, FetchResponseDescriptor.ROLE_LEADER,
                log.firstOffset(),
                log.nextOffset(), raftIndex, log.batchCount(), log.retainedBytes(), Arrays.copyOf(out, length));
        }
        catch (final OffsetOutOfRangeException e)
        {
            return new ReadOutcome(FetchResponseDescriptor.STATUS_OUT_OF_RANGE, FetchResponseDescriptor.ROLE_LEADER,
                e.firstOffset(),
                e.nextOffset(), raftIndex, log.batchCount(), log.retainedBytes(),
                e.getMessage().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException
    {
        if (!executor.isShutdown())
        {
            release();
        }
        executor.shutdown();
        timer.shutdownNow();
        try
        {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        log.close();
    }
}
