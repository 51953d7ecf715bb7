package io.tributary.client.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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

import io.tributary.engine.AppendCondition;
import io.tributary.engine.AppendResult;
import io.tributary.format.AppendStatus;
import io.tributary.engine.OffsetOutOfRangeException;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;
import io.tributary.raft.protocol.ShardProtocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * One shard in-process, for client tests without a cluster: a real {@link ShardLog} behind the
 * real wire protocol, answering on one thread in request order (like a Raft group), with faults
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
        HOLD
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
    private volatile java.util.function.Predicate<byte[]> refuses = request -> false;
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
    FakeShard refuses(final java.util.function.Predicate<byte[]> refuses)
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
            public CompletableFuture<ByteString> append(final byte[] request)
            {
                return FakeShard.this.append(request);
            }

            @Override
            public CompletableFuture<ByteString> query(final byte[] request, final String replica, final long minIndex)
            {
                return FakeShard.this.query(request);
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

    private CompletableFuture<ByteString> append(final byte[] request)
    {
        final int number = appendRequests.getAndIncrement();
        requests.add(request.clone());
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        final Fault chosen = faults.apply(number);
        final Fault fault = chosen != Fault.LOSE_REQUEST && refuses.test(request) ? Fault.REFUSE : chosen;
        final CompletableFuture<ByteString> reply = new CompletableFuture<>();
        executor.execute(() ->
        {
            final byte[] answer = fault == Fault.LOSE_REQUEST ? null : fault == Fault.REFUSE ? refuse() : apply(request);
            final Runnable complete = () ->
            {
                outstanding.decrementAndGet();
                if (fault == Fault.LOSE_REPLY || fault == Fault.LOSE_REQUEST)
                {
                    reply.completeExceptionally(new TimeoutIOException("fake shard: request " + number + " timed out ("
                        + fault + ")"));
                }
                else
                {
                    reply.complete(UnsafeByteOperations.unsafeWrap(answer));
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

    private byte[] refuse()
    {
        return ShardProtocol.encodeAppendReply(result.failWith(AppendStatus.INVALID_BATCH, AppendResult.NONE,
            AppendResult.NONE, "fake shard refuses this batch"));
    }

    private byte[] apply(final byte[] bytes)
    {
        final UnsafeBuffer request = new UnsafeBuffer(bytes);
        final int batchOffset = ShardProtocol.decodeAppend(request, bytes.length, condition);
        final boolean conditional = condition.expectedShardLastOffset() != AppendCondition.UNCHECKED || condition.checksKey();
        log.append(request, batchOffset, bytes.length - batchOffset, ++raftIndex, conditional ? condition : null, result);
        return ShardProtocol.encodeAppendReply(result);
    }

    private CompletableFuture<ByteString> query(final byte[] bytes)
    {
        final CompletableFuture<ByteString> reply = new CompletableFuture<>();
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        if (bytes[0] == ShardProtocol.STATUS)
        {
            executor.execute(() -> reply.complete(UnsafeByteOperations.unsafeWrap(ShardProtocol.encodeStatusReply(
                log.firstOffset(), log.nextOffset(), log.lastRaftIndex(), raftIndex, log.retainedBytes(), log.batchCount()))));
            return reply;
        }
        final long fromOffset = in.getLong(8);
        final int maxBytes = in.getInt(4);
        final int waitMs = in.getInt(16);
        executor.execute(() ->
        {
            if (waitMs > 0 && fromOffset == log.nextOffset())
            {
                // A simple long-poll: answer a little later, with whatever is there then.
                timer.schedule(() -> executor.execute(() -> reply.complete(read(fromOffset, maxBytes))), Math.min(waitMs, 20),
                    TimeUnit.MILLISECONDS);
                return;
            }
            reply.complete(read(fromOffset, maxBytes));
        });
        return reply;
    }

    private ByteString read(final long fromOffset, final int maxBytes)
    {
        final byte[] out = new byte[ShardProtocol.READ_REPLY_HEADER_LENGTH + Math.max(maxBytes, ShardLogConfig.DEFAULT_MAX_BATCH_BYTES)];
        final UnsafeBuffer buffer = new UnsafeBuffer(out);
        try
        {
            final int length = log.read(fromOffset, buffer, ShardProtocol.READ_REPLY_HEADER_LENGTH, maxBytes);
            ShardProtocol.encodeReadReplyHeader(buffer, ShardProtocol.READ_OK, length, log.firstOffset(), log.nextOffset(),
                raftIndex);
            return UnsafeByteOperations.unsafeWrap(out, 0, ShardProtocol.READ_REPLY_HEADER_LENGTH + length);
        }
        catch (final OffsetOutOfRangeException e)
        {
            return UnsafeByteOperations.unsafeWrap(ShardProtocol.encodeReadError(ShardProtocol.READ_OUT_OF_RANGE, e.getMessage(),
                e.firstOffset(), e.nextOffset()));
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
