package io.tributary.jepsen.harness;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.ExclusivePublication;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.protocol.AdminRequestDescriptor;
import io.tributary.protocol.AppendItemDescriptor;
import io.tributary.protocol.FetchRequestDescriptor;
import io.tributary.protocol.FrontEndProtocol;
import io.tributary.protocol.ProduceRequestDescriptor;
import io.tributary.protocol.aeron.AeronRuntimes;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.frame.FrameDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.transport.rpc.AeronRpcType;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends random and mutated frames of every message type to a node's Aeron streams (Raft RPC and
 * front end), straight onto the wire: what a buggy or hostile peer on the network could send
 * (issue #14, point 6). Each frame is a well-formed one, built for its type, then changed by one
 * of {@link Mutation}'s kinds. Front-end requests that would still be valid after a mutation name
 * a group no shard has, so the fuzzer never writes into the workload's streams; reads (fetches)
 * name the real groups. Ratis messages carry random bytes as their protobuf: no forged Raft
 * request can be well formed (forging appendEntries is the security issue's, #17).
 *
 * <p>Deterministic for a seed. Not thread-safe.
 */
final class FrameFuzzer implements AutoCloseable
{
    /** How a frame is spoiled. */
    enum Mutation
    {
        NONE, FLIP_HEADER, FLIP_PAYLOAD, TRUNCATE, EXTEND, LENGTH_FIELDS, BAD_FRAGMENT, BAD_VERSION, BAD_REPLY_TO,
            RANDOM
    }

    private static final int FRAME_BYTES_MAX = 8192;
    private static final long CONNECT_WAIT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final String NOWHERE = "127.0.0.1:9";

    private final EmbeddedMediaDriver driver;
    private final Map<String, ExclusivePublication> publications = new HashMap<>();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES_MAX]);
    private final Map<MessageType, Integer> sentByType = new EnumMap<>(MessageType.class);
    private final Map<Mutation, Integer> sentByMutation = new EnumMap<>(Mutation.class);
    private long framesSent;
    private long framesDropped;

    FrameFuzzer()
    {
        final AeronTransportConfig aeron = AeronTransportConfig.fromProperties(System::getProperty)
            .nodeName("fuzzer-" + ProcessHandle.current().pid());
        this.driver = AeronRuntimes.acquireForClient(aeron, false);
    }

    /**
     * Sends {@code frames} frames to {@code address} (host:port), spread over both streams and every
     * message type; {@code groups} are the real shard groups (read by fetches). Returns false if
     * the node's streams did not connect (down, partitioned).
     */
    boolean burst(final Random random, final String address, final List<UUID> groups, final int frames)
    {
        final ExclusivePublication raft = publication(address, AeronRpcType.STREAM_ID);
        final ExclusivePublication frontEnd = publication(address, FrontEndProtocol.AERON_STREAM_ID);
        if (raft == null && frontEnd == null)
        {
            return false;
        }
        final MessageType[] types = MessageType.values();
        for (int i = 0; i < frames; i++)
        {
            final MessageType type = types[random.nextInt(types.length)];
            final ExclusivePublication target = type.isRatis() ? raft : frontEnd;
            if (target == null)
            {
                continue;
            }
            final Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
            final int length = build(random, type, mutation, groups);
            final long result = target.offer(frame, 0, length);
            if (result > 0)
            {
                framesSent++;
                sentByType.merge(type, 1, Integer::sum);
                sentByMutation.merge(mutation, 1, Integer::sum);
            }
            else
            {
                framesDropped++;
            }
            if ((i & 63) == 63)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return true;
    }

    /** What was sent so far, for the history. */
    String summary()
    {
        return framesSent + " frames sent (" + framesDropped + " not taken by Aeron), by type " + sentByType
            + ", by mutation " + sentByMutation;
    }

    long framesSent()
    {
        return framesSent;
    }

    private ExclusivePublication publication(final String address, final int streamId)
    {
        final String key = address + "/" + streamId;
        ExclusivePublication publication = publications.get(key);
        if (publication == null)
        {
            publication = driver.aeron().addExclusivePublication("aeron:udp?endpoint=" + address, streamId);
            publications.put(key, publication);
        }
        final long deadlineNs = System.nanoTime() + CONNECT_WAIT_NS;
        while (!publication.isConnected() && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return publication.isConnected() ? publication : null;
    }

    /** Builds one frame of {@code type} in {@link #frame}, spoiled by {@code mutation}; returns its length. */
    private int build(final Random random, final MessageType type, final Mutation mutation, final List<UUID> groups)
    {
        final byte[] replyTo = (mutation == Mutation.BAD_REPLY_TO ? badReplyTo(random) : NOWHERE)
            .getBytes(StandardCharsets.US_ASCII);
        final byte[] body = body(random, type, groups);
        final int payloadLength = 2 + replyTo.length + body.length;
        int length = FrameDescriptor.HEADER_LENGTH + payloadLength;
        frame.setMemory(0, FRAME_BYTES_MAX, (byte)0);
        frame.putByte(FrameDescriptor.VERSION_OFFSET, FrameDescriptor.VERSION);
        frame.putByte(FrameDescriptor.TYPE_OFFSET, type.id());
        frame.putByte(FrameDescriptor.FLAGS_OFFSET, FrameDescriptor.UNFRAGMENTED);
        frame.putInt(FrameDescriptor.PAYLOAD_LENGTH_OFFSET, payloadLength, ByteOrder.LITTLE_ENDIAN);
        frame.putLong(FrameDescriptor.CORRELATION_ID_OFFSET, random.nextLong(), ByteOrder.LITTLE_ENDIAN);
        final UUID group = groups.isEmpty() || random.nextBoolean() ? new UUID(random.nextLong(), random.nextLong())
            : groups.get(random.nextInt(groups.size()));
        frame.putLong(FrameDescriptor.GROUP_ID_MSB_OFFSET, group.getMostSignificantBits(), ByteOrder.LITTLE_ENDIAN);
        frame.putLong(FrameDescriptor.GROUP_ID_LSB_OFFSET, group.getLeastSignificantBits(), ByteOrder.LITTLE_ENDIAN);
        frame.putInt(FrameDescriptor.MESSAGE_LENGTH_OFFSET, payloadLength, ByteOrder.LITTLE_ENDIAN);
        frame.putInt(FrameDescriptor.FRAGMENT_OFFSET_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
        int at = FrameDescriptor.HEADER_LENGTH;
        frame.putShort(at, (short)replyTo.length, ByteOrder.LITTLE_ENDIAN);
        frame.putBytes(at + 2, replyTo);
        frame.putBytes(at + 2 + replyTo.length, body);
        switch (mutation)
        {
            case NONE, BAD_REPLY_TO ->
            {
            }
            case FLIP_HEADER -> flip(random, 0, FrameDescriptor.HEADER_LENGTH, 1 + random.nextInt(3));
            case FLIP_PAYLOAD -> flip(random, FrameDescriptor.HEADER_LENGTH, length, 1 + random.nextInt(8));
            case TRUNCATE -> length = 1 + random.nextInt(length - 1);
            case EXTEND ->
            {
                final int extra = 1 + random.nextInt(Math.min(512, FRAME_BYTES_MAX - length));
                for (int i = 0; i < extra; i++)
                {
                    frame.putByte(length + i, (byte)random.nextInt());
                }
                length += extra;
            }
            case LENGTH_FIELDS ->
            {
                final int[] extremes = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, payloadLength + 1,
                    payloadLength - 1,
                    FrameDescriptor.MESSAGE_LENGTH_MAX, FrameDescriptor.MESSAGE_LENGTH_MAX + 1, random.nextInt()};
                final int field = random.nextBoolean() ? FrameDescriptor.PAYLOAD_LENGTH_OFFSET
                    : FrameDescriptor.MESSAGE_LENGTH_OFFSET;
                frame.putInt(field, extremes[random.nextInt(extremes.length)], ByteOrder.LITTLE_ENDIAN);
                if (random.nextBoolean())
                {
                    // The reply-to length, or a length inside the body.
                    final int inner = FrameDescriptor.HEADER_LENGTH + (random.nextBoolean() ? 0 : 2 + replyTo.length
                        + random.nextInt(Math.max(1, body.length - 3)));
                    frame.putInt(inner, extremes[random.nextInt(extremes.length)], ByteOrder.LITTLE_ENDIAN);
                }
            }
            case BAD_FRAGMENT ->
            {
                final byte[] flags = {0, FrameDescriptor.BEGIN_FLAG, FrameDescriptor.END_FLAG, (byte)0x20, (byte)0xFF};
                frame.putByte(FrameDescriptor.FLAGS_OFFSET, flags[random.nextInt(flags.length)]);
                frame.putInt(FrameDescriptor.FRAGMENT_OFFSET_OFFSET, random.nextBoolean() ? random.nextInt()
                    : payloadLength, ByteOrder.LITTLE_ENDIAN);
                frame.putInt(FrameDescriptor.MESSAGE_LENGTH_OFFSET, payloadLength * (1 + random.nextInt(4)),
                    ByteOrder.LITTLE_ENDIAN);
            }
            case BAD_VERSION -> frame.putByte(FrameDescriptor.VERSION_OFFSET, (byte)(2 + random.nextInt(250)));
            case RANDOM ->
            {
                length = 1 + random.nextInt(2048);
                for (int i = 0; i < length; i++)
                {
                    frame.putByte(i, (byte)random.nextInt());
                }
            }
            default -> throw new IllegalStateException("mutation " + mutation + " is not built");
        }
        return length;
    }

    private void flip(final Random random, final int from, final int to, final int bits)
    {
        for (int i = 0; i < bits; i++)
        {
            final int at = from + random.nextInt(Math.max(1, to - from));
            frame.putByte(at, (byte)(frame.getByte(at) ^ (1 << random.nextInt(8))));
        }
    }

    private static String badReplyTo(final Random random)
    {
        final String[] bad = {"", ":", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:9|interface=lo",
            "aeron:udp?endpoint=1.2.3.4:5",
            "127.0.0.1:9?control-mode=dynamic", "x".repeat(300), "\u0000\u0001\u0002", "[::1:9", "1.2.3.4:-1"};
        return bad[random.nextInt(bad.length)];
    }

    /**
     * A well-formed body for the front-end types (produce to no real group, fetch from any, admin on none); random
     * otherwise.
     */
    private static byte[] body(final Random random, final MessageType type, final List<UUID> groups)
    {
        switch (type)
        {
            case PRODUCE_REQUEST:
                return produce(random);
            case FETCH_REQUEST:
                return fetch(random, groups);
            case ADMIN_REQUEST:
                return AdminRequestDescriptor.encode((short)random.nextInt(8), random.nextLong(), random.nextLong(),
                    random.nextInt(10_000), random.nextBoolean() ? "" : "text-" + random.nextInt());
            default:
                final byte[] bytes = new byte[random.nextInt(512)];
                random.nextBytes(bytes);
                return bytes;
        }
    }

    private static byte[] produce(final Random random)
    {
        final UnsafeBuffer batchBuffer = new UnsafeBuffer(new byte[1024]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(batchBuffer).reset();
        final int records = 1 + random.nextInt(4);
        for (int i = 0; i < records; i++)
        {
            builder.tryAppend(random.nextLong(), ("fuzz-" + random.nextInt(100)).getBytes(StandardCharsets.UTF_8),
                ("value-" + random.nextLong()).getBytes(StandardCharsets.UTF_8));
        }
        final int batchLength = builder.build();
        final int itemLength = AppendItemDescriptor.itemLength(0, 0, batchLength);
        final int length = ProduceRequestDescriptor.HEADER_LENGTH + ProduceRequestDescriptor.ITEM_APPEND_OFFSET
            + itemLength;
        final UnsafeBuffer out = new UnsafeBuffer(new byte[length]);
        ProduceRequestDescriptor.writeHeader(out, 0, 1);
        // A group no shard has: the request exercises the whole path up to the routing, and writes nothing.
        out.putLong(ProduceRequestDescriptor.HEADER_LENGTH + ProduceRequestDescriptor.ITEM_GROUP_MSB_OFFSET,
            random.nextLong());
        out.putLong(ProduceRequestDescriptor.HEADER_LENGTH + ProduceRequestDescriptor.ITEM_GROUP_LSB_OFFSET,
            random.nextLong());
        final int item = ProduceRequestDescriptor.HEADER_LENGTH + ProduceRequestDescriptor.ITEM_APPEND_OFFSET;
        final int at = AppendItemDescriptor.writeHeader(out, item, 0, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE,
            batchLength);
        out.putBytes(at, batchBuffer, 0, batchLength);
        return out.byteArray();
    }

    private static byte[] fetch(final Random random, final List<UUID> groups)
    {
        final int items = 1 + random.nextInt(3);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[FetchRequestDescriptor.itemOffset(0, items)]);
        FetchRequestDescriptor.writeHeader(out, 0, items, random.nextInt(200));
        for (int i = 0; i < items; i++)
        {
            final UUID group = groups.isEmpty() ? new UUID(random.nextLong(), random.nextLong())
                : groups.get(random.nextInt(groups.size()));
            FetchRequestDescriptor.writeItem(out, FetchRequestDescriptor.itemOffset(0, i),
                group.getMostSignificantBits(),
                group.getLeastSignificantBits(), random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1000),
                0, random.nextInt(3) == 0 ? random.nextInt() : 1 << 16, (byte)random.nextInt(3));
        }
        return out.byteArray();
    }

    @Override
    public void close()
    {
        publications.values().forEach(ExclusivePublication::close);
        publications.clear();
        AeronRuntimes.release(driver);
    }

    /** For tests: the frame kinds seen. */
    List<String> coverage()
    {
        final List<String> seen = new ArrayList<>();
        sentByType.keySet().forEach(type -> seen.add(type.name()));
        return seen;
    }
}
