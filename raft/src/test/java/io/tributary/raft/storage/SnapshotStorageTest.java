package io.tributary.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class SnapshotStorageTest
{
    @TempDir
    Path dir;

    private RaftStorage opened;

    @AfterEach
    void close() throws Exception
    {
        if (opened != null)
        {
            opened.close();
        }
    }

    private SnapshotStorage open() throws Exception
    {
        close();
        final RaftStorage raftStorage = RaftStorage.newBuilder().setDirectory(dir.resolve("raft").toFile())
            .setOption(RaftStorage.StartupOption.RECOVER)
            .setStorageFreeSpaceMin(RaftServerConfigKeys.STORAGE_FREE_SPACE_MIN_DEFAULT).build();
        raftStorage.initialize();
        opened = raftStorage;
        final SnapshotStorage storage = new SnapshotStorage();
        storage.init(raftStorage);
        return storage;
    }

    /** A snapshot file as another process (or a copy by hand) would leave it, with its MD5 beside it. */
    private static void writeSnapshotFile(final SnapshotStorage storage, final long term, final long index)
        throws Exception
    {
        final File file = storage.getSnapshotFile(term, index);
        Files.writeString(file.toPath(), "snapshot at " + index);
        MD5FileUtil.computeAndSaveMd5ForFile(file);
    }

    @Test
    void whileNoSnapshotExistsTheFolderIsListedOnceNotOnEveryCall() throws Exception
    {
        final SnapshotStorage storage = open();
        assertThat(storage.getLatestSnapshot()).isNull();
        // Ratis's own storage would list the folder again and find this file; ours remembers there was none
        writeSnapshotFile(storage, 1, 10);
        assertThat(storage.getLatestSnapshot()).as("remembered: none on disk").isNull();
        assertThat(storage.loadLatestSnapshot().getIndex()).as("an explicit load lists the folder").isEqualTo(10);
        assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(10);
    }

    @Test
    void aSnapshotTakenAfterTheRememberedNoneIsSeenAtOnce() throws Exception
    {
        final SnapshotStorage storage = open();
        assertThat(storage.getLatestSnapshot()).isNull();
        final File file = storage.getSnapshotFile(2, 20);
        Files.writeString(file.toPath(), "snapshot at 20");
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(
            new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file)), TermIndex.valueOf(2, 20)));
        assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(20);
    }

    @Test
    void aStorageOpenedOverAnExistingSnapshotFindsIt() throws Exception
    {
        writeSnapshotFile(open(), 3, 30);
        assertThat(open().getLatestSnapshot().getIndex()).isEqualTo(30);
    }
}
