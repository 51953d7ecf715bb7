package io.tributary.raft.frontend;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.engine.CorruptLogException;
import io.tributary.engine.OffsetOutOfRangeException;
import io.tributary.engine.ShardLog;
import io.tributary.protocol.FetchRequestDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.Responder;
import io.tributary.raft.protocol.RatisMessages;
import io.tributary.raft.protocol.ShardProtocol;

/**
 * Serves fetch requests: for each item, decide (not hosted here, not the leader, a follower
 * behind the reader), confirm leadership for linearizable reads (a Ratis read: the lease, or a
 * ReadIndex round), then answer at once or when data arrives (long-poll), copying whole stored
 * batches once from the mapped files into the response.
 */
final class FetchService
{
    private static final Logger LOG = LoggerFactory.getLogger(FetchService.class);
    /** A read answers at most this much per item (the old per-read ceiling). */
    private static final int ITEM_BYTES_MAX = 16 << 20;
    private static final ThreadLocal<ExpandableArrayBuffer> RESPONSES =
        ThreadLocal.withInitial(() -> new ExpandableArrayBuffer(64 * 1024));

    private final ShardDirectory shards;
    private final LongPolls longPolls;
    private final Executor pool;
    private final ScheduledExecutorService timer;
    private final ClientId clientId;
    private final AtomicLong callIds;
    private final int responseBytesMax;

    private final AccessControl access;

    FetchService(final ShardDirectory shards, final LongPolls longPolls, final Executor pool,
        final ScheduledExecutorService timer,
        final ClientId clientId, final AtomicLong callIds, final int responseBytesMax, final AccessControl access)
    {
        this.access = access;
        this.shards = shards;
        this.longPolls = longPolls;
        this.pool = pool;
        this.timer = timer;
        this.clientId = clientId;
        this.callIds = callIds;
        this.responseBytesMax = responseBytesMax;
    }

    /** On the network thread: the request is well-formed (checked by the front end). */
    void onFetch(final Responder from, final long correlationId, final DirectBuffer buffer, final int offset)
    {
        final PendingFetch fetch = new PendingFetch(this, from, correlationId, buffer, offset);
        execute(() -> start(fetch), fetch);
    }

    private void execute(final Runnable task, final PendingFetch fetch)
    {
        try
        {
            pool.execute(task);
        }
        catch (final RejectedExecutionException e)
        {
            LOG.debug("fetch {} from {} dropped: the node is stopping", fetch.correlationId, fetch.responder.peer());
        }
    }

    private void start(final PendingFetch fetch)
    {
        final List<CompletableFuture<?>> barriers = new ArrayList<>();
        for (int i = 0; i < fetch.itemCount; i++)
        {
            final ShardHandle shard = shards.find(fetch.groupMsb[i], fetch.groupLsb[i]);
            fetch.shards[i] = shard;
            if (shard == null)
            {
                fetch.decide(i, FetchResponseDescriptor.STATUS_NOT_HOSTED,
                    shards.whyNotHosted(fetch.groupMsb[i], fetch.groupLsb[i]));
            }
            else if (access.enabled() && refused(fetch, i, shard))
            {
                // answered: not authorized, or the access rules do not know the shard's stream yet
            }
            else if (fetch.consistency[i] == FetchRequestDescriptor.CONSISTENCY_LINEARIZABLE)
            {
                if (!shard.leads())
                {
                    fetch.decide(i, FetchResponseDescriptor.STATUS_NOT_LEADER, shard.leaderHint());
                }
                else
                {
                    barriers.add(barrier(fetch, i, shard));
                }
            }
            else
            {
                final long complete = shard.completeIndex(shard.stateMachine.log());
                if (complete < fetch.minAppliedIndex[i])
                {
                    fetch.decide(i, FetchResponseDescriptor.STATUS_BEHIND, "this replica holds every entry up to "
                        + "index " + complete + ", below the " + fetch.minAppliedIndex[i]
                        + " the reader has seen; retry or read another replica");
                }
            }
        }
        if (barriers.isEmpty())
        {
            respondOrWait(fetch);
            return;
        }
        CompletableFuture.allOf(barriers.toArray(new CompletableFuture<?>[0]))
            .whenComplete((ignored, error) -> execute(() -> respondOrWait(fetch), fetch));
    }

