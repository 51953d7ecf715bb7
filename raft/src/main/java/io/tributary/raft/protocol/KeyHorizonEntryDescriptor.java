package io.tributary.raft.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A shard's Raft entry that moves its key horizon: every replica drops, at this point of the
 * shard's history, the keys whose latest record lies below {@code horizon}
 * ({@code ShardLog.dropKeysBefore}). The shard's leader proposes it once its retention has
 * deleted files, with its first retained offset. Replicas delete files at their own pace; the key
 * index decides conditional appends and the key limit, so it changes only through this entry.
 * Version 1, little-endian, 16 bytes.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |type (HORIZ=6) |  version (1)  |        reserved (0)           |  0
 *  +---------------+---------------+-------------------------------+
 *  |                        reserved (0)                           |  4
 *  +---------------------------------------------------------------+
 *  |                        horizon (int64)                        |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class KeyHorizonEntryDescriptor
{
    public static final byte TYPE = 6;
    public static final byte VERSION = 1;
    public static final int HORIZON_OFFSET = 8;
    public static final int LENGTH = 16;

    private KeyHorizonEntryDescriptor()
    {
    }

    public static boolean isKeyHorizon(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= 1 && buffer.getByte(offset) == TYPE;
    }

    /** Null if the entry is well formed, else what is wrong with it. */
    public static String validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != LENGTH)
        {
            return "a key-horizon entry is " + LENGTH + " bytes, this one " + length;
        }
        if (buffer.getByte(offset + 1) != VERSION)
        {
            return "key-horizon entry version " + buffer.getByte(offset + 1) + ", this node reads " + VERSION;
        }
        final long horizon = horizon(buffer, offset);
        return horizon < 0 ? "key horizon " + horizon + " is negative" : null;
    }

    public static long horizon(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + HORIZON_OFFSET);
    }

    public static byte[] encode(final long horizon)
    {
        final byte[] bytes = new byte[LENGTH];
        final MutableDirectBuffer out = new UnsafeBuffer(bytes);
        out.putByte(0, TYPE);
        out.putByte(1, VERSION);
        out.putLong(HORIZON_OFFSET, horizon);
        return bytes;
    }
}
