package io.tributary.raft.protocol;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Queries to a shard's state machine through Ratis (its read path: ReadIndex or the leader's
 * lease, or a stale read on one replica), version 1, little-endian: reads of stored batches
 * (a lagging replica's catch-up), the shard's status, and a replica's position. Writes are
 * Raft entries ({@link ShardEntryDescriptor}); clients use the nodes' front ends, not this.
 *
 * <pre>
 * READ request                      STATUS request         POSITION request
 *  0 int8  type = 2                  0 int8 type = 3        0 int8 type = 4
 *  1 int8  consistency
 *  2 int16 reserved
 *  4 int32 maxBytes
 *  8 int64 fromOffset
 * 16 int32 waitMs (long-poll; 0: none)
 * 20 int32 reserved
 *
 * READ reply                        STATUS reply           POSITION reply
 *  0 int8  type = 2                  0 int8  type = 3       0 int8  type = 4
 *  1 int8  read status               8 int64 firstOffset    8 int64 applied term
 *  4 int32 batches length           16 int64 nextOffset    16 int64 applied index
 *  8 int64 firstOffset              24 int64 lastRaftIndex 24 int64 next offset
 * 16 int64 nextOffset               32 int64 appliedIndex  32 int64 first offset
 * 24 int64 appliedIndex             40 int64 retainedBytes 40 int64 key horizon
 * 32 batches, or an error message   48 int32 batchCount
 *                                   52 int32 keyCount
 *                                   56 int64 keyHorizon
 *
 * BASE_STATE request                BASE_STATE reply
 *  0 int8  type = 5                  0 int8  type = 5
 *  4 int32 maxBytes (of the chunk)   1 int8  status (0 ok; 1 stale: that state is no longer held, ask anew)
 *  8 int64 applied index of the      4 int32 chunk length
 *          state (-1: a new one)     8 int64 applied term
 * 16 int64 fromByte                 16 int64 applied index
 *                                   24 int64 state length (all chunks)
 *                                   32 int64 fromByte
 *                                   40 chunk of the engine state (EngineSnapshot bytes without the offset index,
 *                                      CRC32C included), bytes fromByte .. fromByte + chunk length
 * </pre>
 */
public final class ShardProtocol
{
    public static final byte READ = 2;
    public static final byte STATUS = 3;
    /** Where a replica stands: applied term and index, then its next offset (in that order, for catch-up). */
    public static final byte POSITION = 4;
    /**
     * A replica's engine state without its offset index, and the applied position it is taken at (catch-up after
     * retention).
     */
    public static final byte BASE_STATE = 5;
    public static final int BASE_STATE_REQUEST_LENGTH = 24;
    public static final int BASE_STATE_REPLY_HEADER_LENGTH = 40;
    public static final byte BASE_STATE_OK = 0;
    public static final byte BASE_STATE_STALE = 1;

    public static final int READ_REQUEST_LENGTH = 24;
    public static final int READ_REPLY_HEADER_LENGTH = 32;
    /** A status reply before the key fields (a node of an older version answers this much). */
    public static final int STATUS_REPLY_LENGTH = 52;
    public static final int STATUS_REPLY_WITH_KEYS_LENGTH = 64;

    /** Read statuses. */
    public static final byte READ_OK = 0;
    public static final byte READ_OUT_OF_RANGE = 1;
    public static final byte READ_CORRUPT = 2;
    public static final byte READ_ERROR = 3;

    private ShardProtocol()
    {
    }

    // ---------------------------------------------------------------- requests

    public static byte[] encodeRead(final long fromOffset, final int maxBytes, final int waitMs, final byte consistency)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[READ_REQUEST_LENGTH]);
        out.putByte(0, READ);
        out.putByte(1, consistency);
        out.putInt(4, maxBytes);
        out.putLong(8, fromOffset);
        out.putInt(16, waitMs);
        return out.byteArray();
    }

    public static byte[] encodeStatus()
    {
        return new byte[] {STATUS};
    }

    public static byte[] encodePosition()
    {
        return new byte[] {POSITION};
    }

    /**
     * A replica's position: every batch up to the applied index is below nextOffset; firstOffset is
     * its first retained offset and keyHorizon its key horizon at that same applied index (both 0
     * from a node that does not report them).
     */
    public record Position(long appliedTerm, long appliedIndex, long nextOffset, long firstOffset, long keyHorizon)
    {
    }

    public static byte[] encodePositionReply(final long appliedTerm, final long appliedIndex, final long nextOffset,
        final long firstOffset, final long keyHorizon)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[48]);
        out.putByte(0, POSITION);
        out.putLong(8, appliedTerm);
        out.putLong(16, appliedIndex);
        out.putLong(24, nextOffset);
        out.putLong(32, firstOffset);
        out.putLong(40, keyHorizon);
        return out.byteArray();
    }

    public static Position decodePositionReply(final DirectBuffer in, final int length)
    {
        requireType(in, length, POSITION, 32);
        final boolean full = length >= 48;
        return new Position(in.getLong(8), in.getLong(16), in.getLong(24), full ? in.getLong(32) : 0, full
            ? in.getLong(40) : 0);
    }

    /**
     * Asks for {@code maxBytes} of a replica's base state from {@code fromByte}: of the state taken at
     * {@code appliedIndex}, or a new one when that is -1. The state of 1M keys is about 28 MiB, so it
     * travels in chunks, each well below the transports' message limits.
     */
    public static byte[] encodeBaseState(final long appliedIndex, final long fromByte, final int maxBytes)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[BASE_STATE_REQUEST_LENGTH]);
        out.putByte(0, BASE_STATE);
        out.putInt(4, maxBytes);
        out.putLong(8, appliedIndex);
        out.putLong(16, fromByte);
        return out.byteArray();
    }

    /** A chunk request: which state (-1: a new one), from which byte, at most how many. */
    public record BaseStateRequest(long appliedIndex, long fromByte, int maxBytes)
    {
    }

    public static BaseStateRequest decodeBaseStateRequest(final DirectBuffer in, final int length)
    {
        requireType(in, length, BASE_STATE, BASE_STATE_REQUEST_LENGTH);
        final BaseStateRequest request = new BaseStateRequest(in.getLong(8), in.getLong(16), in.getInt(4));
        if (request.maxBytes() <= 0 || request.fromByte() < 0 || request.appliedIndex() < -1)
        {
            throw new IllegalArgumentException("malformed base-state request: maxBytes " + request.maxBytes()
                + ", fromByte " + request.fromByte() + ", applied index " + request.appliedIndex());
        }
        return request;
    }

    /** A chunk of {@code state} (of {@code stateLength} bytes in all) from {@code fromByte}. */
    public static byte[] encodeBaseStateReply(final long appliedTerm, final long appliedIndex, final long stateLength,
        final long fromByte, final byte[] state, final int chunkOffset, final int chunkLength)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[BASE_STATE_REPLY_HEADER_LENGTH + chunkLength]);
        out.putByte(0, BASE_STATE);
        out.putByte(1, BASE_STATE_OK);
        out.putInt(4, chunkLength);
        out.putLong(8, appliedTerm);
        out.putLong(16, appliedIndex);
        out.putLong(24, stateLength);
        out.putLong(32, fromByte);
        out.putBytes(BASE_STATE_REPLY_HEADER_LENGTH, state, chunkOffset, chunkLength);
        return out.byteArray();
    }

    /** The state asked for is no longer held (taken anew, or dropped): the caller starts again with a new one. */
    public static byte[] encodeBaseStateStale(final long appliedIndex)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[BASE_STATE_REPLY_HEADER_LENGTH]);
        out.putByte(0, BASE_STATE);
        out.putByte(1, BASE_STATE_STALE);
        out.putLong(16, appliedIndex);
        return out.byteArray();
    }

    /**
     * A chunk of a replica's base state (checked by the caller once whole: it carries a CRC) taken at an
     * applied position; {@code stale} when the replica no longer holds the state asked for.
     */
    public record BaseStateChunk(boolean stale, long appliedTerm, long appliedIndex, long stateLength, long fromByte,
        DirectBuffer buffer, int chunkOffset, int chunkLength)
    {
    }

    public static BaseStateChunk decodeBaseStateReply(final DirectBuffer in, final int length)
    {
        requireType(in, length, BASE_STATE, BASE_STATE_REPLY_HEADER_LENGTH);
        final byte status = in.getByte(1);
        if (status == BASE_STATE_STALE)
        {
            return new BaseStateChunk(true, 0, in.getLong(16), -1, -1, in, BASE_STATE_REPLY_HEADER_LENGTH, 0);
        }
        final int chunkLength = in.getInt(4);
        final long stateLength = in.getLong(24);
        final long fromByte = in.getLong(32);
        if (status != BASE_STATE_OK || chunkLength < 0 || chunkLength != length - BASE_STATE_REPLY_HEADER_LENGTH
            || fromByte < 0 || stateLength < fromByte + chunkLength || stateLength > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("malformed base-state reply: status " + status + ", chunk of "
                + chunkLength + " bytes (carries " + (length - BASE_STATE_REPLY_HEADER_LENGTH) + ") from byte "
                + fromByte + " of " + stateLength);
        }
        return new BaseStateChunk(false, in.getLong(8), in.getLong(16), stateLength, fromByte, in,
            BASE_STATE_REPLY_HEADER_LENGTH, chunkLength);
    }

    // ---------------------------------------------------------------- replies

    /** Writes a read reply header in front of {@code batchesLength} bytes already at offset 32 of {@code out}. */
    public static void encodeReadReplyHeader(final UnsafeBuffer out, final byte status, final int batchesLength,
        final long firstOffset, final long nextOffset, final long appliedIndex)
    {
        out.putByte(0, READ);
        out.putByte(1, status);
        out.putInt(4, batchesLength);
        out.putLong(8, firstOffset);
        out.putLong(16, nextOffset);
        out.putLong(24, appliedIndex);
    }

    public static byte[] encodeReadError(final byte status, final String message, final long firstOffset,
        final long nextOffset)
    {
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[READ_REPLY_HEADER_LENGTH + text.length]);
        encodeReadReplyHeader(out, status, text.length, firstOffset, nextOffset, -1);
        out.putBytes(READ_REPLY_HEADER_LENGTH, text);
        return out.byteArray();
    }

    public static byte[] encodeStatusReply(final long firstOffset, final long nextOffset, final long lastRaftIndex,
        final long appliedIndex, final long retainedBytes, final int batchCount, final int keyCount,
            final long keyHorizon)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[STATUS_REPLY_WITH_KEYS_LENGTH]);
        out.putByte(0, STATUS);
        out.putLong(8, firstOffset);
        out.putLong(16, nextOffset);
        out.putLong(24, lastRaftIndex);
        out.putLong(32, appliedIndex);
        out.putLong(40, retainedBytes);
        out.putInt(48, batchCount);
        out.putInt(52, keyCount);
        out.putLong(56, keyHorizon);
        return out.byteArray();
    }

    /** A decoded status reply. */
    /** keyCount and keyHorizon are -1 from a node that does not report them. */
    public record ShardStatus(long firstOffset, long nextOffset, long lastRaftIndex, long appliedIndex,
        long retainedBytes,
        int batchCount, int keyCount, long keyHorizon)
    {
    }

    public static ShardStatus decodeStatusReply(final DirectBuffer in, final int length)
    {
        requireType(in, length, STATUS, STATUS_REPLY_LENGTH);
        final boolean keys = length >= STATUS_REPLY_WITH_KEYS_LENGTH;
        return new ShardStatus(in.getLong(8), in.getLong(16), in.getLong(24), in.getLong(32), in.getLong(40),
            in.getInt(48),
            keys ? in.getInt(52) : -1, keys ? in.getLong(56) : -1);
    }

    public static void requireType(final DirectBuffer in, final int length, final byte type, final int minLength)
    {
        if (length < minLength || in.getByte(0) != type)
        {
            throw new IllegalArgumentException("malformed reply: expected type " + type + " of at least " + minLength
                + " bytes, got " + length + " bytes of type " + (length > 0 ? in.getByte(0) : -1));
        }
    }
}