    /** Security on: decides item {@code i} and returns true when its principal may not read the shard. */
    private boolean refused(final PendingFetch fetch, final int i, final ShardHandle shard)
    {
        final String stream = access.streamOf(shard.groupId.getUuid());
        if (stream == null)
        {
            access.requestRefresh();
            fetch.decide(i, FetchResponseDescriptor.STATUS_BUSY, "this node has not loaded the stream of " + shard
                + " into its access rules yet (they refresh every half second); retry shortly");
            return true;
        }
        final String denied = access.checkOrRecheck(fetch.responder.principal(), fetch.responder.peer(),
            AccessControl.Action.CONSUME, stream, null);
        if (denied == AccessControl.RECHECK)
        {
            fetch.decide(i, FetchResponseDescriptor.STATUS_BUSY, "this node is reading its access rules again before "
                + "it refuses " + stream + " to " + fetch.responder.principal() + "; retry shortly");
            return true;
        }
        if (denied != null)
        {
            fetch.decide(i, FetchResponseDescriptor.STATUS_NOT_AUTHORIZED, denied);
            return true;
        }
        return false;
    }

    /**
     * A linearizable read of the shard's state through Ratis (the leader's lease, or a ReadIndex round):
     * once it returns, this replica still led and had applied everything committed before the read began.
     */
    private CompletableFuture<?> barrier(final PendingFetch fetch, final int item, final ShardHandle shard)
    {
        final RaftClientRequest request = RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(shard.division.getId())
            .setGroupId(shard.groupId)
            .setCallId(callIds.incrementAndGet())
            .setMessage(RatisMessages.wrap(ShardProtocol.encodeStatus()))
            .setType(RaftClientRequest.readRequestType())
            .build();
        try
        {
            return shard.submitter.submitClientRequestAsync(request).handle((reply, error) ->
            {
                if (error != null || reply == null || !reply.isSuccess())
                {
                    fetch.decide(item, FetchResponseDescriptor.STATUS_NOT_LEADER, shard.leaderHint());
                }
                return null;
            });
        }
        catch (final Exception e)
        {
            fetch.decide(item, FetchResponseDescriptor.STATUS_NOT_LEADER, shard.leaderHint());
            return CompletableFuture.completedFuture(null);
        }
    }

    private void respondOrWait(final PendingFetch fetch)
    {
        if (fetch.maxWaitMs == 0 || fetch.anyReady())
        {
            respond(fetch);
            return;
        }
        for (int i = 0; i < fetch.itemCount; i++)
        {
            longPolls.await(fetch.shards[i], fetch);
        }
        fetch.timeout = timer.schedule(() -> respondLater(fetch), fetch.maxWaitMs, TimeUnit.MILLISECONDS);
        if (fetch.anyReady())
        {
            // Data applied between the check and the registration would otherwise wait for the timeout.
            respond(fetch);
        }
    }

    /** From an apply or the timeout: answer on the pool (never on Ratis's apply thread, which must go on). */
    void respondLater(final PendingFetch fetch)
    {
        if (!fetch.isAnswered())
        {
            execute(() -> respond(fetch), fetch);
        }
    }

