package io.tributary.raft.shard;

import io.tributary.engine.CorruptLogException;
import io.tributary.engine.OffsetOutOfRangeException;
import io.tributary.engine.ShardLog;
import io.tributary.raft.protocol.RatisMessages;
import io.tributary.raft.protocol.ReplayKey;
import io.tributary.raft.protocol.ShardProtocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shard's reads for consumers and catch-ups: a batch range now, or a long-poll that waits (at most a minute) for
 * the first batch past the log's end. Thread-safe: reads come from Ratis's query threads, completions from the apply
 * thread and the timer.
 */
final class ShardReads
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardReads.class);
    /** A read returns at most this much, whatever it asks for. */
    private static final int READ_BYTES_MAX = 16 << 20;
    private static final int LONG_POLL_WAIT_MS_MAX = 60_000;

    private final Supplier<String> shardName;
    private final Supplier<ShardLog> log;
    private final LongSupplier appliedIndex;
    private final ScheduledExecutorService timer;
    private final List<LongPoll> longPolls = new ArrayList<>();

    /**
     * @param shardName    names the shard and its log's folder in log lines (known once Ratis initialized it).
     * @param log          the shard's current log (replaced by an install from a peer).
     * @param appliedIndex the state machine's last applied Raft index.
     * @param timer        expires long-polls.
     */
    ShardReads(final Supplier<String> shardName, final Supplier<ShardLog> log, final LongSupplier appliedIndex,
        final ScheduledExecutorService timer)
    {
        this.shardName = shardName;
        this.log = log;
        this.appliedIndex = appliedIndex;
        this.timer = timer;
    }

    /** Batches from {@code fromOffset}; with {@code waitMs > 0} and nothing there yet, waits for the first ones. */
    CompletableFuture<Message> read(final long fromOffset, final int maxBytes, final int waitMs)
    {
        if (waitMs > 0 && fromOffset >= log.get().nextOffset())
        {
            final LongPoll poll = new LongPoll(fromOffset, maxBytes);
            synchronized (longPolls)
            {
                longPolls.add(poll);
            }
            timer.schedule(() -> expire(poll), Math.min(waitMs, LONG_POLL_WAIT_MS_MAX), TimeUnit.MILLISECONDS);
            completeLongPolls();
            return poll.future;
        }
        return CompletableFuture.completedFuture(readNow(fromOffset, maxBytes));
    }

    /** Answers the long-polls that the batches applied so far satisfy; called after each applied entry. */
    void completeLongPolls()
    {
        if (longPolls.isEmpty())
        {
            return;
        }
        final long nextOffset = log.get().nextOffset();
        final List<LongPoll> ready = new ArrayList<>();
        synchronized (longPolls)
        {
            longPolls.removeIf(poll -> poll.fromOffset < nextOffset && ready.add(poll));
        }
        ready.forEach(poll -> poll.future.complete(readNow(poll.fromOffset, poll.maxBytes)));
    }

    /** Fails every waiting long-poll: the shard's log is closing. */
    void failAll()
    {
        synchronized (longPolls)
        {
            longPolls.forEach(poll -> poll.future.completeExceptionally(new IOException("shard closed")));
            longPolls.clear();
        }
    }

    private void expire(final LongPoll poll)
    {
        final boolean removed;
        synchronized (longPolls)
        {
            removed = longPolls.remove(poll);
        }
        if (removed)
        {
            poll.future.complete(readNow(poll.fromOffset, poll.maxBytes));
        }
    }

    private Message readNow(final long fromOffset, final int maxBytes)
    {
        final ShardLog shardLog = log.get();
        final int limit = Math.max(1, Math.min(maxBytes, READ_BYTES_MAX));
        try
        {
            // Sized to the data: a buffer of the largest possible read (1 MiB and more) per read is a
            // humongous allocation for G1, and their collections paused the whole node for 25-140 ms.
            // (A batch appended between the two calls is left for the next read.)
            final int available = shardLog.readLength(fromOffset, limit);
            final byte[] reply = new byte[ShardProtocol.READ_REPLY_HEADER_LENGTH + available];
            final UnsafeBuffer out = new UnsafeBuffer(reply);
            final int length = available == 0 ? 0
                : shardLog.read(fromOffset, out, ShardProtocol.READ_REPLY_HEADER_LENGTH, limit);
            ShardProtocol.encodeReadReplyHeader(out, ShardProtocol.READ_OK, length, shardLog.firstOffset(),
                shardLog.nextOffset(), Math.max(appliedIndex.getAsLong(),
                ReplayKey.raftIndex(shardLog.lastRaftIndex())));
            return RatisMessages.wrap(reply, 0, ShardProtocol.READ_REPLY_HEADER_LENGTH
                + length);
        }
        catch (final OffsetOutOfRangeException e)
        {
            return RatisMessages.wrap(ShardProtocol.encodeReadError(ShardProtocol.READ_OUT_OF_RANGE, e.getMessage(),
                e.firstOffset(), e.nextOffset()));
        }
        catch (final CorruptLogException e)
        {
            LOG.error("{}: corrupt data in the shard log", shardName.get(), e);
            return RatisMessages.wrap(ShardProtocol.encodeReadError(ShardProtocol.READ_CORRUPT, e.getMessage(),
                shardLog.firstOffset(), shardLog.nextOffset()));
        }
    }


    private static final class LongPoll
    {
        final long fromOffset;
        final int maxBytes;
        final CompletableFuture<Message> future = new CompletableFuture<>();

        LongPoll(final long fromOffset, final int maxBytes)
        {
            this.fromOffset = fromOffset;
            this.maxBytes = maxBytes;
        }
    }
}
