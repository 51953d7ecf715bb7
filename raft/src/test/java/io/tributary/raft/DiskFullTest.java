package io.tributary.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Issue #14, point 5: a node whose data disk fills refuses writes with a clear, retriable error,
 * stays up, keeps serving reads, and writes again once space is freed. The node's data folder is
 * on a 160 MiB tmpfs made for the test (root only; skipped, saying so, without it). A follower's full disk, on
 * every transport: {@link DiskFullFollowerTest}.
 */
class DiskFullTest
{
    private static final int VALUE_BYTES = 200 * 1024;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aFullDiskRefusesWritesClearlyKeepsReadsAndResumesWhenSpaceIsFreed() throws Exception
    {
        final Path small = Files.createDirectories(dir.resolve("small"));
        final String cannotMount = run("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", small.toString());
        assumeTrue(cannotMount == null, () -> "skipped: no tmpfs for the test (" + cannotMount + "); it needs root");
        try
        {
            // Room the test gives back later; the shard's writes take the rest down to the reserve.
            final Path filler = small.resolve("filler");
            try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw"))
            {
                file.write(new byte[40 << 20]);
            }
            try (RunningCluster running = RunningCluster.builder(small).nodes(1)
                .config("disk.reserve.bytes", Integer.toString(64 << 20)).start();
                FrontEndProbe probe = new FrontEndProbe())
            {
                final LocalCluster cluster = running.processes();
                final MetadataClient metadata = running.metadata();
                running.createStream("full", 1, 1);
                final String[] line = metadata.query("DESCRIBE", "full").split("\n")[1].split("\t");
                final UUID group = UUID.fromString(line[1]);
                final String address = line[2].substring(line[2].indexOf('=') + 1);
                final String node = cluster.nodeIds().get(0);

                long stored = 0;
                FrontEndProbe.Result refused = null;
                for (int i = 0; i < 1000 && refused == null; i++)
                {
                    final FrontEndProbe.Result result = produceUntilDecided(probe, address, group, i);
                    if (result.status() == AppendStatus.DISK_FULL)
                    {
                        refused = result;
                    }
                    else
                    {
                        assertThat(result.status()).as("append %d: %s", i, result).isEqualTo(AppendStatus.APPENDED);
                        assertThat(result.baseOffset()).isEqualTo(stored);
                        stored++;
                    }
                }
                assertThat(refused).as("a write refused once the disk is below the reserve").isNotNull();
                assertThat(refused.status().isRetriable()).isTrue();
                assertThat(refused.message()).contains(cluster.dataDir(node).toString()).contains("bytes free")
                    .contains("disk.reserve.bytes").contains("writes resume at");
                assertThat(stored).as("writes were accepted until the reserve").isGreaterThan(10);

                // Still up, still serving everything it acknowledged.
                try (ShardTestClient shard = new ShardTestClient(metadata, "full", 0))
                {
                    assertThat(shard.checksum(node)[1]).as("records readable while the disk is full").isEqualTo(stored);
                }
                assertThat(produceUntilDecided(probe, address, group, -1).status()).as("still refused")
                    .isEqualTo(AppendStatus.DISK_FULL);

                Files.delete(filler);
                final long expectedOffset = stored;
                final FrontEndProbe.Result[] after = new FrontEndProbe.Result[1];
                LocalCluster.await("writes accepted once space is freed", 30_000, () ->
                {
                    after[0] = produce(probe, address, group, -2);
                    return after[0].status() == AppendStatus.APPENDED;
                });
                assertThat(after[0].baseOffset()).as("nothing was stored while refused").isEqualTo(expectedOffset);
            }
        }
        finally
        {
            final String cannotUnmount = run("umount", small.toString());
            if (cannotUnmount != null)
            {
                run("umount", "-l", small.toString());
            }
        }
    }

    /** Resends while the shard has no leader ready yet (NOT_LEADER, BUSY): those say nothing about the disk. */
    private static FrontEndProbe.Result produceUntilDecided(final FrontEndProbe probe, final String address,
        final UUID group,
        final int i)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final FrontEndProbe.Result result = produce(probe, address, group, i);
            if ((result.status() != AppendStatus.NOT_LEADER && result.status() != AppendStatus.BUSY)
                || System.nanoTime() > deadlineNs)
            {
                return result;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static FrontEndProbe.Result produce(final FrontEndProbe probe, final String address, final UUID group,
        final int i)
    {
        try
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[VALUE_BYTES + 4096]);
            final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
            builder.tryAppend(1L, ("k" + i).getBytes(UTF_8), new byte[VALUE_BYTES]);
            final byte[] batch = new byte[builder.build()];
            buffer.getBytes(0, batch);
            final byte[] item = FrontEndProbe.item(batch, 0, Long.MIN_VALUE, null, Long.MIN_VALUE, null);
            return probe.produce(address, List.of(new FrontEndProbe.Item(group, item))).get(0);
        }
        catch (final Exception e)
        {
            return new FrontEndProbe.Result(null, -1, -1, -1, -1, e.toString());
        }
    }

    /** Runs a command; null if it exited 0, else what it printed. */
    static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
        return process.waitFor() == 0 ? null : String.join(" ", command) + ": exit " + process.exitValue() + " "
            + output;
    }
}
