package io.tributary.raft.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.format.AppendStatus;
import io.tributary.protocol.AdminRequestDescriptor;
import io.tributary.protocol.AppendItemDescriptor;
import io.tributary.protocol.ErrorResponseDescriptor;
import io.tributary.protocol.FetchRequestDescriptor;
import io.tributary.protocol.FrontEndProtocol;
import io.tributary.protocol.ProduceRequestDescriptor;
import io.tributary.protocol.access.AuditRecord;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.RequestHandler;
import io.tributary.protocol.net.Responder;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.shard.ShardTracing;
import io.tributary.raft.storage.DiskReserve;

/**
 * A node's front end: Tributary's own protocol for producers, consumers and admin clients, so
 * they need neither Ratis nor a client per shard. One produce request per node carries batches
 * for every shard the node leads; each shard's batches are coalesced into few Raft entries
 * ({@link ShardAppender}); one fetch request reads many shards, long-poll included
 * ({@link FetchService}); admin requests are forwarded to the metadata quorum ({@link AdminService}).
 * <p>
 * Requests arrive on the carrier's thread (the process's network thread for Aeron). Everything
 * here is checked before it has any effect: a malformed or oversized request gets an
 * ERROR_RESPONSE saying what and where, and nothing of it is queued.
 */
public final class FrontEnd implements RequestHandler, AutoCloseable
{
    /** Aeron stream of the front end, beside Ratis's (0x7472) on the node's own UDP address. */
    public static final int STREAM_ID = FrontEndProtocol.AERON_STREAM_ID;
    private static final Logger LOG = LoggerFactory.getLogger(FrontEnd.class);

    private final String nodeId;
    private final ShardDirectory shards;
    private final FetchService fetches;
    private final AdminService admin;
    private final ShardTracing tracing;
    private final ExecutorService pool;
    private final ShardAppender.Stats stats = new ShardAppender.Stats();
    private final DiskReserve diskReserve;
    private final int requestBytesMax;
    private final EntryPacer pacer;
    private final ScheduledFuture<?> pacerSampling;
    private final AccessControl access;

    /**
     * @param groupClients makes a Ratis client of a group this node hosts (leadership transfers).
     * @param requestBytesMax the carrier's message limit: larger requests are refused.
     */
    public FrontEnd(final String nodeId, final RaftServer server, final MetadataClient metadata,
        final ShardTracing tracing,
        final ScheduledExecutorService timer, final Function<RaftGroup, RaftClient> groupClients,
            final FrontEndSettings settings,
        final int requestBytesMax, final DiskReserve diskReserve, final AccessControl access)
    {
        this.nodeId = nodeId;
        this.access = access;
        this.diskReserve = diskReserve;
        this.tracing = tracing;
        this.requestBytesMax = requestBytesMax;
        this.pool = Executors.newFixedThreadPool(settings.submitThreads(), daemonThreads("frontend-" + nodeId));
        final ClientId clientId = ClientId.randomId();
        final AtomicLong callIds = new AtomicLong();
        final LongPolls longPolls = new LongPolls();
        this.pacer = EntryPacer.forMachine(TimeUnit.MICROSECONDS.toNanos(settings.entryIntervalMaxUs()));
        this.pacerSampling = pacer.enabled() ? timer.scheduleAtFixedRate(pacer::sample, EntryPacer.SAMPLE_PERIOD_MS,
            EntryPacer.SAMPLE_PERIOD_MS, TimeUnit.MILLISECONDS) : null;
        this.shards = new ShardDirectory(server, shard ->
            new ShardAppender(shard, pool, timer, clientId, callIds, settings,
            pacer::intervalNs, stats), longPolls);
        this.fetches = new FetchService(shards, longPolls, pool, timer, clientId, callIds, requestBytesMax, access);
        this.admin = new AdminService(shards, metadata, groupClients, access,
            Executors.newFixedThreadPool(2, daemonThreads("frontend-admin-" + nodeId)));
    }

