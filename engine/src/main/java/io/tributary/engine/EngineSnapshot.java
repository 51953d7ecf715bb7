package io.tributary.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import io.tributary.format.Checksums;
import io.tributary.engine.internal.LogState;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A point-in-time copy of a shard's engine state (last offset, raft index, offset index,
 * idempotence table, key index, position in the queue), as bytes with a CRC32C. Captured under
 * the log's lock in O(state) memory copies, written to disk outside it. Immutable.
 */
public final class EngineSnapshot
{
    private final byte[] bytes;

    EngineSnapshot(final byte[] bytes)
    {
        this.bytes = bytes;
    }

    /** Verifies and wraps snapshot bytes (for instance received from a Raft leader). */
    public static EngineSnapshot fromBytes(final byte[] bytes, final String source)
    {
        final String problem = verify(bytes);
        if (problem != null)
        {
            throw new CorruptSnapshotException("snapshot " + source + " is refused: " + problem
                + ". Delete it to recover from the queue files alone, or restore another snapshot");
        }
        return new EngineSnapshot(bytes.clone());
    }

    public static EngineSnapshot read(final Path file) throws IOException
    {
        return fromBytes(Files.readAllBytes(file), file.toString());
    }

    private static String verify(final byte[] bytes)
    {
        if (bytes.length < LogState.SNAPSHOT_HEADER_LENGTH_V1 + 4)
        {
            return "it is " + bytes.length + " bytes, shorter than its header";
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (buffer.getInt(0) != LogState.SNAPSHOT_MAGIC)
        {
            return "bad magic 0x" + Integer.toHexString(buffer.getInt(0)) + ", expected 0x"
                + Integer.toHexString(LogState.SNAPSHOT_MAGIC);
        }
        final int headerLength = LogState.headerLength(buffer.getInt(4));
        if (headerLength < 0)
        {
            return "unsupported version " + buffer.getInt(4) + ", this engine reads " + LogState.SNAPSHOT_VERSION_1
                + " and " + LogState.SNAPSHOT_VERSION;
        }
        if (bytes.length < headerLength + 4)
        {
            return "it is " + bytes.length + " bytes, shorter than its version " + buffer.getInt(4) + " header";
        }
        if (buffer.getLong(8) != bytes.length)
        {
            return "length field says " + buffer.getLong(8) + " bytes but the file has " + bytes.length;
        }
        final int stored = buffer.getInt(bytes.length - 4);
        final int computed = Checksums.crc32c(buffer, 0, bytes.length - 4);
        if (stored != computed)
        {
            return "checksum mismatch: stored 0x" + Integer.toHexString(stored) + ", computed 0x"
                + Integer.toHexString(computed);
        }
        return null;
    }

    /** Writes atomically: a temporary file, fsync, rename over {@code file}, fsync of the folder. */
    public void write(final Path file) throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        final Path temporary = directory.resolve(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try
        {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException e)
        {
            throw new IOException("cannot write snapshot " + file + " atomically: the file system does not support"
                + " atomic rename in " + directory, e);
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }

    public byte[] toBytes()
    {
        return bytes.clone();
    }

    int length()
    {
        return bytes.length;
    }

    UnsafeBuffer buffer()
    {
        return new UnsafeBuffer(bytes);
    }

    private long field(final int offset)
    {
        return new UnsafeBuffer(bytes).getLong(offset);
    }

    public long firstOffset()
    {
        return field(16);
    }

    public long nextOffset()
    {
        return field(24);
    }

    public long lastOffset()
    {
        return nextOffset() - 1;
    }

    public long lastRaftIndex()
    {
        return field(32);
    }

    /** Chronicle index of the last excerpt the snapshot covers; -1 when it covers none. */
    public long lastExcerptIndex()
    {
        return field(40);
    }
}
