package io.tributary.raft.protocol;

import java.nio.charset.StandardCharsets;

import io.tributary.engine.AppendCondition;
import io.tributary.engine.AppendResult;
import io.tributary.format.AppendStatus;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Messages to and from a shard's Raft group, version 1, little-endian. One descriptor for the
 * requests and replies; the client encodes requests and decodes replies, the state machine the
 * other way round.
 *
 * <pre>
 * APPEND request                           READ request                     STATUS request
 *  0 int8  type = 1                         0 int8  type = 2                 0 int8 type = 3
 *  1 int8  flags: 1 shard cond, 2 key cond  1 int8  consistency
 *  2 int16 traceparent length (0: none)     2 int16 reserved
 *  4 int32 condition key length             4 int32 maxBytes
 *  8 int64 expected shard last offset       8 int64 fromOffset
 * 16 int64 expected key last offset        16 int32 waitMs (long-poll; 0: none)
 * 24 traceparent, key, record batch (rest) 20 int32 reserved
 *
 * APPEND reply                             READ reply                       STATUS reply
 *  0 int8  type = 1                         0 int8  type = 2                 0 int8  type = 3
 *  1 int8  AppendStatus ordinal             1 int8  read status              8 int64 firstOffset
 *  4 int32 message length                   4 int32 batches length          16 int64 nextOffset
 *  8 int64 baseOffset                       8 int64 firstOffset             24 int64 lastRaftIndex
 * 16 int64 lastOffset                      16 int64 nextOffset              32 int64 appliedIndex
 * 24 int64 expected                        24 int64 appliedIndex            40 int64 retainedBytes
 * 32 int64 found                           32 batches, or an error message  48 int32 batchCount
 * 40 message (UTF-8)
 * </pre>
 */
public final class ShardProtocol
{
    public static final byte APPEND = 1;
    public static final byte READ = 2;
    public static final byte STATUS = 3;
    /** Where a replica stands: applied term and index, then its next offset (in that order, for catch-up). */
    public static final byte POSITION = 4;

    public static final int FLAG_SHARD_CONDITION = 1;
    public static final int FLAG_KEY_CONDITION = 2;

    public static final int APPEND_HEADER_LENGTH = 24;
    public static final int READ_REQUEST_LENGTH = 24;
    public static final int APPEND_REPLY_HEADER_LENGTH = 40;
    public static final int READ_REPLY_HEADER_LENGTH = 32;
    public static final int STATUS_REPLY_LENGTH = 52;

    /** Read statuses. */
    public static final byte READ_OK = 0;
    public static final byte READ_OUT_OF_RANGE = 1;
    public static final byte READ_CORRUPT = 2;
    public static final byte READ_ERROR = 3;

    private ShardProtocol()
    {
    }

    // ---------------------------------------------------------------- requests

    /** Encodes an append; {@code condition} and {@code traceparent} may be null. */
    public static byte[] encodeAppend(final DirectBuffer batch, final int offset, final int length,
        final AppendCondition condition, final String traceparent)
    {
        final byte[] trace = traceparent == null ? new byte[0] : traceparent.getBytes(StandardCharsets.US_ASCII);
        final int keyLength = condition != null && condition.checksKey() ? condition.keyLength() : 0;
        final byte[] bytes = new byte[APPEND_HEADER_LENGTH + trace.length + keyLength + length];
        final UnsafeBuffer out = new UnsafeBuffer(bytes);
        int flags = 0;
        long expectedShard = AppendCondition.UNCHECKED;
        long expectedKey = AppendCondition.UNCHECKED;
        if (condition != null)
        {
            if (condition.expectedShardLastOffset() != AppendCondition.UNCHECKED)
            {
                flags |= FLAG_SHARD_CONDITION;
                expectedShard = condition.expectedShardLastOffset();
            }
            if (condition.checksKey())
            {
                flags |= FLAG_KEY_CONDITION;
                expectedKey = condition.expectedKeyLastOffset();
                out.putBytes(APPEND_HEADER_LENGTH + trace.length, condition.key(), condition.keyOffset(), keyLength);
            }
        }
        out.putByte(0, APPEND);
        out.putByte(1, (byte)flags);
        out.putShort(2, (short)trace.length);
        out.putInt(4, keyLength);
        out.putLong(8, expectedShard);
        out.putLong(16, expectedKey);
        out.putBytes(APPEND_HEADER_LENGTH, trace);
        out.putBytes(APPEND_HEADER_LENGTH + trace.length + keyLength, batch, offset, length);
        return bytes;
    }

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

    /** A replica's position: every batch up to the applied index is below nextOffset. */
    public record Position(long appliedTerm, long appliedIndex, long nextOffset)
    {
    }

