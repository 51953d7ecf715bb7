package io.tributary.engine.internal;

import io.tributary.engine.internal.ProducerTable.ProducerState;
import io.tributary.format.Checksums;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The in-memory state of one shard derived from its queue: offsets, the offset index, the key
 * index and the producer table. Everything a snapshot holds. Owned by one ShardLog, which
 * guards it with its lock.
 */
public final class LogState
{
    /** Snapshot layout version 2: see {@link #encode}. Version 1 (no key horizon, a 64-byte header) is still read. */
    public static final int SNAPSHOT_MAGIC = 0x53535254; // "TRSS" little-endian
    public static final int SNAPSHOT_VERSION = 2;
    public static final int SNAPSHOT_VERSION_1 = 1;
    public static final int SNAPSHOT_HEADER_LENGTH = 72;
    public static final int SNAPSHOT_HEADER_LENGTH_V1 = 64;

    public final OffsetIndex offsetIndex = new OffsetIndex();
    public final KeyIndex keyIndex = new KeyIndex();
    public final ProducerTable producers;
    public long firstOffset;
    public long nextOffset;
    public long lastRaftIndex;
    /** Chronicle index of the last excerpt this state includes; -1 before the first. */
    public long lastExcerptIndex = -1;
    /**
     * Keys whose latest record lies below this offset have been dropped from the key index (a
     * replicated decision, applied at the same log position on every replica). 0: none dropped.
     */
    public long keyHorizon;

    public LogState(final int maxProducers)
    {
        this.producers = new ProducerTable(maxProducers);
    }

    public void clear()
    {
        offsetIndex.clear();
        keyIndex.clear();
        producers.clear();
        firstOffset = 0;
        nextOffset = 0;
        lastRaftIndex = 0;
        lastExcerptIndex = -1;
        keyHorizon = 0;
    }

    /** Header length of a snapshot of {@code version}, or -1 for a version this engine does not read. */
    public static int headerLength(final int version)
    {
        return version == SNAPSHOT_VERSION ? SNAPSHOT_HEADER_LENGTH : version == SNAPSHOT_VERSION_1
            ? SNAPSHOT_HEADER_LENGTH_V1 : -1;
    }

    public long lastOffset()
    {
        return nextOffset - 1;
    }

    /** Exact bytes {@link #encode} writes, so a snapshot is allocated once at its final size. */
    public long encodedLength()
    {
        return encodedLength(true);
    }

    /** Exact bytes {@link #encode(org.agrona.MutableDirectBuffer, boolean)} writes. */
    public long encodedLength(final boolean withBatches)
    {
        final long[] producerBytes = {0};
        producers.forEach(state -> producerBytes[0] += 12 + 16L * state.recentCount());
        return SNAPSHOT_HEADER_LENGTH + (withBatches ? 20L * offsetIndex.size() : 0) + producerBytes[0]
            + 12L * keyIndex.size() + keyIndex.keyBytes() + 4;
    }

    /**
     * Encodes the state, little-endian:
     * <pre>
     *   0 int32 magic "TRSS"   4 int32 version    8 int64 total length (CRC included)
     *  16 int64 firstOffset   24 int64 nextOffset 32 int64 lastRaftIndex 40 int64 lastExcerptIndex
     *  48 int32 batches       52 int32 producers  56 int32 keys          60 int32 reserved (0)
     *  64 int64 keyHorizon (version 2; version 1 has no such field and its batches start at 64)
     *  72 batches  x { int64 baseOffset, int64 excerptIndex, int32 batchLength }
     *     producers x { int64 id, int16 epoch, int16 n, n x { int32 baseSequence, int32 count, int64 baseOffset }
     * oldest first }
     *     keys      x { int32 length, bytes, int64 lastOffset }
     *     int32 CRC32C of every byte before it
     * </pre>
     */
    public int encode(final MutableDirectBuffer out)
    {
        return encode(out, true);
    }

