package io.tributary.raft.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Raft log's durable pages leave the page cache; the pages an open segment is still being written
 * at stay. Residency is read with mincore(2) over a shared read-only mapping of each file.
 */
@EnabledOnOs(OS.LINUX)
class RaftLogPageCacheTest
{
    private static final int MIB = 1 << 20;
    private static final long KEEP_BYTES = 9L * MIB;

    /** mmap, mincore and munmap from libc, to see which pages of a file are cached. */
    public interface Residency
    {
        int open(String path, int flags);

        int close(int fd);

        Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset);

        int munmap(Pointer address, long length);

        int mincore(Pointer address, long length, @Out byte[] residentPerPage);
    }

    private static final Residency LIBC = LibraryLoader.create(Residency.class).load("c");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void durablePagesLeaveTheCacheAndAnOpenSegmentsTailStays(@TempDir final Path dir) throws IOException
    {
        final Path raft = dir.resolve("raft");
        final Path current = Files.createDirectories(raft.resolve("7c1d0bde-0000-4000-8000-000000000001")
            .resolve("current"));
        final Path closed = writeSynced(current.resolve("log_0-1023"), 8 * MIB);
        final Path open = writeSynced(current.resolve("log_inprogress_1024"), 20 * MIB);
        final Path notALog = writeSynced(current.resolve("raft-meta"), MIB);
        assertThat(residentBytes(closed)).as("pages of %s cached after writing it", closed).isEqualTo(8L * MIB);
        assertThat(residentBytes(open)).isEqualTo(20L * MIB);

        final RaftLogPageCache pageCache = RaftLogPageCache.create(raft, KEEP_BYTES);
        assertThat(pageCache).as("libc reachable on Linux").isNotNull();
        pageCache.sweep();

        assertThat(residentBytes(closed)).as("cached bytes of the closed segment %s", closed).isZero();
        // The open segment keeps its last KEEP_BYTES (rounded up to a page), where Ratis still writes.
        assertThat(residentBytes(open)).as("cached bytes of the open segment %s", open).isEqualTo(KEEP_BYTES);
        assertThat(residentBytes(notALog)).as("a file that is no segment is left alone").isEqualTo(MIB);
        assertThat(pageCache.bytesDropped()).isEqualTo(8L * MIB + 20L * MIB - KEEP_BYTES);

        // The segment grows: the next pass drops only what moved below the kept tail, and a closed segment once.
        append(open, 4 * MIB);
        pageCache.sweep();
        assertThat(residentBytes(open)).isEqualTo(KEEP_BYTES);
        assertThat(pageCache.bytesDropped()).isEqualTo(8L * MIB + 24L * MIB - KEEP_BYTES);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMissingOrEmptyLogFolderIsNoError(@TempDir final Path dir) throws IOException
    {
        final RaftLogPageCache missing = RaftLogPageCache.create(dir.resolve("absent"), KEEP_BYTES);
        missing.sweep();
        assertThat(missing.bytesDropped()).isZero();

        Files.createDirectories(dir.resolve("raft").resolve("group-without-current"));
        final RaftLogPageCache empty = RaftLogPageCache.create(dir.resolve("raft"), KEEP_BYTES);
        empty.sweep();
        assertThat(empty.bytesDropped()).isZero();
    }

    private static Path writeSynced(final Path file, final int bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            writeFully(channel, bytes);
            channel.force(false);
        }
        return file;
    }

    private static void append(final Path file, final int bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.APPEND))
        {
            writeFully(channel, bytes);
            channel.force(false);
        }
    }

    private static void writeFully(final FileChannel channel, final int bytes) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(MIB);
        for (int i = 0; i < chunk.capacity(); i++)
        {
            chunk.put(i, (byte)(i * 31 + 7));
        }
        for (int written = 0; written < bytes; written += MIB)
        {
            chunk.clear();
            while (chunk.hasRemaining())
            {
                channel.write(chunk);
            }
        }
    }

    private static long residentBytes(final Path file) throws IOException
    {
        final long length = Files.size(file);
        final int fd = LIBC.open(file.toString(), 0);
        assertThat(fd).as("open %s", file).isNotNegative();
        try
        {
            final Pointer mapping = LIBC.mmap(null, length, 1 /* PROT_READ */, 1 /* MAP_SHARED */, fd, 0);
            assertThat(mapping.address()).as("mmap %s", file).isNotEqualTo(-1L);
            try
            {
                final byte[] resident = new byte[(int)((length + 4095) / 4096)];
                assertThat(LIBC.mincore(mapping, length, resident)).as("mincore %s", file).isZero();
                long bytes = 0;
                for (final byte page : resident)
                {
                    bytes += (page & 1) * 4096L;
                }
                return bytes;
            }
            finally
            {
                LIBC.munmap(mapping, length);
            }
        }
        finally
        {
            LIBC.close(fd);
        }
    }
}
