package io.tributary.raft.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.tributary.engine.AppendResult;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.raft.storage.DurableFiles;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14, point 1: Ratis purges its log up to a snapshot as soon as the state machine returns
 * it, and the engine writes its queue files through mapped memory without waiting for them, so a
 * snapshot may exist only once every batch it covers is on the disk. Recorded with a forcer that
 * notes each call and whether the snapshot file existed at that moment.
 */
class DurableSnapshotTest
{
    @TempDir
    Path dir;

    private record Force(Path path, boolean snapshotExisted)
    {
    }

    @Test
    void everyQueueFileItsFolderAndTheTableStoreAreForcedBeforeTheSnapshotExists() throws Exception
    {
        final Path queue = dir.resolve("queue");
        final File snapshotFile = dir.resolve("sm").resolve("snapshot.1_20").toFile();
        Files.createDirectories(snapshotFile.toPath().getParent());
        final List<Force> forces = new ArrayList<>();
        final ShardLog.FileForcer recording = path ->
        {
            forces.add(new Force(path, snapshotFile.exists()));
            ShardLog.FDATASYNC.force(path);
        };
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(queue)))
        {
            append(log, 20);
            DurableSnapshot.write(log, queue, snapshotFile, recording);
            final List<Path> queueFiles;
            try (Stream<Path> files = Files.list(queue))
            {
                queueFiles = files.filter(f -> f.getFileName().toString().endsWith(".cq4")).toList();
            }
            assertThat(queueFiles).isNotEmpty();
            final List<Path> forcedBefore = forces.stream().filter(f -> !f.snapshotExisted()).map(Force::path).toList();
            assertThat(forcedBefore).as("forced before the snapshot was written: %s", forces)
                .containsAll(queueFiles).contains(queue, queue.resolve(DurableSnapshot.TABLE_STORE));
            assertThat(snapshotFile).exists();

            // A new batch after the snapshot: the next snapshot forces it again before it exists.
            forces.clear();
            append(log, 1);
            final File next = dir.resolve("sm").resolve("snapshot.1_21").toFile();
            DurableSnapshot.write(log, queue, next, path ->
            {
                forces.add(new Force(path, next.exists()));
                ShardLog.FDATASYNC.force(path);
            });
            assertThat(forces.stream().filter(f -> f.path().getFileName().toString().endsWith(".cq4")).toList())
                .as("the queue file holding the new batch").isNotEmpty().allMatch(f -> !f.snapshotExisted());
        }
    }

    @Test
    void aForceThatFailsLeavesNoSnapshotSoRatisPurgesNothing() throws Exception
    {
        final Path queue = dir.resolve("queue");
        final File snapshotFile = dir.resolve("snapshot.1_5").toFile();
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(queue)))
        {
            append(log, 5);
            assertThatThrownBy(() -> DurableSnapshot.write(log, queue, snapshotFile, path ->
            {
                throw new IOException("injected: the disk failed forcing " + path);
            })).isInstanceOf(IOException.class).hasMessageContaining("injected");
            assertThat(snapshotFile).doesNotExist();
        }
    }

    @Test
    void anAtomicWriteForcesTheFileBeforeTheRenameAndTheFolderAfterAndSoDoesItsChecksum() throws Exception
    {
        final Path target = dir.resolve("metadata.snapshot");
        final List<String> events = new ArrayList<>();
        final ShardLog.FileForcer recording = path ->
        {
            events.add(dir.relativize(path.toAbsolutePath())
                + (Files.exists(target) ? " (target present)" : " (target absent)"));
            ShardLog.FDATASYNC.force(path);
        };
        DurableFiles.writeAtomically(target, "nodes\tn1".getBytes(StandardCharsets.UTF_8), recording);
        DurableFiles.saveChecksum(target.toFile(), recording);
        assertThat(Files.readString(target)).isEqualTo("nodes\tn1");
        assertThat(events).containsExactly("metadata.snapshot.tmp (target absent)", " (target present)",
            "metadata.snapshot.md5 (target present)", " (target present)");
    }

    private static void append(final ShardLog log, final int batches)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final AppendResult result = new AppendResult();
        for (int b = 0; b < batches; b++)
        {
            final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
            assertThat(builder.tryAppend(1L, ("k" + b).getBytes(StandardCharsets.UTF_8), ("v" + b)
                .getBytes(StandardCharsets.UTF_8)))
                .isTrue();
            final int length = builder.build();
            assertThat(log.append(buffer, 0, length, log.lastRaftIndex() + 1, result).status())
                .isEqualTo(AppendStatus.APPENDED);
        }
    }
}
