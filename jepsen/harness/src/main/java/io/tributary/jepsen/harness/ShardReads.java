package io.tributary.jepsen.harness;

import io.tributary.protocol.tls.TlsSettings;
import io.tributary.client.AdminConfig;
import io.tributary.client.internal.FrontEndClient;
import io.tributary.client.internal.FrontEndMetadataView;
import io.tributary.client.internal.NodeLinks;
import io.tributary.client.internal.ReadOutcome;
import io.tributary.client.internal.ShardChannel;
import io.tributary.client.internal.StreamInfo;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a shard at the protocol level, one request per call, so the harness knows exactly what one
 * read saw: the records from an offset and the shard's next offset when the replica answered (the
 * consumer API hides both behind polling). Linearizable reads go to the leader's front end (Ratis
 * ReadIndex, or its lease; a NOT_LEADER answer names the leader to ask next); follower reads go to
 * a named replica, never behind {@code minAppliedIndex}.
 * One instance per client process; not thread-safe.
 */
final class ShardReads implements AutoCloseable
{
    /**
     * What one read returned: records in offset order from {@code from} (above the offset asked for when
     * retention had deleted that one), and the shard's next offset then.
     */
    record Result(long from, List<Long> offsets, List<String> keys, List<String> values, long nextOffset,
        long appliedIndex)
    {
        /** Whether the read got everything up to the end of the shard. */
        boolean reachedEnd()
        {
            return from + values.size() == nextOffset;
        }
    }

    private final FrontEndClient client;
    private final FrontEndMetadataView metadata;
    private final NodeLinks links;
    private final String stream;
    private final long requestTimeoutMs;
    private final Map<Integer, ShardChannel> channels = new HashMap<>();
    private final Map<Integer, Map<String, String>> placements = new HashMap<>();
    private final Map<Integer, Integer> failuresInARow = new HashMap<>();
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private StreamInfo info;

    ShardReads(final Map<String, String> metadataPeers, final String transport, final TlsSettings tls,
        final String stream, final long requestTimeoutMs)
    {
        this.client = FrontEndClient.connect(new AdminConfig().metadataPeers(metadataPeers).transport(transport)
            .tls(tls).requestTimeoutMs(requestTimeoutMs));
        this.metadata = new FrontEndMetadataView(client, false);
        this.links = new NodeLinks(client);
        this.stream = stream;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    StreamInfo info() throws IOException
    {
        if (info == null)
        {
            info = metadata.describe(stream);
        }
        return info;
    }

    /** The current replicas of a shard (node ids). */
    List<String> replicas(final int shard) throws IOException
    {
        return new ArrayList<>(info().shard(shard).replicas().keySet());
    }

    /**
     * One read of up to {@code maxBytes} from {@code from}: linearizable when {@code replica} is
     * null, else a follower read on that replica.
     *
     * @throws IOException on any failure (the caller records it as indeterminate); placement is
     *     described again before the next read, as replicas move.
     */
    Result read(final int shard, final long from, final int maxBytes, final String replica, final long minAppliedIndex)
        throws IOException
    {
        final ReadOutcome outcome = fetch(shard, from, maxBytes, replica, minAppliedIndex);
        if (outcome.status() == FetchResponseDescriptor.STATUS_OUT_OF_RANGE && outcome.firstOffset() > from)
        {
            // Retention deleted the records from `from` on to the first retained one: read from there, as a consumer
            // does.
            final long first = outcome.firstOffset();
            return decode(shard, first, fetch(shard, first, maxBytes, replica, minAppliedIndex));
        }
        return decode(shard, from, outcome);
    }

    private ReadOutcome fetch(final int shard, final long from, final int maxBytes, final String replica,
        final long minAppliedIndex) throws IOException
    {
        ReadOutcome outcome = null;
        // A linearizable read that reached a follower is told the leader; the channel follows it.
        for (int attempt = 0; attempt < 3 && (outcome == null || mayRetry(outcome, replica)); attempt++)
        {
            try
            {
                final CompletableFuture<ReadOutcome> reply = channel(shard).read(from, maxBytes, 0, replica,
                    minAppliedIndex);
                links.flush();
                outcome = reply.get(requestTimeoutMs, TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException | TimeoutException | RuntimeException e)
            {
                failed(shard, false);
                throw new IOException("read of shard " + shard + " from " + from
                    + (replica == null ? "" : " on " + replica)
                    + " failed: " + (e instanceof ExecutionException ? e.getCause() : e), e);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        return outcome;
    }

    private static boolean mayRetry(final ReadOutcome outcome, final String replica)
    {
        return replica == null && outcome.status() == FetchResponseDescriptor.STATUS_NOT_LEADER && !outcome.text()
            .isEmpty();
    }

    private Result decode(final int shard, final long from, final ReadOutcome outcome) throws IOException
    {
        if (!outcome.isOk())
        {
            failed(shard, outcome.status() == FetchResponseDescriptor.STATUS_NOT_HOSTED);
            throw new IOException("shard " + shard + ": read from " + from + " refused ("
                + FetchResponseDescriptor.statusName(outcome.status()) + "): " + outcome.text());
        }
        final byte[] bytes = outcome.data();
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        final List<Long> offsets = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        final int end = bytes.length;
        for (int at = 0; at < end; at += batch.batchLength())
        {
            if (end - at < RecordBatchDescriptor.HEADER_LENGTH)
            {
                throw new IOException("shard " + shard + ": a read reply has " + (end - at) + " stray bytes");
            }
            batch.wrap(in, at);
            while (batch.nextRecord())
            {
                if (batch.record().offset() >= from)
                {
                    offsets.add(batch.record().offset());
                    final byte[] key = batch.record().keyBytes();
                    keys.add(key == null ? null : new String(key, StandardCharsets.UTF_8));
                    final byte[] value = batch.record().valueBytes();
                    values.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
                }
            }
        }
        for (int i = 0; i < offsets.size(); i++)
        {
            if (offsets.get(i) != from + i)
            {
                throw new IOException("shard " + shard + ": a read from " + from + " returned offset " + offsets.get(i)
                    + " at position " + i + " (offsets must be dense from the requested one)");
            }
        }
        failuresInARow.remove(shard);
        return new Result(from, offsets, keys, values, outcome.nextOffset(), outcome.appliedIndex());
    }

    private ShardChannel channel(final int shard) throws IOException
    {
        final StreamInfo.ShardInfo placement = info().shard(shard);
        ShardChannel channel = channels.get(shard);
        if (channel == null || !placement.replicas().equals(placements.get(shard)))
        {
            if (channel != null)
            {
                channel.close();
            }
            channel = links.open(placement);
            channels.put(shard, channel);
            placements.put(shard, placement.replicas());
        }
        return channel;
    }

    /**
     * After a failure: describe the stream again before the next read when the replica said it does not host
     * the shard, or this shard's reads failed twice in a row, as replicas may have moved; not after one
     * failure in transit, as the client's consumer does: describing asks the metadata quorum, which may be
     * what is down. The channel stays while its placement does: it has already moved off a replica that did
     * not answer, and a new one would start again at the preferred leader, which may be the node that is down.
     */
    private void failed(final int shard, final boolean placementMoved)
    {
        final int inARow = failuresInARow.merge(shard, 1, Integer::sum);
        if (placementMoved || inARow >= 2)
        {
            forget(shard);
        }
    }

    private void forget(final int shard)
    {
        info = null;
    }

    @Override
    public void close()
    {
        channels.values().forEach(ShardChannel::close);
        channels.clear();
        client.close();
    }
}