    private void respond(final PendingFetch fetch)
    {
        if (!fetch.claimAnswer())
        {
            return;
        }
        if (fetch.timeout != null)
        {
            fetch.timeout.cancel(false);
        }
        for (int i = 0; i < fetch.itemCount; i++)
        {
            if (fetch.shards[i] != null)
            {
                longPolls.remove(fetch.shards[i], fetch);
            }
        }
        final ExpandableArrayBuffer out = RESPONSES.get();
        FetchResponseDescriptor.writeHeader(out, 0, fetch.itemCount);
        int at = FetchResponseDescriptor.HEADER_LENGTH;
        for (int i = 0; i < fetch.itemCount; i++)
        {
            at += writeItem(fetch, i, out, at);
        }
        final SendStatus status = fetch.responder.respond(MessageType.FETCH_RESPONSE, fetch.correlationId, out, 0, at);
        if (status != SendStatus.OK)
        {
            LOG.warn("fetch response {} ({} bytes) to {} not sent: {}", fetch.correlationId, at, fetch.responder.peer(),
                status);
        }
    }

    private int writeItem(final PendingFetch fetch, final int item, final ExpandableArrayBuffer out, final int at)
    {
        final ShardHandle shard = fetch.shards[item];
        final ShardLog log = shard == null ? null : shard.stateMachine.log();
        if (fetch.decided[item] != PendingFetch.READ || log == null)
        {
            return writeText(out, at, log == null && fetch.decided[item] == PendingFetch.READ
                ? FetchResponseDescriptor.STATUS_NOT_HOSTED : fetch.decided[item], shard, log,
                fetch.messages[item] == null ? "the replica is closed" : fetch.messages[item]);
        }
        final int dataAt = at + FetchResponseDescriptor.ITEM_HEADER_LENGTH;
        final int room = Math.max(0, responseBytesMax - dataAt);
        final int limit = Math.min(Math.min(fetch.maxBytes[item], ITEM_BYTES_MAX), room);
        try
        {
            int length = 0;
            if (limit > 0)
            {
                final int available = log.readLength(fetch.fromOffset[item], limit);
                out.checkLimit(dataAt + available);
                length = available == 0 ? 0 : log.read(fetch.fromOffset[item], out, dataAt, available);
            }
            FetchResponseDescriptor.writeItemHeader(out, at, FetchResponseDescriptor.STATUS_OK, shard.role(), length,
                log.firstOffset(), log.nextOffset(), shard.visibleIndex(log), log.batchCount(), log.retainedBytes());
            return FetchResponseDescriptor.ITEM_HEADER_LENGTH + length;
        }
        catch (final OffsetOutOfRangeException e)
        {
            return writeText(out, at, FetchResponseDescriptor.STATUS_OUT_OF_RANGE, shard, log, e.getMessage());
        }
        catch (final CorruptLogException e)
        {
            LOG.error("{}: corrupt data in its shard log", shard, e);
            return writeText(out, at, FetchResponseDescriptor.STATUS_CORRUPT, shard, log, e.getMessage());
        }
        catch (final RuntimeException e)
        {
            LOG.error("{}: reading from offset {} failed", shard, fetch.fromOffset[item], e);
            return writeText(out, at, FetchResponseDescriptor.STATUS_ERROR, shard, log, String.valueOf(e));
        }
    }

    private static int writeText(final ExpandableArrayBuffer out, final int at, final byte status,
        final ShardHandle shard,
        final ShardLog log, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.checkLimit(at + FetchResponseDescriptor.ITEM_HEADER_LENGTH + bytes.length);
        out.putBytes(at + FetchResponseDescriptor.ITEM_HEADER_LENGTH, bytes);
        long first = -1;
        long next = -1;
        long batches = -1;
        long retained = -1;
        if (log != null)
        {
            try
            {
                first = log.firstOffset();
                next = log.nextOffset();
                batches = log.batchCount();
                retained = log.retainedBytes();
            }
            catch (final RuntimeException e)
            {
                // a closed log answers nothing: the positions stay unknown (-1)
            }
        }
        FetchResponseDescriptor.writeItemHeader(out, at, status, shard == null ? FetchResponseDescriptor.ROLE_OTHER
            : shard.role(), bytes.length, first, next, shard == null ? -1 : shard.visibleIndex(log), batches, retained);
        return FetchResponseDescriptor.ITEM_HEADER_LENGTH + bytes.length;
    }
}
