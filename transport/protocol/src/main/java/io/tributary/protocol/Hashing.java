package io.tributary.protocol;

import org.agrona.DirectBuffer;

/**
 * A fast non-cryptographic 64-bit hash (FNV-1a folded through a murmur3 finaliser), fixed
 * forever: keys map to shards and shards to nodes by it, on clients and servers alike.
 */
public final class Hashing
{
    private Hashing()
    {
    }

    public static long hash64(final byte[] bytes, final int offset, final int length)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = offset; i < offset + length; i++)
        {
            h = (h ^ (bytes[i] & 0xFF)) * 0x100000001b3L;
        }
        return mix(h);
    }

    public static long hash64(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = offset; i < offset + length; i++)
        {
            h = (h ^ (buffer.getByte(i) & 0xFF)) * 0x100000001b3L;
        }
        return mix(h);
    }

    public static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
