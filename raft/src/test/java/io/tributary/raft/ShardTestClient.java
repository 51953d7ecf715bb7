package io.tributary.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

import io.tributary.engine.AppendCondition;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.RaftSettings;
import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.raft.protocol.ShardEntryDescriptor;
import io.tributary.raft.protocol.ShardProtocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/** Raw access to one shard's group for server tests: appends, reads, per-replica reads. */
final class ShardTestClient implements AutoCloseable
{
    /**
     * Stale reads of one replica accept any commit index: a replica that has just restarted reports -1 until the
     * leader tells it the commit index, and its stored records are what the tests compare.
     */
    private static final long ANY_COMMIT_INDEX = -1;

    private final MetadataClient metadata;
    private final String stream;
    private final int shard;
    RaftGroup group;
    RaftClient client;

    ShardTestClient(final MetadataClient metadata, final String stream, final int shard) throws IOException
    {
        this.metadata = metadata;
        this.stream = stream;
        this.shard = shard;
        connect();
    }

    /** (Re)reads the shard's replicas from the metadata and makes a client for them. */
    private void connect() throws IOException
    {
        final String[] line = metadata.query("DESCRIBE", stream).split("\n")[shard + 1].split("\t");
        final Map<String, String> peers = new LinkedHashMap<>();
        for (final String peer : line[2].split(","))
        {
            peers.put(peer.substring(0, peer.indexOf('=')), peer.substring(peer.indexOf('=') + 1));
        }
        if (client != null)
        {
            client.close();
        }
        group = RaftSettings.group(RaftGroupId.valueOf(UUID.fromString(line[1])), peers);
        client = RaftSettings.newClient(group, metadata.transport(), 5_000, RaftSettings.retryPolicy(100, 200));
    }

    /**
     * An entry of one record keyed {@code key}, appended only if the key's last offset is {@code
     * expectedKeyLastOffset}.
     */
    static byte[] conditionalBatch(final String key, final long expectedKeyLastOffset, final String value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.reset();
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        builder.tryAppend(1L, keyBytes, value.getBytes(StandardCharsets.UTF_8));
        final int length = builder.build();
        final AppendCondition condition = expectedKeyLastOffset == AppendCondition.UNCHECKED
            ? null : new AppendCondition().expectKeyLastOffset(keyBytes, expectedKeyLastOffset);
        return ShardEntryDescriptor.encodeSingle(buffer, 0, length, condition, null);
    }

    static byte[] batch(final long producerId, final int sequence, final String... values)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.reset(producerId, (short)0, sequence);
        for (final String value : values)
        {
            builder.tryAppend(1L, "key".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        }
        final int length = builder.build();
        return ShardEntryDescriptor.encodeSingle(buffer, 0, length, null, null);
    }

    /** The shard's answer to a single-batch entry (its first result). */
    record AppendReply(AppendStatus status, long baseOffset, long lastOffset, long expected, long found, String message)
    {
        boolean isStored()
        {
            return status == AppendStatus.APPENDED || status == AppendStatus.DUPLICATE;
        }

        static AppendReply decode(final byte[] bytes)
        {
            final UnsafeBuffer in = new UnsafeBuffer(bytes);
            if (!ShardEntryDescriptor.isEntry(in, 0, bytes.length) || ShardEntryDescriptor.itemCount(in, 0) < 1)
            {
                throw new IllegalStateException("the shard answered " + bytes.length + " bytes without a result");
            }
            final int at = ShardEntryDescriptor.HEADER_LENGTH;
            return new AppendReply(AppendResultDescriptor.status(in, at), AppendResultDescriptor.baseOffset(in, at),
                AppendResultDescriptor.lastOffset(in, at), AppendResultDescriptor.expected(in, at),
                    AppendResultDescriptor.found(in, at),
                AppendResultDescriptor.message(in, at));
        }
    }

