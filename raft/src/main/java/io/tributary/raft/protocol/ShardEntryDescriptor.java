package io.tributary.raft.protocol;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.tributary.engine.AppendCondition;
import io.tributary.protocol.AppendItemDescriptor;

/**
 * A shard's Raft entry: every batch the leader's front end had queued for the shard when an
 * in-flight slot freed, each an {@link AppendItemDescriptor} exactly as it arrived in a produce
 * request. The state machine's reply to it has one {@code AppendResultDescriptor} per item, in
 * order, behind the same 8-byte header. Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  | type (ENTRY=5)|  version (1)  |       itemCount (uint16)      |  0
 *  +---------------+---------------+-------------------------------+
 *  |                        flags (int32)                          |  4
 *  +---------------------------------------------------------------+
 *  |          items (AppendItemDescriptor), itemCount of them     ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags: {@link #FLAG_CHAIN_AUDIT} (the audit trail's writers: the state machine fills in each record's previous
 * hash as it applies the entry); any other bit refuses the entry's items on every replica.
 * Item {@code i} of the entry at Raft index {@code n} is stored with the replay key
 * {@link ReplayKey#of}(n, i), so a restarted replica that stored part of an entry before it was
 * killed skips exactly that part when Ratis replays the entry.
 */
public final class ShardEntryDescriptor
{
    public static final byte TYPE = 5;
    public static final byte VERSION = 1;
    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int ITEM_COUNT_OFFSET = 2;
    public static final int FLAGS_OFFSET = 4;
    /** The items' batches are audit records to chain as they are applied (AuditChainer). */
    public static final int FLAG_CHAIN_AUDIT = 1;
    public static final int FLAGS_KNOWN = FLAG_CHAIN_AUDIT;
    public static final int HEADER_LENGTH = 8;
    /** Items per entry: bounded by the replay key's ordinal bits. */
    public static final int ITEM_COUNT_MAX = ReplayKey.ORDINAL_MAX + 1;

    private ShardEntryDescriptor()
    {
    }

    public static void writeHeader(final MutableDirectBuffer buffer, final int offset, final int itemCount)
    {
        buffer.putByte(offset + TYPE_OFFSET, TYPE);
        buffer.putByte(offset + VERSION_OFFSET, VERSION);
        buffer.putShort(offset + ITEM_COUNT_OFFSET, (short)itemCount);
        buffer.putInt(offset + FLAGS_OFFSET, 0);
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FLAGS_OFFSET);
    }

    public static boolean isEntry(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH && buffer.getByte(offset + TYPE_OFFSET) == TYPE;
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_OFFSET);
    }

    public static int itemCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ITEM_COUNT_OFFSET) & 0xFFFF;
    }

    /**
     * An entry of one item (tests, tools and the catch-up path build single-batch entries this way).
     *
     * @param condition   null for none.
     * @param traceparent null for none.
     */
    public static byte[] encodeSingle(final DirectBuffer batch, final int batchOffset, final int batchLength,
        final AppendCondition condition, final String traceparent)
    {
        return encodeSingle(batch, batchOffset, batchLength, condition, traceparent, 0);
    }

    /** As {@link #encodeSingle(DirectBuffer, int, int, AppendCondition, String)}, with the entry's flags. */
    public static byte[] encodeSingle(final DirectBuffer batch, final int batchOffset, final int batchLength,
        final AppendCondition condition, final String traceparent, final int entryFlags)
    {
        final byte[] trace = traceparent == null ? new byte[0] : traceparent.getBytes(StandardCharsets.US_ASCII);
        final int keyLength = condition != null && condition.checksKey() ? condition.keyLength() : 0;
        final int itemLength = AppendItemDescriptor.itemLength(trace.length, keyLength, batchLength);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[HEADER_LENGTH + itemLength]);
        writeHeader(out, 0, 1);
        out.putInt(FLAGS_OFFSET, entryFlags);
        int flags = 0;
        long expectedShard = AppendCondition.UNCHECKED;
        long expectedKey = AppendCondition.UNCHECKED;
        if (condition != null)
        {
            if (condition.expectedShardLastOffset() != AppendCondition.UNCHECKED)
            {
                flags |= AppendItemDescriptor.FLAG_SHARD_CONDITION;
                expectedShard = condition.expectedShardLastOffset();
            }
            if (condition.checksKey())
            {
                flags |= AppendItemDescriptor.FLAG_KEY_CONDITION;
                expectedKey = condition.expectedKeyLastOffset();
            }
        }
        int at = AppendItemDescriptor.writeHeader(out, HEADER_LENGTH, flags, trace.length, keyLength, expectedShard,
            expectedKey,
            batchLength);
        out.putBytes(at, trace);
        at += trace.length;
        if (keyLength > 0)
        {
            out.putBytes(at, condition.key(), condition.keyOffset(), keyLength);
            at += keyLength;
        }
        out.putBytes(at, batch, batchOffset, batchLength);
        return out.byteArray();
    }
}
