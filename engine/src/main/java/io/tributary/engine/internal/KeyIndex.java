package io.tributary.engine.internal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The last offset of every key in a shard: open addressing with linear probing. A key is
 * copied once, when first seen; looking one up or updating its offset allocates nothing.
 *
 * <p>Cost: the key bytes plus about 60 bytes per key (array header, reference, hash, offset,
 * load factor 0.5). Lookup is O(1) expected plus one comparison of the key bytes.
 */
public final class KeyIndex
{
    private static final long NO_OFFSET = -1L;

    private byte[][] keys = new byte[64][];
    private int[] hashes = new int[64];
    private long[] offsets = new long[64];
    private int size;
    private long keyBytes;

    public int size()
    {
        return size;
    }

    /** Bytes of all keys together. */
    public long keyBytes()
    {
        return keyBytes;
    }

    public void clear()
    {
        keys = new byte[64][];
        hashes = new int[64];
        offsets = new long[64];
        size = 0;
        keyBytes = 0;
    }

    /** Last offset of the key, or -1 when the shard has no record with it. */
    public long get(final DirectBuffer buffer, final int offset, final int length)
    {
        final int slot = findSlot(buffer, offset, length, hash(buffer, offset, length));
        return keys[slot] == null ? NO_OFFSET : offsets[slot];
    }

    public boolean contains(final DirectBuffer buffer, final int offset, final int length)
    {
        return keys[findSlot(buffer, offset, length, hash(buffer, offset, length))] != null;
    }

    public void put(final DirectBuffer buffer, final int offset, final int length, final long recordOffset)
    {
        final int hash = hash(buffer, offset, length);
        final int slot = findSlot(buffer, offset, length, hash);
        if (keys[slot] != null)
        {
            offsets[slot] = recordOffset;
            return;
        }
        final byte[] key = new byte[length];
        buffer.getBytes(offset, key);
        insert(key, hash, recordOffset, slot);
    }

    /** Adds a key known to be absent (snapshot restore). */
    public void putNew(final byte[] key, final long recordOffset)
    {
        final UnsafeBuffer view = new UnsafeBuffer(key);
        final int hash = hash(view, 0, key.length);
        insert(key, hash, recordOffset, findSlot(view, 0, key.length, hash));
    }

    private void insert(final byte[] key, final int hash, final long recordOffset, final int slot)
    {
        keys[slot] = key;
        hashes[slot] = hash;
        offsets[slot] = recordOffset;
        size++;
        keyBytes += key.length;
        if (size * 2 > keys.length)
        {
            resize();
        }
    }

    private int findSlot(final DirectBuffer buffer, final int offset, final int length, final int hash)
    {
        final int mask = keys.length - 1;
        int slot = hash & mask;
        while (true)
        {
            final byte[] key = keys[slot];
            if (key == null || (hashes[slot] == hash && equal(key, buffer, offset, length)))
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static boolean equal(final byte[] key, final DirectBuffer buffer, final int offset, final int length)
    {
        if (key.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (key[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Drops every key whose last offset is below {@code horizon} and returns how many it dropped.
     * Rebuilds the table at the size the survivors need, so the memory of dropped keys is freed
     * too. O(capacity): meant for a rare event (retention), never per record.
     */
    public int removeBelow(final long horizon)
    {
        int survivors = 0;
        for (int i = 0; i < keys.length; i++)
        {
            if (keys[i] != null && offsets[i] >= horizon)
            {
                survivors++;
            }
        }
        final int dropped = size - survivors;
        if (dropped == 0)
        {
            return 0;
        }
        int capacity = 64;
        while (survivors * 2 > capacity)
        {
            capacity <<= 1;
        }
        rehash(capacity, horizon);
        return dropped;
    }

    private void resize()
    {
        rehash(keys.length * 2, Long.MIN_VALUE);
    }

    /** Moves every key whose last offset is at least {@code horizon} into new arrays of {@code capacity} slots. */
    private void rehash(final int capacity, final long horizon)
    {
        final byte[][] oldKeys = keys;
        final int[] oldHashes = hashes;
        final long[] oldOffsets = offsets;
        keys = new byte[capacity][];
        hashes = new int[capacity];
        offsets = new long[capacity];
        size = 0;
        keyBytes = 0;
        final int mask = capacity - 1;
        for (int i = 0; i < oldKeys.length; i++)
        {
            if (oldKeys[i] != null && oldOffsets[i] >= horizon)
            {
                int slot = oldHashes[i] & mask;
                while (keys[slot] != null)
                {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                hashes[slot] = oldHashes[i];
                offsets[slot] = oldOffsets[i];
                size++;
                keyBytes += oldKeys[i].length;
            }
        }
    }

    /** Visits every key; for snapshots. */
    public void forEach(final Visitor visitor)
    {
        for (int i = 0; i < keys.length; i++)
        {
            if (keys[i] != null)
            {
                visitor.visit(keys[i], offsets[i]);
            }
        }
    }

    /** Receives each key and its last offset. */
    @FunctionalInterface
    public interface Visitor
    {
        void visit(byte[] key, long lastOffset);
    }

    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int h = 0x9E3779B9 ^ length;
        int i = 0;
        for (; i + 4 <= length; i += 4)
        {
            h = (h ^ buffer.getInt(offset + i)) * 0x5BD1E995;
            h ^= h >>> 15;
        }
        for (; i < length; i++)
        {
            h = (h ^ buffer.getByte(offset + i)) * 0x5BD1E995;
        }
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }
}
