package io.tributary.raft.node;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.protocol.access.AuditRecord;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.frontend.AuditSink;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.protocol.ShardEntryDescriptor;

/**
 * A node's writer of the audit trail (security on): events queue here from any thread and a thread of their own
 * appends them to the audit stream ({@link AuditRecord#STREAM}, one shard) in entries the shard chains as it applies
 * them ({@link ShardEntryDescriptor#FLAG_CHAIN_AUDIT}), so the chain is the stream's own order whichever node wrote,
 * and no node's records wait while others write. (Writers that each read the last record and appended on a condition
 * could starve: a node whose three round trips took longer than the gaps between the others' appends lost every
 * race.) The stream is created by the first node that writes. At most {@link #QUEUE_MAX} events wait;
 * more are counted and the count recorded as an event of its own.
 */
final class AuditTrail implements AuditSink, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    static final int QUEUE_MAX = 10_000;
    private static final int RECORDS_PER_APPEND_MAX = 256;
    private static final int BATCH_BYTES_MAX = 512 * 1024;
    private static final long FLUSH_WAIT_MS = 100;

    private final String nodeId;
    private final MetadataClient metadata;
    private final String transport;
    private final TlsSettings tls;
    private final long requestTimeoutMs;
    private final BlockingQueue<AuditRecord> queue = new ArrayBlockingQueue<>(QUEUE_MAX);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(new byte[BATCH_BYTES_MAX + 4096]);
    private volatile boolean running = true;
    private RaftClient client;
    /** The writer is an idempotent producer of the trail: a resent batch is stored once. */
    private long producerId = newProducerId();
    private int nextSequence;

    AuditTrail(final String nodeId, final MetadataClient metadata, final String transport, final TlsSettings tls,
        final long requestTimeoutMs)
    {
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.transport = transport;
        this.tls = tls;
        this.requestTimeoutMs = requestTimeoutMs;
        this.writer = new Thread(this::run, "tributary-audit-" + nodeId);
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void record(final PeerIdentity principal, final String source, final String action, final String resource,
        final String result, final String traceId)
    {
        // The previous hash is filled in when the record is appended; GENESIS holds its place.
        final AuditRecord record = new AuditRecord(System.currentTimeMillis(), nodeId, principal == null ? "-"
            : principal.toString(), source, action, resource, result, traceId, AuditRecord.GENESIS);
        if (!queue.offer(record))
        {
            dropped.incrementAndGet();
        }
    }

    /** Records appended to the trail by this node (since start). */
    long written()
    {
        return written.get();
    }

    private void run()
    {
        final List<AuditRecord> pending = new ArrayList<>();
        while (running)
        {
            try
            {
                // A batch that failed is resent as it was (same records, same sequence), so that if it was stored
                // after all the shard answers DUPLICATE instead of storing it twice.
                if (pending.isEmpty())
                {
                    final AuditRecord first = queue.poll(FLUSH_WAIT_MS, TimeUnit.MILLISECONDS);
                    if (first == null)
                    {
                        continue;
                    }
                    pending.add(first);
                    queue.drainTo(pending, RECORDS_PER_APPEND_MAX - 1 - pending.size());
                    final long lost = dropped.getAndSet(0);
                    if (lost > 0)
                    {
                        pending.add(new AuditRecord(System.currentTimeMillis(), nodeId, "node:" + nodeId, "-",
                            "audit-dropped", AuditRecord.STREAM, lost + " events dropped: the queue of " + QUEUE_MAX
                            + " was full", "-", AuditRecord.GENESIS));
                    }
                }
                append(pending);
                written.addAndGet(pending.size());
                pending.clear();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final IOException | RuntimeException e)
            {
                if (running)
                {
                    LOG.warn("node {}: {} audit records not written yet: {} (will retry)", nodeId, pending.size(),
                        e.toString());
                    closeClient();
                    parkMs(500);
                }
            }
        }
    }

    /**
     * Appends the records in one entry flagged {@link ShardEntryDescriptor#FLAG_CHAIN_AUDIT}: each goes with
     * {@link AuditRecord#GENESIS} in its previous-hash field, and the shard's state machine writes the real hash as it
     * applies the entry, after whatever any node appended before. One round trip, and no race to lose.
     */
    private void append(final List<AuditRecord> records) throws IOException
    {
        final RaftClient raft = client();
        final RecordBatchBuilder builder = new RecordBatchBuilder(batchBuffer);
        builder.reset(producerId, (short)0, nextSequence);
        for (final AuditRecord record : records)
        {
            if (!builder.tryAppend(record.timeMs(), null, record.encode()))
            {
                throw new IOException("an audit batch of " + records.size() + " records does not fit "
                    + BATCH_BYTES_MAX + " bytes");
            }
        }
        final int length = builder.build();
        final byte[] entry = ShardEntryDescriptor.encodeSingle(batchBuffer, 0, length, null, null,
            ShardEntryDescriptor.FLAG_CHAIN_AUDIT);
        final RaftClientReply reply = raft.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)));
        if (!reply.isSuccess())
        {
            throw new IOException("the audit shard did not take the append: " + reply.getException());
        }
        final UnsafeBuffer in = new UnsafeBuffer(reply.getMessage().getContent().toByteArray());
        if (in.capacity() < ShardEntryDescriptor.HEADER_LENGTH + 1)
        {
            throw new IOException("the audit shard answered " + in.capacity() + " bytes without a result");
        }
        final AppendStatus status = AppendResultDescriptor.status(in, ShardEntryDescriptor.HEADER_LENGTH);
        if (status == AppendStatus.APPENDED || status == AppendStatus.DUPLICATE)
        {
            nextSequence += records.size();
            return;
        }
        if (status == AppendStatus.UNKNOWN_PRODUCER || status == AppendStatus.SEQUENCE_GAP)
        {
            // The shard no longer knows this writer (evicted after maxProducers): start again as a new one.
            producerId = newProducerId();
            nextSequence = 0;
        }
        throw new IOException("the audit shard refused an append: " + status + " "
            + AppendResultDescriptor.message(in, ShardEntryDescriptor.HEADER_LENGTH));
    }

    private static long newProducerId()
    {
        return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    }

    /** A client of the audit shard's group, creating the stream first if need be. */
    private RaftClient client() throws IOException
    {
        if (client != null)
        {
            return client;
        }
        String description;
        try
        {
            description = metadata.query("DESCRIBE", AuditRecord.STREAM);
        }
        catch (final MetadataClient.MetadataException e)
        {
            try
            {
                // RF 3 whatever the active nodes now: the metadata lets the trail's placement grow with them.
                metadata.command("CREATE_STREAM", AuditRecord.STREAM, "1", "3", "-1", "-1");
                LOG.info("node {} created the audit stream {}", nodeId, AuditRecord.STREAM);
            }
            catch (final MetadataClient.MetadataException raced)
            {
                // another node created it meanwhile
            }
            description = metadata.query("DESCRIBE", AuditRecord.STREAM);
        }
        final String[] lines = description.split("\n");
        final String[] shard = lines.length > 1 ? lines[1].split("\t", -1) : new String[0];
        if (shard.length < 3 || shard[2].isEmpty())
        {
            throw new IOException("the audit stream is not placed yet");
        }
        final Map<String, String> peers = new LinkedHashMap<>();
        for (final String peer : shard[2].split(","))
        {
            peers.put(peer.substring(0, peer.indexOf('=')), peer.substring(peer.indexOf('=') + 1));
        }
        client = RaftSettings.newClient(RaftSettings.group(RaftGroupId.valueOf(UUID.fromString(shard[1])), peers),
            transport, tls, requestTimeoutMs, RaftSettings.retryPolicy(10, 200));
        return client;
    }

    private void closeClient()
    {
        if (client != null)
        {
            try
            {
                client.close();
            }
            catch (final IOException e)
            {
                LOG.debug("closing the audit shard's client failed", e);
            }
            client = null;
        }
    }

    /** A back-off after a failed write, not a wait for a condition. */
    private static void parkMs(final long ms)
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Override
    public void close()
    {
        running = false;
        writer.interrupt();
        try
        {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        closeClient();
    }
}