    /**
     * As {@link #encode(org.agrona.MutableDirectBuffer)}; without batches (a count of 0) for a state
     * sent to another replica, whose queue files are its own: the offset index names excerpts of
     * this replica's files only.
     */
    public int encode(final MutableDirectBuffer out, final boolean withBatches)
    {
        out.putInt(0, SNAPSHOT_MAGIC);
        out.putInt(4, SNAPSHOT_VERSION);
        out.putLong(16, firstOffset);
        out.putLong(24, nextOffset);
        out.putLong(32, lastRaftIndex);
        out.putLong(40, lastExcerptIndex);
        final int batches = withBatches ? offsetIndex.size() : 0;
        out.putInt(48, batches);
        out.putInt(52, producers.size());
        out.putInt(56, keyIndex.size());
        out.putInt(60, 0);
        out.putLong(64, keyHorizon);
        int position = SNAPSHOT_HEADER_LENGTH;
        for (int i = 0; i < batches; i++)
        {
            out.putLong(position, offsetIndex.baseOffset(i));
            out.putLong(position + 8, offsetIndex.excerptIndex(i));
            out.putInt(position + 16, offsetIndex.batchLength(i));
            position += 20;
        }
        final int[] cursor = {position};
        producers.forEach(state -> cursor[0] = encodeProducer(out, cursor[0], state));
        keyIndex.forEach((key, lastOffset) ->
        {
            out.putInt(cursor[0], key.length);
            out.putBytes(cursor[0] + 4, key);
            out.putLong(cursor[0] + 4 + key.length, lastOffset);
            cursor[0] += 12 + key.length;
        });
        position = cursor[0];
        out.putLong(8, position + 4L);
        out.putInt(position, Checksums.crc32c(out, 0, position));
        return position + 4;
    }

    private static int encodeProducer(final MutableDirectBuffer out, final int at, final ProducerState state)
    {
        out.putLong(at, state.producerId());
        out.putShort(at + 8, state.epoch());
        out.putShort(at + 10, (short)state.recentCount());
        int position = at + 12;
        for (int i = state.recentCount() - 1; i >= 0; i--)
        {
            out.putInt(position, state.recentBaseSequence(i));
            out.putInt(position + 4, state.recentRecordCount(i));
            out.putLong(position + 8, state.recentBaseOffset(i));
            position += 16;
        }
        return position;
    }

    /**
     * Replaces this state with a decoded snapshot. The caller has verified magic, version,
     * length and CRC; this checks the counts against the length as it goes.
     */
    public void decode(final DirectBuffer in, final int length)
    {
        clear();
        firstOffset = in.getLong(16);
        nextOffset = in.getLong(24);
        lastRaftIndex = in.getLong(32);
        lastExcerptIndex = in.getLong(40);
        final int batches = in.getInt(48);
        final int producerCount = in.getInt(52);
        final int keys = in.getInt(56);
        final int version = in.getInt(4);
        keyHorizon = version >= SNAPSHOT_VERSION ? in.getLong(64) : 0;
        int position = headerLength(version);
        for (int i = 0; i < batches; i++)
        {
            need(position + 20, length, "batch index entry " + i);
            offsetIndex.add(in.getLong(position), in.getLong(position + 8), in.getInt(position + 16));
            position += 20;
        }
        for (int p = 0; p < producerCount; p++)
        {
            need(position + 12, length, "producer " + p);
            final ProducerState state = new ProducerState(in.getLong(position));
            final short epoch = in.getShort(position + 8);
            final int recent = in.getShort(position + 10);
            position += 12;
            need(position + 16L * recent, length, "producer " + p + " batches");
            for (int i = 0; i < recent; i++)
            {
                state.record(epoch, in.getInt(position), in.getInt(position + 4), in.getLong(position + 8));
                position += 16;
            }
            producers.restore(state);
        }
        for (int k = 0; k < keys; k++)
        {
            need(position + 4, length, "key " + k);
            final int keyLength = in.getInt(position);
            need(position + 12L + keyLength, length, "key " + k + " of " + keyLength + " bytes");
            final byte[] key = new byte[keyLength];
            in.getBytes(position + 4, key);
            keyIndex.putNew(key, in.getLong(position + 4 + keyLength));
            position += 12 + keyLength;
        }
        need(position + 4, length, "checksum");
    }

    private static void need(final long end, final int length, final String what)
    {
        if (end > length)
        {
            throw new IllegalArgumentException("snapshot is cut short: " + what + " ends at byte " + end
                + " but the snapshot is " + length + " bytes");
        }
    }
}