    private static ThreadFactory daemonThreads(final String name)
    {
        final AtomicInteger count = new AtomicInteger();
        return runnable ->
        {
            final Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void onRequest(final Responder from, final MessageType type, final long correlationId,
        final DirectBuffer buffer,
        final int offset, final int length)
    {
        try
        {
            if (length > requestBytesMax)
            {
                error(from, correlationId, ErrorResponseDescriptor.TOO_LARGE, type + " of " + length
                    + " bytes exceeds this node's"
                    + " limit of " + requestBytesMax + " bytes; send smaller requests (fewer or smaller batches)");
                return;
            }
            switch (type)
            {
                case PRODUCE_REQUEST -> onProduce(from, correlationId, buffer, offset, length);
                case FETCH_REQUEST -> onFetch(from, correlationId, buffer, offset, length);
                case ADMIN_REQUEST -> onAdmin(from, correlationId, buffer, offset, length);
                default -> error(from, correlationId, ErrorResponseDescriptor.UNKNOWN_TYPE, "node " + nodeId
                    + " serves no " + type + " on its front end");
            }
        }
        catch (final RuntimeException e)
        {
            LOG.error("node {}: {} {} from {} failed", nodeId, type, correlationId, from.peer(), e);
            error(from, correlationId, ErrorResponseDescriptor.MALFORMED, "node " + nodeId + " could not serve the "
                + type + ": " + e);
        }
    }

    private void onProduce(final Responder from, final long correlationId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final String malformed = checkProduce(buffer, offset, length);
        if (malformed != null)
        {
            error(from, correlationId, malformed.startsWith("version") ? ErrorResponseDescriptor.UNSUPPORTED_VERSION
                : ErrorResponseDescriptor.MALFORMED, "produce request: " + malformed + "; nothing of it was stored");
            return;
        }
        final int count = ProduceRequestDescriptor.itemCount(buffer, offset);
        final PendingProduce request = new PendingProduce(from, correlationId, count);
        if (count == 0)
        {
            request.sendEmpty();
            return;
        }
        final List<ShardAppender> touched = new ArrayList<>(4);
        int at = offset + ProduceRequestDescriptor.HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int itemAt = at + ProduceRequestDescriptor.ITEM_APPEND_OFFSET;
            final int itemLength = AppendItemDescriptor.itemLength(buffer, itemAt);
            final ShardHandle shard = shards.find(buffer.getLong(at + ProduceRequestDescriptor.ITEM_GROUP_MSB_OFFSET),
                buffer.getLong(at + ProduceRequestDescriptor.ITEM_GROUP_LSB_OFFSET));
            if (shard == null)
            {
                request.complete(i, AppendStatus.SHARD_NOT_HOSTED, "node " + nodeId + ": " + shards.whyNotHosted(
                    buffer.getLong(at + ProduceRequestDescriptor.ITEM_GROUP_MSB_OFFSET),
                    buffer.getLong(at + ProduceRequestDescriptor.ITEM_GROUP_LSB_OFFSET))
                        + "; moved, or not created yet: refresh the stream's placement");
            }
            else if (access.enabled() && refused(request, i, shard, from, buffer, itemAt))
            {
                // answered: not authorized, or the access rules do not know the shard's stream yet
            }
            else if (!shard.leads() && !shard.appender.holdsForNewLeader())
            {
                request.complete(i, AppendStatus.NOT_LEADER, shard.leaderHint());
            }
            else if (!shard.leadsAndIsReady() && !shard.appender.waitsForLeader())
            {
                request.complete(i, AppendStatus.BUSY, "node " + nodeId + " was just elected leader of " + shard
                    + " and has not committed an entry of its term yet; resend shortly");
            }
            else if (diskReserve.low())
            {
                request.complete(i, AppendStatus.DISK_FULL, diskReserve.refusal());
            }
            else
            {
                if (tracing.enabled())
                {
                    tracing.onLeaderAppend(AppendItemDescriptor.traceparent(buffer, itemAt), shard.groupId);
                }
                if (shard.appender.enqueue(request, i, buffer, itemAt, itemLength))
                {
                    if (!touched.contains(shard.appender))
                    {
                        touched.add(shard.appender);
                    }
                }
                else
                {
                    request.complete(i, AppendStatus.BUSY, "node " + nodeId + ": " + shard + " has "
                        + shard.appender.queuedBytes() + " bytes queued for its next Raft entries, its limit"
                        + " (frontend.queue.bytes.max); back off and resend");
                }
            }
            at += ProduceRequestDescriptor.ITEM_APPEND_OFFSET + itemLength;
        }
        // Only now: a request's batches for one shard go into one entry together.
        for (final ShardAppender appender : touched)
        {
            appender.kick();
        }
    }

    /** Security on: answers item {@code i} and returns true when its principal may not produce to the shard. */
    private boolean refused(final PendingProduce request, final int i, final ShardHandle shard, final Responder from,
        final DirectBuffer buffer, final int itemAt)
    {
        final String stream = access.streamOf(shard.groupId.getUuid());
        if (stream == null)
        {
            access.requestRefresh();
            request.complete(i, AppendStatus.BUSY, "node " + nodeId + " has not loaded the stream of " + shard
                + " into its access rules yet (they refresh every half second); resend shortly");
            return true;
        }
        if (access.check(from.principal(), AccessControl.Action.PRODUCE, stream) == null)
        {
            return false;
        }
        // Denied by the rules held: the slow path, where the item's trace id is worth reading for the audit trail.
        final String denied = access.checkOrRecheck(from.principal(), from.peer(), AccessControl.Action.PRODUCE,
            stream, AuditRecord.traceIdOf(AppendItemDescriptor.traceparent(buffer, itemAt)));
        if (denied == AccessControl.RECHECK)
        {
            request.complete(i, AppendStatus.BUSY, "node " + nodeId + " is reading its access rules again before "
                + "it refuses " + stream + " to " + from.principal() + "; resend shortly");
            return true;
        }
        if (denied != null)
        {
            request.complete(i, AppendStatus.NOT_AUTHORIZED, denied);
            return true;
        }
        return false;
    }

    /** Null when the request is well-formed, else what is wrong and where. */
    static String checkProduce(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ProduceRequestDescriptor.HEADER_LENGTH)
        {
            return "it has " + length + " bytes, less than its " + ProduceRequestDescriptor.HEADER_LENGTH
                + "-byte header";
        }
        final int version = ProduceRequestDescriptor.version(buffer, offset);
        if (version != ProduceRequestDescriptor.VERSION)
        {
            return "version " + version + " is not supported (this node speaks " + ProduceRequestDescriptor.VERSION
                + ")";
        }
        final int count = ProduceRequestDescriptor.itemCount(buffer, offset);
        final int end = offset + length;
        int at = offset + ProduceRequestDescriptor.HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            if (end - at < ProduceRequestDescriptor.ITEM_APPEND_OFFSET)
            {
                return "item " + i + " of " + count + " starts at byte " + (at - offset) + " but only " + (end - at)
                    + " bytes remain";
            }
            final int itemAt = at + ProduceRequestDescriptor.ITEM_APPEND_OFFSET;
            final String item = AppendItemDescriptor.validate(buffer, itemAt, end - itemAt);
            if (item != null)
            {
                return "item " + i + " of " + count + ": " + item;
            }
            final int flags = AppendItemDescriptor.flags(buffer, itemAt);
            if ((flags & AppendItemDescriptor.FLAG_SHARD_CONDITION) != 0
                && AppendItemDescriptor.expectedShardLastOffset(buffer, itemAt) < -1)
            {
                return "item " + i + " expects the shard's last offset to be "
                    + AppendItemDescriptor.expectedShardLastOffset(buffer, itemAt)
                        + "; use -1 (empty) or an offset >= 0";
            }
            if ((flags & AppendItemDescriptor.FLAG_KEY_CONDITION) != 0
                && AppendItemDescriptor.expectedKeyLastOffset(buffer, itemAt) < -1)
            {
                return "item " + i + " expects its key's last offset to be "
                    + AppendItemDescriptor.expectedKeyLastOffset(buffer, itemAt)
                        + "; use -1 (no record) or an offset >= 0";
            }
            at = itemAt + AppendItemDescriptor.itemLength(buffer, itemAt);
        }
        if (at != end)
        {
            return "its " + count + " items end at byte " + (at - offset) + " but it has " + length + " bytes";
        }
        return null;
    }

    private void onFetch(final Responder from, final long correlationId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (length < FetchRequestDescriptor.HEADER_LENGTH)
        {
            error(from, correlationId, ErrorResponseDescriptor.MALFORMED, "fetch request of " + length
                + " bytes is shorter than" + " its " + FetchRequestDescriptor.HEADER_LENGTH + "-byte header");
            return;
        }
        final int version = FetchRequestDescriptor.version(buffer, offset);
        if (version != FetchRequestDescriptor.VERSION)
        {
            error(from, correlationId, ErrorResponseDescriptor.UNSUPPORTED_VERSION, "fetch request version " + version
                + " is not supported (this node speaks " + FetchRequestDescriptor.VERSION + ")");
            return;
        }
        final int count = FetchRequestDescriptor.itemCount(buffer, offset);
        final long expected = FetchRequestDescriptor.HEADER_LENGTH + (long)count * FetchRequestDescriptor.ITEM_LENGTH;
        if (length != expected)
        {
            error(from, correlationId, ErrorResponseDescriptor.MALFORMED, "fetch request of " + count
                + " items must be " + expected + " bytes, not " + length);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            final int at = FetchRequestDescriptor.itemOffset(offset, i);
            final byte consistency = buffer.getByte(at + FetchRequestDescriptor.ITEM_CONSISTENCY_OFFSET);
            if (consistency != FetchRequestDescriptor.CONSISTENCY_LINEARIZABLE
                && consistency != FetchRequestDescriptor.CONSISTENCY_FOLLOWER)
            {
                error(from, correlationId, ErrorResponseDescriptor.MALFORMED, "fetch item " + i
                    + " has unknown consistency " + consistency + " (0 linearizable, 1 follower)");
                return;
            }
            if (buffer.getLong(at + FetchRequestDescriptor.ITEM_FROM_OFFSET_OFFSET) < 0
                || buffer.getInt(at + FetchRequestDescriptor.ITEM_MAX_BYTES_OFFSET) < 0)
            {
                error(from, correlationId, ErrorResponseDescriptor.MALFORMED, "fetch item " + i
                    + " has a negative offset or" + " byte limit");
                return;
            }
        }
        fetches.onFetch(from, correlationId, buffer, offset);
    }

    private void onAdmin(final Responder from, final long correlationId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final String malformed = AdminRequestDescriptor.malformed(buffer, offset, length);
        if (malformed != null)
        {
            final int version = length < AdminRequestDescriptor.HEADER_LENGTH ? AdminRequestDescriptor.VERSION
                : AdminRequestDescriptor.version(buffer, offset);
            error(from, correlationId, version == AdminRequestDescriptor.VERSION
                || version == AdminRequestDescriptor.VERSION_TRACED ? ErrorResponseDescriptor.MALFORMED
                : ErrorResponseDescriptor.UNSUPPORTED_VERSION, malformed);
            return;
        }
        admin.onAdmin(from, correlationId, buffer, offset, length);
    }

    private void error(final Responder from, final long correlationId, final short code, final String text)
    {
        final byte[] bytes = ErrorResponseDescriptor.encode(code, text);
        final SendStatus status = from.respond(MessageType.ERROR_RESPONSE, correlationId, new UnsafeBuffer(bytes), 0,
            bytes.length);
        if (status != SendStatus.OK)
        {
            LOG.warn("node {}: error response {} to {} not sent: {}", nodeId, correlationId, from.peer(), status);
        }
    }

    /**
     * Raft entries submitted, items they carried and their bytes, BUSY refusals, failed entries, waits on a leader in
     * transition (since start).
     */
    public long[] counters()
    {
        return new long[]{stats.entries.sum(), stats.items.sum(), stats.entryBytes.sum(), stats.busy.sum(),
            stats.failedEntries.sum(), stats.leaderWaits.sum()};
    }

    @Override
    public void close()
    {
        if (pacerSampling != null)
        {
            pacerSampling.cancel(false);
        }
        admin.close();
        for (final ShardHandle shard : shards.all())
        {
            shard.appender.close("the node is stopping");
        }
        pool.shutdown();
        try
        {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS))
            {
                pool.shutdownNow();
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