    public static byte[] encodePositionReply(final long appliedTerm, final long appliedIndex, final long nextOffset)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[32]);
        out.putByte(0, POSITION);
        out.putLong(8, appliedTerm);
        out.putLong(16, appliedIndex);
        out.putLong(24, nextOffset);
        return out.byteArray();
    }

    public static Position decodePositionReply(final DirectBuffer in, final int length)
    {
        requireType(in, length, POSITION, 32);
        return new Position(in.getLong(8), in.getLong(16), in.getLong(24));
    }

    /** Reads an append request into a condition; returns the batch's offset in {@code in}, or a negative error. */
    public static int decodeAppend(final DirectBuffer in, final int length, final AppendCondition condition)
    {
        if (length < APPEND_HEADER_LENGTH)
        {
            return -1;
        }
        final int flags = in.getByte(1);
        final int traceLength = in.getShort(2) & 0xFFFF;
        final int keyLength = in.getInt(4);
        if (keyLength < 0 || APPEND_HEADER_LENGTH + (long)traceLength + keyLength > length)
        {
            return -1;
        }
        condition.clear();
        if ((flags & FLAG_SHARD_CONDITION) != 0)
        {
            condition.expectShardLastOffset(in.getLong(8));
        }
        if ((flags & FLAG_KEY_CONDITION) != 0)
        {
            condition.expectKeyLastOffset(in, APPEND_HEADER_LENGTH + traceLength, keyLength, in.getLong(16));
        }
        return APPEND_HEADER_LENGTH + traceLength + keyLength;
    }

    public static String traceparent(final DirectBuffer in)
    {
        final int traceLength = in.getShort(2) & 0xFFFF;
        return traceLength == 0 ? null : in.getStringWithoutLengthAscii(APPEND_HEADER_LENGTH, traceLength);
    }

    // ---------------------------------------------------------------- replies

    public static byte[] encodeAppendReply(final AppendResult result)
    {
        final byte[] message = result.message() == null ? new byte[0] : result.message().getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[APPEND_REPLY_HEADER_LENGTH + message.length]);
        out.putByte(0, APPEND);
        out.putByte(1, (byte)result.status().ordinal());
        out.putInt(4, message.length);
        out.putLong(8, result.baseOffset());
        out.putLong(16, result.lastOffset());
        out.putLong(24, result.expected());
        out.putLong(32, result.found());
        out.putBytes(APPEND_REPLY_HEADER_LENGTH, message);
        return out.byteArray();
    }

    /** A decoded append reply (client side). */
    public record AppendReply(AppendStatus status, long baseOffset, long lastOffset, long expected, long found, String message)
    {
        public boolean isStored()
        {
            return status == AppendStatus.APPENDED || status == AppendStatus.DUPLICATE;
        }
    }

    public static AppendReply decodeAppendReply(final DirectBuffer in, final int length)
    {
        requireType(in, length, APPEND, APPEND_REPLY_HEADER_LENGTH);
        final int status = in.getByte(1);
        if (status < 0 || status >= AppendStatus.values().length)
        {
            throw new IllegalArgumentException("append reply has unknown status " + status);
        }
        final int messageLength = in.getInt(4);
        final String message = messageLength == 0 ? null : in.getStringWithoutLengthUtf8(APPEND_REPLY_HEADER_LENGTH, messageLength);
        return new AppendReply(AppendStatus.values()[status], in.getLong(8), in.getLong(16), in.getLong(24), in.getLong(32), message);
    }

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

    public static byte[] encodeReadError(final byte status, final String message, final long firstOffset, final long nextOffset)
    {
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[READ_REPLY_HEADER_LENGTH + text.length]);
        encodeReadReplyHeader(out, status, text.length, firstOffset, nextOffset, -1);
        out.putBytes(READ_REPLY_HEADER_LENGTH, text);
        return out.byteArray();
    }

    public static byte[] encodeStatusReply(final long firstOffset, final long nextOffset, final long lastRaftIndex,
        final long appliedIndex, final long retainedBytes, final int batchCount)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[STATUS_REPLY_LENGTH]);
        out.putByte(0, STATUS);
        out.putLong(8, firstOffset);
        out.putLong(16, nextOffset);
        out.putLong(24, lastRaftIndex);
        out.putLong(32, appliedIndex);
        out.putLong(40, retainedBytes);
        out.putInt(48, batchCount);
        return out.byteArray();
    }

    /** A decoded status reply. */
    public record ShardStatus(long firstOffset, long nextOffset, long lastRaftIndex, long appliedIndex, long retainedBytes,
        int batchCount)
    {
    }

    public static ShardStatus decodeStatusReply(final DirectBuffer in, final int length)
    {
        requireType(in, length, STATUS, STATUS_REPLY_LENGTH);
        return new ShardStatus(in.getLong(8), in.getLong(16), in.getLong(24), in.getLong(32), in.getLong(40), in.getInt(48));
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