    CompletableFuture<AppendReply> appendAsync(final byte[] request)
    {
        return client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(request)))
            .thenApply(ShardTestClient::appendReply);
    }

    /**
     * Retries, re-reading the replicas from the metadata, while a replica does not know the group, and
     * while a leader steps down; up to 10 s.
     */
    AppendReply append(final byte[] request) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try
            {
                return appendReply(client.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(request))));
            }
            catch (final GroupMismatchException e)
            {
                // A replica still creating the group, or one the group has moved away from.
                if (System.nanoTime() > deadline)
                {
                    throw e;
                }
                LockSupport.parkNanos(100_000_000L);
                connect();
            }
            catch (final LeaderSteppingDownException
                | TransferLeadershipException
                | AlreadyClosedException e)
            {
                // A leader handing over (the controller moves leadership off a replica it removes), or, on Netty, the
                // connection to a leader that was killed with the request in flight ("Channel to n1 is inactive", CI
                // run 24): Ratis's blocking client does not retry these itself (it has already moved on to another
                // peer); a producer resends them as any failed batch, and a stored one comes back DUPLICATE.
                if (System.nanoTime() > deadline)
                {
                    throw e;
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    private static AppendReply appendReply(final RaftClientReply reply)
    {
        if (!reply.isSuccess())
        {
            throw new IllegalStateException("append failed: " + reply.getException());
        }
        return AppendReply.decode(reply.getMessage().getContent().toByteArray());
    }

    private static void requireSuccess(final RaftClientReply reply, final String peer) throws IOException
    {
        if (!reply.isSuccess())
        {
            throw new IOException("a stale read of " + peer + " failed: " + reply.getException());
        }
    }

    ShardProtocol.ShardStatus status(final String peer) throws IOException
    {
        final RaftClientReply reply = client.io().sendStaleRead(Message.valueOf(UnsafeByteOperations.unsafeWrap(
            ShardProtocol.encodeStatus())), ANY_COMMIT_INDEX, RaftPeerId.valueOf(peer));
        requireSuccess(reply, peer);
        final byte[] bytes = reply.getMessage().getContent().toByteArray();
        return ShardProtocol.decodeStatusReply(new UnsafeBuffer(bytes), bytes.length);
    }

    /** CRC32C of every stored batch byte on one replica (follower read), and the number of records. */
    long[] checksum(final String peer) throws IOException
    {
        return checksumFrom(peer, status(peer).firstOffset());
    }

    /**
     * As {@link #checksum}, from the batch holding {@code fromOffset} (replicas whose retention differs compare from
     * one offset).
     */
    long[] checksumFrom(final String peer, final long fromOffset) throws IOException
    {
        final CRC32C crc = new CRC32C();
        long next = fromOffset;
        long records = 0;
        while (true)
        {
            final RaftClientReply reply = client.io().sendStaleRead(Message.valueOf(UnsafeByteOperations.unsafeWrap(
                ShardProtocol.encodeRead(next, 1 << 20, 0, (byte)0))), ANY_COMMIT_INDEX, RaftPeerId.valueOf(peer));
            requireSuccess(reply, peer);
            final byte[] bytes = reply.getMessage().getContent().toByteArray();
            final UnsafeBuffer in = new UnsafeBuffer(bytes);
            if (in.getByte(1) != ShardProtocol.READ_OK)
            {
                throw new IOException("read from " + peer + " failed: status " + in.getByte(1));
            }
            final int length = in.getInt(4);
            if (length == 0)
            {
                return new long[] {crc.getValue(), records};
            }
            crc.update(bytes, ShardProtocol.READ_REPLY_HEADER_LENGTH, length);
            for (int at = ShardProtocol.READ_REPLY_HEADER_LENGTH; at < ShardProtocol.READ_REPLY_HEADER_LENGTH
                + length; at += in.getInt(at))
            {
                final int count = in.getInt(at + 48);
                records += count;
                next = in.getLong(at + 8) + count;
            }
        }
    }

    /**
     * The leader this client last heard from; before its first answered request, only a guess (Ratis
     * starts with the group's first peer).
     */
    String leader()
    {
        final RaftPeerId leader = client.getLeaderId();
        return leader == null ? null : leader.toString();
    }

    @Override
    public void close() throws IOException
    {
        client.close();
    }
}
