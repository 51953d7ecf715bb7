package io.tributary.raft.shard;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import io.tributary.engine.AppendCondition;
import io.tributary.engine.AppendResult;
import io.tributary.engine.RetentionResult;
import io.tributary.engine.WriteBehind;
import io.tributary.format.AppendStatus;
import io.tributary.engine.EngineSnapshot;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;
import io.tributary.protocol.AppendItemDescriptor;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.raft.protocol.KeyHorizonEntryDescriptor;
import io.tributary.raft.protocol.RatisMessages;
import io.tributary.raft.protocol.ReplayKey;
import io.tributary.raft.protocol.ShardEntryDescriptor;
import io.tributary.raft.protocol.ShardProtocol;
import io.tributary.raft.storage.DiskReserve;
import io.tributary.raft.storage.DurableFiles;
import io.tributary.raft.storage.SnapshotStorage;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard: a Raft group whose committed entries are record batches appended to a
 * {@link ShardLog}. Deterministic: {@code applyTransaction} reads only the entry and the log.
 * Replay after a restart is idempotent: an entry whose Raft index the log already holds is
 * skipped. Snapshots are the engine's state; the Chronicle files are the data.
 */
public final class ShardStateMachine extends BaseStateMachine
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardStateMachine.class);
    private static final Message EMPTY_REPLY = Message.valueOf(ByteString.EMPTY);

    private final ShardLogConfig logConfig;
    private volatile WriteBehind writeBehind;
    private volatile DiskReserve diskReserve;
    private final ShardTracing tracing;
    private final SnapshotStorage storage = new SnapshotStorage();
    private final AppendResult result = new AppendResult();
    private final AppendCondition condition = new AppendCondition();
    private final AuditChainer auditChainer = new AuditChainer();
    private final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);
    private final ExpandableArrayBuffer replyBuffer = new ExpandableArrayBuffer(1024);
    private int replyLength;
    private volatile Runnable applyListener;
    private long faultSkippingIndex = -1;
    /** Test-only fault switch (NodeConfig.faultHaltMidEntry): never on in production. */
    private volatile boolean haltMidEntry;
    /** Set when the node restarts this division from its storage: a removal then closes the log and keeps its files. */
    private volatile boolean keepFilesOnRemove;
    private final ShardReads reads;
    private final BaseStateServer baseStates;
    private volatile ShardLog log;
    private volatile long retentionBytes = -1;
    private volatile long retentionMs = -1;
    /** Next offset at the latest snapshot: retention never deletes at or past it (replay needs it). */
    private volatile long snapshotNextOffset;
    // Held while an entry is applied and its index recorded: a position or base state read under it is one point of
    // history.
    private final Object applyLock = new Object();
    /** Set at {@link #initialize}, when the member and group ids are known. */
    private volatile ShardLogStore store;
    private volatile KeyHorizonProposer keyHorizon;
    private final Function<RaftGroup, RaftClient> clientFactory;
    private final Executor catchUpExecutor;
    /** Test-only fault switch (NodeConfig.faultReplayOffByOne): never on in production. */
    private final boolean faultReplayOffByOne;
    /** Under the fault: set when a non-empty log opens, cleared by the first entry past its last Raft index. */
    private boolean offByOneArmed;

    /**
     * @param logConfig where and how this shard's log is stored (its directory is this group's own).
     * @param timer     expires long-polls; shared by the node.
     * @param clientFactory makes a client of this shard's group, to catch up from the leader.
     * @param catchUpExecutor runs catch-ups off Ratis's threads.
     */
    public ShardStateMachine(final ShardLogConfig logConfig, final ScheduledExecutorService timer,
        final ShardTracing tracing,
        final Function<RaftGroup, RaftClient> clientFactory,
        final Executor catchUpExecutor)
    {
        this(logConfig, timer, tracing, clientFactory, catchUpExecutor, false);
    }

    /**
     * @param faultReplayOffByOne test-only fault: the replay check is off by one for the first entry
     *                            past the log's end after it reopens (a restarted replica misses a batch).
     */
    public ShardStateMachine(final ShardLogConfig logConfig, final ScheduledExecutorService timer,
        final ShardTracing tracing,
        final Function<RaftGroup, RaftClient> clientFactory,
        final Executor catchUpExecutor, final boolean faultReplayOffByOne)
    {
        this.faultReplayOffByOne = faultReplayOffByOne;
        this.logConfig = logConfig;
        this.tracing = tracing;
        this.clientFactory = clientFactory;
        this.catchUpExecutor = catchUpExecutor;
        this.reads = new ShardReads(() -> getId() + " shard log " + logConfig.directory(), () -> log,
            () -> getLastAppliedTermIndex().getIndex(), timer);
        this.baseStates = new BaseStateServer(applyLock, () -> log, this::getLastAppliedTermIndex);
    }

    /** The node's disk reserve: a catch-up, which writes a whole shard's worth, waits while the disk is below it. */
    public void diskReserve(final DiskReserve reserve)
    {
        this.diskReserve = reserve;
    }

    /** The node's write-behind, which every log this state machine opens joins (call before {@link #initialize}). */
    public void writeBehind(final WriteBehind writeBehind)
    {
        this.writeBehind = writeBehind;
    }

    @Override
    public void initialize(final RaftServer server, final RaftGroupId groupId, final RaftStorage raftStorage)
        throws IOException
    {
        super.initialize(server, groupId, raftStorage);
        store = new ShardLogStore(logConfig, getId(), groupId);
        keyHorizon = new KeyHorizonProposer(server, groupId);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::openLog);
        final TermIndex applied = getLastAppliedTermIndex();
        try
        {
            store.checkRaftLogHead(raftStorage.getStorageDir().getCurrentDir().toPath(),
                applied == null ? -1 : applied.getIndex());
        }
        catch (final IOException e)
        {
            closeLog();
            throw e;
        }
    }

    /** Ratis reloads a paused state machine after a catch-up (see {@link #reinitialize()}). */
    @Override
    public void pause()
    {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After a catch-up: reopen from the snapshot written at the leader's position, and run again. */
    @Override
    public void reinitialize() throws IOException
    {
        closeLog();
        openLog();
        if (getLifeCycleState() == LifeCycle.State.PAUSED)
        {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void openLog() throws IOException
    {
        store.recoverInterruptedInstall();
        final SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        EngineSnapshot engineSnapshot = null;
        if (snapshot != null)
        {
            MD5FileUtil.verifySavedMD5(snapshot.getFile().getPath().toFile(), snapshot.getFile().getFileDigest());
            final EngineSnapshot fromRaft = EngineSnapshot.read(snapshot.getFile().getPath());
            snapshotNextOffset = fromRaft.nextOffset();
            if (!store.closedCleanly())
            {
                engineSnapshot = fromRaft;
            }
            updateLastAppliedTermIndex(snapshot.getTermIndex());
        }
        useLog(store.openVerified(engineSnapshot, snapshot == null ? null : snapshot.getTermIndex()));
        offByOneArmed = faultReplayOffByOne && log.lastRaftIndex() > 0;
        LOG.info("{} opened shard log {}: {}", getId(), logConfig.directory(), log.recoveryReport());
    }

    /** Makes the opened log this shard's, joined to the node's write-behind. */
    private void useLog(final ShardLog opened)
    {
        log = opened;
        if (writeBehind != null)
        {
            writeBehind.register(opened);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage()
    {
        return storage;
    }

    /** The shard's log, for reads and status on this replica. */
    public ShardLog log()
    {
        return log;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(final TransactionContext trx)
    {
        final LogEntryProto entry = trx.getLogEntry();
        final ByteString data = entry.getStateMachineLogEntry().getLogData();
        // Every replica answers, not only the one holding the client's request: Ratis keeps each replica's answer in
        // its retry cache, and a client that retries after a leader change gets the new leader's cached answer. An
        // empty one there read as "the shard answered 0 bytes without a result" for an append that was stored.
        final Message reply;
        synchronized (applyLock)
        {
            reply = applyEntry(data, entry.getIndex());
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        reads.completeLongPolls();
        final Runnable listener = applyListener;
        if (listener != null)
        {
            listener.run();
        }
        return CompletableFuture.completedFuture(reply);
    }

    /**
     * Appends every item of the entry at {@code raftIndex} to the shard log with its replay key
     * (index, ordinal), reading the entry in place (no copy of the Raft log's bytes). Never throws on
     * bad input: a malformed item is answered INVALID_BATCH and stores nothing, deterministically on
     * every replica.
     */
    private Message applyEntry(final ByteString data, final long raftIndex)
    {
        final ByteBuffer bytes = data.asReadOnlyByteBuffer();
        entryView.wrap(bytes, bytes.position(), bytes.remaining());
        final int length = bytes.remaining();
        replyLength = ShardEntryDescriptor.HEADER_LENGTH;
        if (KeyHorizonEntryDescriptor.isKeyHorizon(entryView, 0, length))
        {
            applyKeyHorizon(length, raftIndex);
            return EMPTY_REPLY;
        }
        if (!ShardEntryDescriptor.isEntry(entryView, 0, length) || ShardEntryDescriptor.version(entryView, 0)
            != ShardEntryDescriptor.VERSION)
        {
            LOG.error("{} entry {} of {} is not a shard entry of version {} ({} bytes, type {}); nothing stored",
                getId(),
                raftIndex, getGroupId(), ShardEntryDescriptor.VERSION, length, length == 0 ? "none"
                    : entryView.getByte(0));
            return reply(0);
        }
        final int items = ShardEntryDescriptor.itemCount(entryView, 0);
        final int entryFlags = ShardEntryDescriptor.flags(entryView, 0);
        if ((entryFlags & ~ShardEntryDescriptor.FLAGS_KNOWN) != 0)
        {
            for (int ordinal = 0; ordinal < items; ordinal++)
            {
                addResult(invalid("entry " + raftIndex + " has flags 0x" + Integer.toHexString(entryFlags)
                    + "; this node knows 0x" + Integer.toHexString(ShardEntryDescriptor.FLAGS_KNOWN) + " only"));
            }
            return reply(items);
        }
        final boolean chainAudit = (entryFlags & ShardEntryDescriptor.FLAG_CHAIN_AUDIT) != 0;
        final ShardLog shardLog = log;
        int at = ShardEntryDescriptor.HEADER_LENGTH;
        for (int ordinal = 0; ordinal < items; ordinal++)
        {
            final String malformed = at < length ? AppendItemDescriptor.validate(entryView, at, length - at)
                : "entry " + raftIndex + " ends before its item " + ordinal;
            if (malformed != null)
            {
                // The framing is lost from here on: every remaining item is refused the same way on every replica.
                for (int rest = ordinal; rest < items; rest++)
                {
                    addResult(invalid("entry " + raftIndex + " item " + rest + ": " + malformed));
                }
                break;
            }
            applyItem(shardLog, at, raftIndex, ordinal, chainAudit);
            at += AppendItemDescriptor.itemLength(entryView, at);
            if (haltMidEntry && ordinal == 0 && items > 1 && result.status() == AppendStatus.APPENDED)
            {
                LOG.warn("{} TEST-ONLY FAULT {}: halting after item 0 of the {} items of entry {} of {}", getId(),
                    "test.fault.halt-mid-entry", items, raftIndex, getGroupId());
                Runtime.getRuntime().halt(137);
            }
        }
        return reply(items);
    }

    /**
     * Moves the shard's key horizon (idempotent: a replayed entry changes nothing). A malformed
     * one changes nothing, on every replica alike.
     */
    private void applyKeyHorizon(final int length, final long raftIndex)
    {
        final String malformed = KeyHorizonEntryDescriptor.validate(entryView, 0, length);
        if (malformed != null)
        {
            LOG.error("{} entry {} of {}: {}; nothing changed", getId(), raftIndex, getGroupId(), malformed);
            return;
        }
        final long horizon = KeyHorizonEntryDescriptor.horizon(entryView, 0);
        final long before = log.keyHorizon();
        final int dropped = log.dropKeysBefore(horizon);
        if (log.keyHorizon() != before)
        {
            LOG.info("{} {}: key horizon {} -> {} at entry {}: dropped {} keys whose latest record retention removed; "
                + "{} keys" + " remain", getId(), getGroupId(), before, log.keyHorizon(), raftIndex, dropped,
                log.keyCount());
        }
    }

    private void applyItem(final ShardLog shardLog, final int at, final long raftIndex, final int ordinal,
        final boolean chainAudit)
    {
        final long key = ReplayKey.of(raftIndex, ordinal);
        final long lastKey = shardLog.lastRaftIndex();
        if (key <= lastKey || faultSkipsAsReplayed(raftIndex, lastKey))
        {
            // Replay of a part of an entry the log already holds (restart, or a kill in the middle of an entry): skip.
            addResult(result.failWith(AppendStatus.ALREADY_APPLIED, lastKey + 1, key, "item "
                + ReplayKey.toString(key) + " is already stored (last stored " + ReplayKey.toString(lastKey) + ")"));
            return;
        }
        try (ShardTracing.Scope ignored = tracing.onApply(entryView, at, raftIndex, getGroupId()))
        {
            final int flags = AppendItemDescriptor.flags(entryView, at);
            condition.clear();
            if ((flags & AppendItemDescriptor.FLAG_SHARD_CONDITION) != 0)
            {
                condition.expectShardLastOffset(AppendItemDescriptor.expectedShardLastOffset(entryView, at));
            }
            if ((flags & AppendItemDescriptor.FLAG_KEY_CONDITION) != 0)
            {
                condition.expectKeyLastOffset(entryView, AppendItemDescriptor.keyOffset(entryView, at),
                    AppendItemDescriptor.keyLength(entryView, at),
                        AppendItemDescriptor.expectedKeyLastOffset(entryView, at));
            }
            final int batchOffset = AppendItemDescriptor.batchOffset(entryView, at);
            final int batchLength = AppendItemDescriptor.batchLength(entryView, at);
            if (!chainAudit)
            {
                shardLog.append(entryView, batchOffset, batchLength, key, flags == 0 ? null : condition, result);
            }
            else
            {
                final String unchainable = auditChainer.chain(shardLog, logConfig, entryView, batchOffset,
                    batchLength);
                if (unchainable != null)
                {
                    invalid("item " + ReplayKey.toString(key) + ": " + unchainable);
                }
                else
                {
                    shardLog.append(auditChainer.chained(), 0, batchLength, key, flags == 0 ? null : condition,
                        result);
                }
            }
        }
        catch (final IllegalArgumentException e)
        {
            // A condition the engine refuses (an expected offset below -1): nothing was stored.
            invalid("item " + ReplayKey.toString(key) + ": " + e.getMessage());
        }
        addResult(result);
    }

    private void addResult(final AppendResult outcome)
    {
        replyBuffer.checkLimit(replyLength + AppendResultDescriptor.encodedLength(outcome.message()));
        replyLength += AppendResultDescriptor.write(replyBuffer, replyLength, outcome.status(), outcome.baseOffset(),
            outcome.lastOffset(), outcome.expected(), outcome.found(), outcome.message());
    }

    private Message reply(final int items)
    {
        ShardEntryDescriptor.writeHeader(replyBuffer, 0, items);
        return RatisMessages.wrap(Arrays.copyOf(replyBuffer.byteArray(), replyLength));
    }

    /** Arms the test-only fault: halt the process after item 0 of the next entry of several items. */
    public void haltMidEntry()
    {
        LOG.warn("{} TEST-ONLY FAULT SWITCH {} IS ON: the process halts in the middle of applying an entry", getId(),
            "test.fault.halt-mid-entry");
        this.haltMidEntry = true;
    }

    /** Called after every applied entry (on Ratis's apply thread): the node's front end wakes its long-polls. */
    public void applyListener(final Runnable listener)
    {
        this.applyListener = listener;
    }

    /**
     * The test-only replay fault: every item of the first entry past the reopened log's end is
     * taken for one it already holds ({@code <} written as {@code <=} against the next index), once.
     */
    private boolean faultSkipsAsReplayed(final long raftIndex, final long lastKey)
    {
        if (faultSkippingIndex == raftIndex)
        {
            return true;
        }
        if (!offByOneArmed)
        {
            return false;
        }
        // The first data entry past the log's end, whatever its index: entries that carry no items (a new
        // leader's first entry, a configuration) may lie between, and the fault must still fire (CI saw a
        // restart where it did not when it required exactly the next index).
        offByOneArmed = false;
        LOG.warn("{} TEST-ONLY FAULT {}: skipping committed entry {} of {} as if already applied (last stored {})",
            getId(),
            "test.fault.replay-off-by-one", raftIndex, getGroupId(), ReplayKey.toString(lastKey));
        faultSkippingIndex = raftIndex;
        return true;
    }

    private AppendResult invalid(final String message)
    {
        return result.failWith(AppendStatus.INVALID_BATCH, AppendResult.NONE, AppendResult.NONE, message);
    }

    @Override
    public CompletableFuture<Message> query(final Message message)
    {
        final ByteString content = message.getContent();
        if (content.isEmpty())
        {
            return CompletableFuture.failedFuture(new IllegalArgumentException("empty query"));
        }
        final byte[] bytes = content.toByteArray();
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        switch (bytes[0])
        {
            case ShardProtocol.READ:
                if (bytes.length < ShardProtocol.READ_REQUEST_LENGTH)
                {
                    return CompletableFuture.failedFuture(new IllegalArgumentException("read request of " + bytes.length
                        + " bytes is shorter than " + ShardProtocol.READ_REQUEST_LENGTH));
                }
                return reads.read(in.getLong(8), in.getInt(4), in.getInt(16));
            case ShardProtocol.STATUS:
                return CompletableFuture.completedFuture(status());
            case ShardProtocol.POSITION:
                return CompletableFuture.completedFuture(position());
            case ShardProtocol.BASE_STATE:
                try
                {
                    return CompletableFuture.completedFuture(baseStates.chunk(ShardProtocol.decodeBaseStateRequest(in,
                        bytes.length)));
                }
                catch (final IllegalArgumentException e)
                {
                    return CompletableFuture.failedFuture(e);
                }
            default:
                return CompletableFuture.failedFuture(new IllegalArgumentException("unknown query type " + bytes[0]));
        }
    }

    private Message status()
    {
        final ShardLog shardLog = log;
        return RatisMessages.wrap(ShardProtocol.encodeStatusReply(shardLog.firstOffset(), shardLog.nextOffset(),
            ReplayKey.raftIndex(shardLog.lastRaftIndex()),
            getLastAppliedTermIndex().getIndex(), shardLog.retainedBytes(), shardLog.batchCount(), shardLog.keyCount(),
            shardLog.keyHorizon()));
    }

    private Message position()
    {
        synchronized (applyLock)
        {
            final ShardLog shardLog = log;
            final TermIndex applied = getLastAppliedTermIndex();
            return RatisMessages.wrap(ShardProtocol.encodePositionReply(applied.getTerm(), applied.getIndex(),
                shardLog.nextOffset(),
                shardLog.firstOffset(), shardLog.keyHorizon()));
        }
    }

    /**
     * The leader has purged the log entries this replica lacks: fetch the batches from the
     * leader through ordinary linearizable reads, store them verbatim, and report the leader's
     * applied position, from which Ratis resumes replication.
     */
    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
        final RaftProtos.RoleInfoProto roleInfo, final TermIndex firstTermIndexInLog)
    {
        return CompletableFuture.supplyAsync(() -> catchUp(roleInfo, firstTermIndexInLog), catchUpExecutor);
    }

    private TermIndex catchUp(final RaftProtos.RoleInfoProto roleInfo, final TermIndex firstTermIndexInLog)
    {
        try (RaftClient raftClient = clientFactory.apply(PeerFetch.peersOf(
            getServer().join().getDivision(getGroupId()).getGroup(), getId(), roleInfo)))
        {
            final PeerFetch peer = new PeerFetch(raftClient, PeerFetch.notifyingLeader(roleInfo), getGroupId(),
                baseStateChunkBytes);
            final DiskReserve reserve = diskReserve;
            if (reserve != null && reserve.low())
            {
                throw new IOException("not catching up " + getGroupId() + " now: " + reserve.refusal());
            }
            final ShardProtocol.Position target = peer.position();
            final TermIndex position;
            if (log.nextOffset() < target.firstOffset())
            {
                position = installFromPeer(peer, target);
            }
            else
            {
                long fetched = 0;
                while (log.nextOffset() < target.nextOffset())
                {
                    fetched += peer.batchesInto(log);
                }
                // The keys the peer had dropped at that position are dropped here too (dropping commutes with the
                // batches fetched past it, which all lie above the horizon).
                log.dropKeysBefore(target.keyHorizon());
                LOG.info("{} caught up {} from the leader: {} batches, now at offset {}, applied {} (leader's log "
                    + "starts at {})", getId(), getGroupId(), fetched, log.nextOffset(), target.appliedIndex(),
                    firstTermIndexInLog);
                position = TermIndex.valueOf(target.appliedTerm(), target.appliedIndex());
            }
            updateLastAppliedTermIndex(position);
            // Ratis reloads the state machine from its latest snapshot next: make one at this position.
            writeSnapshot(position);
            return position;
        }
        catch (final Exception e)
        {
            LOG.error("{} cannot catch up {} from the leader", getId(), getGroupId(), e);
            throw new CompletionException(e);
        }
    }

    /**
     * Rebuilds this replica from a peer whose retention has deleted offsets this one still needs:
     * takes the peer's base state (producers, keys, key horizon, at one applied position), fetches
     * its batches from its first retained offset into a staging folder beside the shard's, and
     * swaps the folders once the staging log is complete ({@link ShardLogStore}: a crash before or
     * during the swap leaves the old log, put back at the next open).
     */
    private TermIndex installFromPeer(final PeerFetch peer, final ShardProtocol.Position target)
        throws IOException
    {
        final PeerFetch.BaseState base = peer.baseState();
        final EngineSnapshot state = EngineSnapshot.fromBytes(base.bytes(), "the base state of " + getGroupId()
            + " from a peer");
        long fetched = 0;
        try (ShardLog installing = store.openStaging())
        {
            installing.installBase(state);
            while (installing.installing())
            {
                fetched += peer.batchesInto(installing);
            }
            // Written here, and checked: the installed log's producers and keys exist only in this state.
            installing.snapshot().write(store.stagedStateFile());
        }
        final long localNext = log.nextOffset();
        closeLog();
        useLog(store.swapInStaged());
        if (log.nextOffset() < state.nextOffset() || log.firstOffset() != state.firstOffset())
        {
            throw new IllegalStateException("the shard log installed from a peer holds offsets " + log.firstOffset()
                + ".." + log.nextOffset() + " where the peer's state covers " + state.firstOffset() + ".."
                + state.nextOffset());
        }
        LOG.warn("{} rebuilt {} from a peer whose retention starts at offset {} (this replica ended at {}): its state "
            + "at" + " applied index {} ({} bytes in {} chunks) and {} batches, now at offset {}", getId(),
            getGroupId(), state.firstOffset(), localNext, base.appliedIndex(), base.bytes().length, base.chunks(),
            fetched, log.nextOffset());
        return TermIndex.valueOf(base.appliedTerm(), base.appliedIndex());
    }

    /**
     * Chunk size of base-state fetches ({@code shard.install.chunk.bytes}; tests make it small to cross many chunks).
     */
    private volatile int baseStateChunkBytes = BaseStateServer.CHUNK_BYTES_MAX;

    /**
     * Fetch base states in chunks of this many bytes (a peer caps a chunk at {@link BaseStateServer#CHUNK_BYTES_MAX}).
     */
    public void baseStateChunkBytes(final int bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("baseStateChunkBytes must be positive, got " + bytes);
        }
        this.baseStateChunkBytes = bytes;
    }

    @Override
    public long takeSnapshot() throws IOException
    {
        final TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() < 0)
        {
            return RaftLogIndex.INVALID;
        }
        final EngineSnapshot snapshot = writeSnapshot(applied);
        snapshotNextOffset = snapshot.nextOffset();
        enforceRetention(System.currentTimeMillis());
        return applied.getIndex();
    }

    /** The stream's retention (-1: no limit), from the metadata; applied at the next {@link #enforceRetention}. */
    public void retention(final long bytes, final long ms)
    {
        this.retentionBytes = bytes;
        this.retentionMs = ms;
    }

    /**
     * Deletes whole rolled queue files past the stream's retention, never at or past the latest
     * snapshot point. Each replica does this on its own: deleting old files changes no replicated
     * state, only the first offset this replica still serves.
     */
    public RetentionResult enforceRetention(final long nowMs)
    {
        final RetentionResult outcome = log.enforceRetention(nowMs, snapshotNextOffset, retentionBytes,
            retentionMs);
        proposeKeyHorizon();
        return outcome;
    }

    /** On the leader, proposes the first retained offset as the shard's key horizon ({@link KeyHorizonProposer}). */
    public void proposeKeyHorizon()
    {
        final KeyHorizonProposer proposer = keyHorizon;
        if (proposer != null)
        {
            proposer.proposeIfBehind(log);
        }
    }

    /**
     * Ratis purges its log up to the index {@link #takeSnapshot} returns: {@link DurableSnapshot}
     * forces every batch stored up to it (and the snapshot) to the disk first.
     */
    private EngineSnapshot writeSnapshot(final TermIndex applied) throws IOException
    {
        final File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        final EngineSnapshot snapshot = DurableSnapshot.write(log, logConfig.directory(), file, ShardLog.FDATASYNC);
        final FileInfo info = new FileInfo(file.toPath(), DurableFiles.saveChecksum(file, ShardLog.FDATASYNC));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, applied));
        return snapshot;
    }

    @Override
    public void notifyLeaderChanged(final RaftGroupMemberId groupMemberId,
        final RaftPeerId newLeaderId)
    {
        if (!groupMemberId.getPeerId().equals(newLeaderId))
        {
            tracing.endAll("leadership moved to " + newLeaderId);
        }
    }

    /**
     * The node is about to remove this division only to add it again from the same storage
     * (TributaryNode restarts a division Ratis closed on its own): the removal must not delete the
     * shard's queue files, which the restarted division reopens.
     */
    public void keepFilesOnRemove()
    {
        keepFilesOnRemove = true;
    }

    /**
     * The group was removed from this node (stream deleted, or replica moved away). Ratis has
     * closed this state machine and deletes the group's Raft log; the shard's queue files go too,
     * unless {@link #keepFilesOnRemove()} was called.
     */
    @Override
    public void notifyGroupRemove()
    {
        if (keepFilesOnRemove)
        {
            closeLog();
            return;
        }
        closeLog();
        store.delete();
    }

    @Override
    public void close() throws IOException
    {
        closeLog();
        super.close();
    }

    private void closeLog()
    {
        final ShardLog shardLog = log;
        if (shardLog != null)
        {
            if (writeBehind != null)
            {
                writeBehind.unregister(shardLog);
            }
            shardLog.close();
        }
        reads.failAll();
    }


    /** Ratis's "no snapshot" index. */
    private static final class RaftLogIndex
    {
        static final long INVALID = -1;
    }
}
