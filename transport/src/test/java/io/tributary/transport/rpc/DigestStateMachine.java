package io.tributary.transport.rpc;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;

/**
 * A test state machine: echoes each write and folds it into a running digest (count and a
 * chained CRC), so servers that applied the same entries in the same order have the same digest,
 * and a sum of the CRCs, the same for the same writes in any order.
 * Snapshots write the digest to a file. In notification mode it "fetches" the missing state
 * itself: {@link #notifyInstallSnapshotFromLeader} copies the snapshot file of the state machine
 * given by {@code leaderSource} (the leader, in the same JVM) and returns that snapshot's
 * term-index, and records that it was called.
 */
final class DigestStateMachine extends BaseStateMachine
{
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Supplier<DigestStateMachine> leaderSource;
    final AtomicInteger installNotifications = new AtomicInteger();
    final AtomicReference<TermIndex> installedFromLeader = new AtomicReference<>();
    private long count;
    private long digest;
    private long sum;

    DigestStateMachine(final Supplier<DigestStateMachine> leaderSource)
    {
        this.leaderSource = leaderSource;
    }

    @Override
    public void initialize(final RaftServer server, final RaftGroupId groupId, final RaftStorage raftStorage)
        throws IOException
    {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()));
    }

    /**
     * Ratis reloads a paused state machine after the install (StateMachineUpdater asserts PAUSED), as ShardStateMachine
     * does.
     */
    @Override
    public void pause()
    {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    @Override
    public void reinitialize() throws IOException
    {
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED)
        {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private synchronized void load(final SingleFileSnapshotInfo snapshot) throws IOException
    {
        if (snapshot == null)
        {
            return;
        }
        final String[] fields = Files.readString(snapshot.getFile().getPath(), StandardCharsets.US_ASCII).trim()
            .split(" ");
        count = Long.parseLong(fields[0]);
        digest = Long.parseLong(fields[1]);
        sum = Long.parseLong(fields[2]);
        updateLastAppliedTermIndex(snapshot.getTermIndex());
    }

    @Override
    public StateMachineStorage getStateMachineStorage()
    {
        return storage;
    }

    @Override
    public SingleFileSnapshotInfo getLatestSnapshot()
    {
        return storage.getLatestSnapshot();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(final TransactionContext trx)
    {
        final LogEntryProto entry = trx.getLogEntry();
        final ByteString data = entry.getStateMachineLogEntry().getLogData();
        synchronized (this)
        {
            final CRC32C crc = new CRC32C();
            crc.update(data.asReadOnlyByteBuffer());
            digest = Long.rotateLeft(digest, 17) ^ crc.getValue();
            sum += crc.getValue();
            count++;
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        return CompletableFuture.completedFuture(Message.valueOf(data));
    }

    @Override
    public synchronized long takeSnapshot() throws IOException
    {
        final TermIndex last = getLastAppliedTermIndex();
        final File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        final File tmp = new File(file.getPath() + ".tmp");
        Files.writeString(tmp.toPath(), count + " " + digest + " " + sum + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), null), last));
        return last.getIndex();
    }

    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(final RoleInfoProto roleInfo,
        final TermIndex firstTermIndexInLog)
    {
        installNotifications.incrementAndGet();
        return CompletableFuture.supplyAsync(() ->
        {
            final SingleFileSnapshotInfo leaderSnapshot = leaderSource.get().getLatestSnapshot();
            if (leaderSnapshot == null)
            {
                throw new IllegalStateException("leader has no snapshot to fetch (first entry in its log "
                    + firstTermIndexInLog + ")");
            }
            final TermIndex termIndex = leaderSnapshot.getTermIndex();
            try
            {
                final File target = storage.getSnapshotFile(termIndex.getTerm(), termIndex.getIndex());
                Files.copy(leaderSnapshot.getFile().getPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
                storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), null),
                    termIndex));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            installedFromLeader.set(termIndex);
            return termIndex;
        });
    }

    synchronized long count()
    {
        return count;
    }

    synchronized long digest()
    {
        return digest;
    }

    /** Order-independent: the same writes, each once, in any order. */
    synchronized long sum()
    {
        return sum;
    }
}
