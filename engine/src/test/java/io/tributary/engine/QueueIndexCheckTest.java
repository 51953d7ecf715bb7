package io.tributary.engine;

import io.tributary.format.AppendStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged index pointer in a queue file's header is reported as corruption at open, never
 * followed: CorruptionTest once flipped the top bit of byte 6 of {@code index2Index} and Chronicle
 * mapped chunks toward it until the JVM ran out of heap.
 */
@ExtendWith(ChronicleHygiene.class)
class QueueIndexCheckTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void anIndexPointerFarPastTheFileIsReportedNotFollowed() throws IOException
    {
        final Path file = filledLog();
        final long at = index2IndexValueOffset(file);
        flip(file, at + 6, 7);   // + 2^55
        assertThatThrownBy(() -> ShardLog.open(new ShardLogConfig().directory(dir)).close())
            .isInstanceOf(CorruptLogException.class).hasMessageContaining("points its index at byte");
    }

    @Test
    @Timeout(60)
    void anIndexPointerIntoTheHeaderIsReportedNotFollowed() throws IOException
    {
        final Path file = filledLog();
        final long at = index2IndexValueOffset(file);
        flip(file, at, 7);   // 200 -> 72: inside the header
        assertThatThrownBy(() -> ShardLog.open(new ShardLogConfig().directory(dir)).close())
            .isInstanceOf(CorruptLogException.class).hasMessageContaining("points its index at byte");
    }

    @Test
    @Timeout(60)
    void anUndamagedLogOpens() throws IOException
    {
        filledLog();
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(dir)))
        {
            assertThat(log.nextOffset()).isEqualTo(100);
        }
    }

    private Path filledLog() throws IOException
    {
        final AppendResult result = new AppendResult();
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(dir)))
        {
            for (int b = 0; b < 100; b++)
            {
                final UnsafeBuffer batch = Batches.batch("key", "value" + b);
                log.append(batch, 0, batch.capacity(), 0, result);
                assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);
            }
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** Where the 8-byte value of the header's index2Index field is (after its name and its int64 type code). */
    private static long index2IndexValueOffset(final Path file) throws IOException
    {
        final byte[] head = new byte[512];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            raf.readFully(head);
        }
        final byte[] name = "index2Index".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + name.length < head.length; i++)
        {
            if (Arrays.equals(head, i, i + name.length, name, 0, name.length))
            {
                for (int j = i + name.length; j < i + name.length + 8; j++)
                {
                    if ((head[j] & 0xFF) == 0xA7)   // Chronicle binary wire: int64 follows
                    {
                        return j + 1;
                    }
                }
            }
        }
        throw new IllegalStateException("no index2Index field in the header of " + file);
    }

    private static void flip(final Path file, final long position, final int bit) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int original = raf.read();
            raf.seek(position);
            raf.write(original ^ (1 << bit));
        }
    }
}
