package io.tributary.jepsen.harness;

import io.tributary.client.internal.RatisMetadataView;
import io.tributary.client.internal.RatisShardChannel;
import io.tributary.client.internal.ShardChannel;
import io.tributary.client.internal.StreamInfo;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.raft.node.RaftSettings;
import io.tributary.raft.protocol.ShardProtocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a shard at the protocol level, one request per call, so the harness knows exactly what one
 * read saw: the records from an offset and the shard's next offset when the replica answered (the
 * consumer API hides both behind polling). Linearizable reads go to the leader (Ratis ReadIndex,
 * or its lease); follower reads go to a named replica, never behind {@code minAppliedIndex}.
 * One instance per client process; not thread-safe.
 */
final class ShardReads implements AutoCloseable
{
    /** What one read returned: records in offset order, and the shard's next offset then. */
    record Result(List<Long> offsets, List<String> keys, List<String> values, long nextOffset, long appliedIndex)
    {
        /** Whether the read got everything up to the end of the shard. */
        boolean reachedEnd(final long from)
        {
            return from + values.size() == nextOffset;
        }
    }

    private final RatisMetadataView metadata;
    private final String stream;
    private final String transport;
    private final long requestTimeoutMs;
    private final Map<Integer, ShardChannel> channels = new HashMap<>();
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private StreamInfo info;

    ShardReads(final Map<String, String> metadataPeers, final String transport, final String stream,
        final long requestTimeoutMs)
    {
        this.metadata = new RatisMetadataView(metadataPeers, transport, requestTimeoutMs);
        this.transport = transport;
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
        final byte[] request = ShardProtocol.encodeRead(from, maxBytes, 0, (byte)(replica == null ? 0 : 1));
        final ByteString reply;
        try
        {
            reply = channel(shard).query(request, replica, minAppliedIndex).get(requestTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException | TimeoutException | RuntimeException e)
        {
            forget(shard);
            throw new IOException("read of shard " + shard + " from " + from + (replica == null ? "" : " on " + replica)
                + " failed: " + (e instanceof ExecutionException ? e.getCause() : e), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return decode(shard, from, reply.toByteArray());
    }

    private Result decode(final int shard, final long from, final byte[] bytes) throws IOException
    {
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        if (bytes.length < ShardProtocol.READ_REPLY_HEADER_LENGTH || bytes[0] != ShardProtocol.READ)
        {
            throw new IOException("shard " + shard + ": a read reply of " + bytes.length + " bytes is not a read reply");
        }
        final byte status = in.getByte(1);
        final int length = in.getInt(4);
        final long nextOffset = in.getLong(16);
        if (status != ShardProtocol.READ_OK)
        {
            throw new IOException("shard " + shard + ": read from " + from + " refused (status " + status + "): "
                + in.getStringWithoutLengthUtf8(ShardProtocol.READ_REPLY_HEADER_LENGTH, Math.max(0, length)));
        }
        final List<Long> offsets = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        final int end = ShardProtocol.READ_REPLY_HEADER_LENGTH + length;
        for (int at = ShardProtocol.READ_REPLY_HEADER_LENGTH; at < end; at += batch.batchLength())
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
        return new Result(offsets, keys, values, nextOffset, in.getLong(24));
    }

    private ShardChannel channel(final int shard) throws IOException
    {
        ShardChannel channel = channels.get(shard);
        if (channel == null)
        {
            channel = new RatisShardChannel(info().shard(shard), transport, requestTimeoutMs, RaftSettings.retryPolicy(2, 100));
            channels.put(shard, channel);
        }
        return channel;
    }

    /** After a failure: close the shard's channel and describe the stream again, as replicas may have moved. */
    private void forget(final int shard)
    {
        final ShardChannel channel = channels.remove(shard);
        if (channel != null)
        {
            channel.close();
        }
        info = null;
    }

    @Override
    public void close()
    {
        channels.values().forEach(ShardChannel::close);
        channels.clear();
        try
        {
            metadata.close();
        }
        catch (final IOException e)
        {
            // Closing a client after the run: nothing is lost.
        }
    }
}
