package io.tributary.raft.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.opentelemetry.api.OpenTelemetry;
import io.tributary.engine.ShardLogConfig;
import io.tributary.engine.WriteBehind;
import io.tributary.protocol.aeron.AeronRuntimes;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.MessageEndpoint;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.raft.frontend.AccessControl;
import io.tributary.raft.frontend.FrontEnd;
import io.tributary.raft.meta.ClusterMetadata;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.meta.MetadataStateMachine;
import io.tributary.raft.shard.DamagedReplicaException;
import io.tributary.raft.shard.ShardStateMachine;
import io.tributary.raft.storage.DiskReserve;
import io.tributary.raft.shard.ShardTracing;
import io.tributary.transport.rpc.LogWriteGate;

import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node process: a Ratis server hosting the metadata group (on the first 3 or 5 nodes)
 * and any number of shard groups, a registration loop, and the controller (active only while
 * this node leads the metadata group).
 */
public final class TributaryNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(TributaryNode.class);
    private static final long TICK_MS = 500;
    /** How often the free space of the data disk is read (one statfs): the reserve covers what is written meanwhile. */
    private static final long DISK_CHECK_MS = 100;
    /** How often each hosted shard applies its stream's retention. */
    private static final long RETENTION_EVERY_TICKS = 10;
    /**
     * At most one restart of a closed division per group in this time: one that keeps closing is not restarted in a
     * loop.
     */
    private static final long DIVISION_RESTART_BACKOFF_NS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How long a division must stay closed before it is restarted: a replica moved away is closed by Ratis just
     * before the controller removes it, and that removal should win (a restart racing it could leave a division
     * of a group this node no longer belongs to).
     */
    private static final long DIVISION_CLOSED_GRACE_NS = TimeUnit.SECONDS.toNanos(2);
    /** How often the Raft log's written pages are given back to the kernel (RaftLogPageCache). */
    private static final long LOG_PAGE_CACHE_SWEEP_MS = 250;

    private final NodeConfig config;
    /** Short tasks only (pacing waits, long-poll expiries, sweeps): the produce path waits for them. */
    private final ScheduledExecutorService timer;
    /**
     * The node's tick: registration, division restarts, and on the metadata leader the controller, whose membership
     * changes block until new replicas catch up. Its own thread, so that a blocked pass never holds up the timer.
     */
    private final ScheduledExecutorService ticker;
    /**
     * Catch-ups from a leader (seconds of fetching each): one thread per catch-up under way, so that none waits
     * behind another or behind the tick while Ratis answers the leader's appendEntries with INCONSISTENCY.
     */
    private final ExecutorService catchUps;
    private final ShardTracing tracing;
    private final WriteBehind writeBehind;
    private final DiskReserve diskReserve;
    /** Who may do what at the front end: enforcing when TLS is on, refreshed from the metadata every tick. */
    private final AccessControl access;
    /** Reads the access rules again when a request's check asks for it (security on), else null. */
    private final ExecutorService accessRefresher;
    /** Writes the audit trail (security on), else null. */
    private final AuditTrail auditTrail;
    private final RaftServer server;
    private final MetadataClient metadataClient;
    private final Controller controller;
    private final AtomicBoolean registered = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile MetadataStateMachine metadataStateMachine;
    private volatile FrontEnd frontEnd;
    private volatile AutoCloseable frontEndCarrier;
    private EmbeddedMediaDriver frontEndDriver;
    private long ticks;
    /** When each group's division was last restarted here (tick thread only). */
    private final Map<RaftGroupId, Long> divisionRestartedAtNs = new HashMap<>();
    /** Since when each group's division has been seen closed (tick thread only). */
    private final Map<RaftGroupId, Long> divisionClosedSinceNs = new HashMap<>();

    private TributaryNode(final NodeConfig config, final OpenTelemetry openTelemetry) throws IOException
    {
        this.config = config;
        this.timer = Executors.newScheduledThreadPool(2, daemon("tributary-node-" + config.nodeId));
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("tributary-tick-" + config.nodeId));
        this.catchUps = Executors.newCachedThreadPool(daemon("tributary-catch-up-" + config.nodeId));
        this.tracing = new ShardTracing(openTelemetry, config.nodeId);
        // Created before the server: Ratis opens the state machines of the groups on disk while it is built.
        this.writeBehind = config.shardWritebackIntervalMs == 0 ? null
            : new WriteBehind(config.shardWritebackIntervalMs, "tributary-writeback-" + config.nodeId);
        Files.createDirectories(config.dataDir);
        this.diskReserve = new DiskReserve(config.nodeId, config.dataDir, config.diskReserveBytes);
        this.access = config.tls.enabled() ? AccessControl.enforcing(config.adminPrincipals) : AccessControl.disabled();
        final RaftGroup initialGroup = config.isMetadataMember()
            ? RaftSettings.group(MetadataStateMachine.GROUP_ID, config.metadataPeers) : RaftGroup.emptyGroup();
        this.server = RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(config.nodeId))
            .setProperties(RaftSettings.server(config))
            .setStateMachineRegistry(this::newStateMachine)
            .setGroup(initialGroup)
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
        this.metadataClient = new MetadataClient(config.metadataPeers, config.transport, config.tls,
            config.requestTimeoutMs);
        this.controller = new Controller(config, metadataClient);
        // Its own thread: a read of the rules blocks on the metadata quorum, which the timer's ticks must not wait for.
        this.accessRefresher = !access.enabled() ? null : Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "tributary-access-" + config.nodeId);
            thread.setDaemon(true);
            return thread;
        });
        if (accessRefresher != null)
        {
            access.refreshFrom(() -> ClusterMetadata.deserialize(metadataClient.query("STATE").strip()),
                accessRefresher);
        }
        // Security on: admin operations and denied requests go to the replicated, hash-chained audit trail.
        this.auditTrail = !access.enabled() ? null : new AuditTrail(config.nodeId, metadataClient, config.transport,
            config.tls, config.requestTimeoutMs);
        if (auditTrail != null)
        {
            access.audit(auditTrail);
            // Sessions this node accepts (clients and peers), opened and closed or failed, handshakes included.
            TlsContext.shared(config.tls).observeSessions((peer, address, opened, detail) -> auditTrail.record(peer,
                address, opened ? "session-open" : "session-close", null, opened ? "ok: " + detail : detail, null));
        }
    }

    /** Starts the node; returns once its Raft server listens. */
    public static TributaryNode start(final NodeConfig config, final OpenTelemetry openTelemetry) throws IOException
    {
        for (final String fault : config.faultsOn())
        {
            LOG.warn("!!! node {}: TEST-ONLY FAULT SWITCH {} IS ON: this node is deliberately incorrect and loses or"
                + " misreports data; never use it in production (docs/configuration.md) !!!", config.nodeId, fault);
        }
        final TributaryNode node = startRaft(config, openTelemetry);
        node.startFrontEnd();
        node.ticker.scheduleWithFixedDelay(node::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
        node.timer.scheduleWithFixedDelay(node.diskReserve::refresh, DISK_CHECK_MS, DISK_CHECK_MS,
            TimeUnit.MILLISECONDS);
        // Followers too: entries from a leader wait while the disk is below the reserve (Aeron only; see DiskReserve).
        LogWriteGate.register(config.nodeId, () -> node.diskReserve.low()
            ? node.diskReserve.refusal() : null);
        if (config.raftLogPageCacheDrop)
        {
            // Pages ahead of an open segment's write position stay: at most one preallocation plus one write buffer.
            final RaftLogPageCache pageCache = RaftLogPageCache.create(config.dataDir.resolve("raft"),
                2 * config.raftLogPreallocatedBytes + (1 << 20));
            if (pageCache != null)
            {
                node.timer.scheduleWithFixedDelay(pageCache::sweep, LOG_PAGE_CACHE_SWEEP_MS, LOG_PAGE_CACHE_SWEEP_MS,
                    TimeUnit.MILLISECONDS);
            }
        }
        LOG.info("node {} listening on {} (transport {}, durability {})", config.nodeId, config.address(),
            config.transport,
            config.durability);
        return node;
    }

    /** Most damaged shard copies set aside in one start (then the node refuses: its disk is failing, not one file). */
    static final int QUARANTINED_PER_START_MAX = 64;

    /**
     * Starts the Raft server. A shard copy found damaged while Ratis opens it (its shard log or the
     * head of its Raft log: {@link DamagedReplicaException}; Ratis's own checks of the group's log
     * segments) makes the whole server fail; that copy is set aside under {@code quarantine/} in the
     * data folder (kept, for a post-mortem) and the server started again without it. The node then
     * holds no division of that shard: it cannot vote there, and the controller's membership audit
     * takes it out of the group and brings it back as a new member that copies the shard from its
     * peers. Damage to the metadata group's log is not set aside: the node refuses to start.
     */
    private static TributaryNode startRaft(final NodeConfig config, final OpenTelemetry openTelemetry)
        throws IOException
    {
        for (int attempt = 0; ; attempt++)
        {
            final TributaryNode node = new TributaryNode(config, openTelemetry);
            try
            {
                node.server.start();
                node.checkRaftLogHeads();
                return node;
            }
            catch (final IOException | RuntimeException e)
            {
                UUID damaged = Quarantine.damagedGroup(e, config.dataDir.resolve("raft"));
                if (damaged == null && NodeMain.damagedStorage(e) != null)
                {
                    // Ratis's gap check throws without naming the group: the division it failed is the one it left in
                    // EXCEPTION.
                    damaged = node.failedDivision();
                }
                node.closeAfterFailedStart();
                if (damaged == null || damaged.equals(MetadataStateMachine.GROUP_ID.getUuid())
                    || attempt >= QUARANTINED_PER_START_MAX)
                {
                    throw e;
                }
                final Path aside = Quarantine.setAside(config.dataDir, damaged);
                LOG.error("node {}: its copy of group {} is damaged ({}); set aside in {} and starting without it: the"
                    + " controller brings this node back into the group as a new member that copies the shard from its"
                    + " peers", config.nodeId, damaged, e.toString(), aside);
            }
        }
    }

    /**
     * The group of the one division a failed start left short of RUNNING (Ratis leaves the one whose
     * log failed to load in STARTING or EXCEPTION; the others ran), or null if none or several.
     */
    private UUID failedDivision()
    {
        UUID failed = null;
        final StringBuilder states = new StringBuilder();
        for (final RaftGroupId groupId : server.getGroupIds())
        {
            try
            {
                final LifeCycle.State state = server.getDivision(groupId).getInfo().getLifeCycleState();
                states.append(' ').append(groupId.getUuid()).append('=').append(state);
                if (state != LifeCycle.State.RUNNING)
                {
                    if (failed != null)
                    {
                        return null;
                    }
                    failed = groupId.getUuid();
                }
            }
            catch (final IOException | RuntimeException e)
            {
                states.append(' ').append(groupId.getUuid()).append(": ").append(e);
            }
        }
        LOG.info("node {}: divisions after the failed start:{}", config.nodeId, states);
        return failed;
    }

    /** After a failed start: stops what started, without waiting on a division whose apply loop may spin. */
    private void closeAfterFailedStart()
    {
        closed.set(true);
        timer.shutdownNow();
        ticker.shutdownNow();
        catchUps.shutdownNow();
        try
        {
            metadataClient.close();
        }
        catch (final IOException e)
        {
            LOG.debug("closing the metadata client after a failed start", e);
        }
        final Thread closer = new Thread(() ->
        {
            try
            {
                server.close();
            }
            catch (final IOException | RuntimeException e)
            {
                LOG.debug("close after a failed start", e);
            }
            if (writeBehind != null)
            {
                writeBehind.close();
            }
        }, "close-failed-start-" + config.nodeId);
        closer.setDaemon(true);
        closer.start();
        try
        {
            closer.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive())
        {
            LOG.warn("node {}: the Raft server of the failed start did not close within 30 s; starting again beside it",
                config.nodeId);
        }
    }

    /**
     * A replica whose Raft log lost the entries at its head (its first segment cut while the node was
     * down: the Jepsen disk nemesis found it) loads a log that begins above what its state machine has
     * applied, with no snapshot in between. Ratis does not notice: its apply loop finds the next entry
     * missing and goes straight back for it, forever (one core at 100%), so the replica never applies
     * again, yet it votes and can win an election with its up-to-date tail, and then leads a shard
     * that answers nothing (the shard had no leader that serves for as long as it led). Reported here
     * as damage to that copy, which {@link #startRaft} sets aside.
     */
    private void checkRaftLogHeads() throws IOException
    {
        for (final RaftGroupId groupId : server.getGroupIds())
        {
            final RaftServer.Division division = server.getDivision(groupId);
            final long startIndex = division.getRaftLog().getStartIndex();
            final TermIndex applied = division.getStateMachine().getLastAppliedTermIndex();
            final SnapshotInfo snapshot = division.getStateMachine().getLatestSnapshot();
            final long coveredIndex = Math.max(applied == null ? -1 : applied.getIndex(), snapshot == null ? -1
                : snapshot.getIndex());
            if (startIndex > coveredIndex + 1)
            {
                // startRaft sets this copy aside (Ratis's apply loop is already spinning on the missing entry, so the
                // failed start's server is closed without waiting for it).
                throw new DamagedReplicaException(groupId.getUuid(), "the Raft log of group " + groupId.getUuid()
                    + " begins at index " + startIndex + " but its state machine has applied up to index "
                    + coveredIndex +
                    " and no snapshot covers the entries between: they are missing (a log segment was cut or lost "
                    + "under " + config.dataDir.resolve("raft") + ")", null);
            }
        }
    }

    /**
     * Opens the front end on the node's own address: over Aeron on the same UDP port as Raft (its own
     * stream), sharing the process's media driver and network thread with the Raft transport.
     */
    private void startFrontEnd()
    {
        final AeronTransportConfig aeron = AeronTransportConfig.fromProperties(key -> frontEndAeronSetting(key));
        frontEndDriver = AeronRuntimes.acquire(aeron);
        final FrontEnd created = new FrontEnd(config.nodeId, server, metadataClient, tracing, timer,
            group -> RaftSettings.newClient(group, config.transport, config.tls, config.requestTimeoutMs,
                RaftSettings.retryPolicy(3, 200)),
            config.frontEnd, Math.min(config.frontEnd.requestBytesMax(), aeron.messageBytesMax()), diskReserve, access);
        frontEnd = created;
        frontEndCarrier = new MessageEndpoint("frontend-" + config.nodeId, frontEndDriver, config.address(),
            FrontEnd.STREAM_ID, created, config.tls.enabled() ? TlsContext.shared(config.tls) : null);
    }

    /** The node's Aeron settings, named as the Raft transport names them (so both share one driver). */
    private String frontEndAeronSetting(final String key)
    {
        if (key.equals(AeronTransportConfig.PREFIX + "node.name"))
        {
            final String configured = config.aeronSettings.get(key);
            return configured != null ? configured : RaftSettings.aeronNodeName(config);
        }
        return config.aeronSettings.get(key);
    }

    /** The node's front end (null until started). */
    public FrontEnd frontEnd()
    {
        return frontEnd;
    }

    private StateMachine newStateMachine(final RaftGroupId groupId)
    {
        if (MetadataStateMachine.GROUP_ID.equals(groupId))
        {
            final MetadataStateMachine stateMachine = new MetadataStateMachine();
            metadataStateMachine = stateMachine;
            return stateMachine;
        }
        if (RaftGroupId.emptyGroupId().equals(groupId))
        {
            // A node outside the metadata quorum starts with Ratis's empty group: no shard behind it.
            return new BaseStateMachine();
        }
        final ShardLogConfig logConfig = new ShardLogConfig()
            .directory(config.dataDir.resolve("shards").resolve(groupId.getUuid().toString()))
            .maxBatchBytes(config.shardMaxBatchBytes)
            .rollCycle(config.shardRollCycle)
            .maxKeys(config.shardMaxKeys);
        final ShardStateMachine shard =
            new ShardStateMachine(logConfig, timer, tracing, group -> RaftSettings.newClient(group,
            config.transport, config.tls, config.requestTimeoutMs, RaftSettings.retryPolicy(20, 500)), catchUps,
                config.faultReplayOffByOne);
        if (config.faultHaltMidEntry)
        {
            shard.haltMidEntry();
        }
        shard.writeBehind(writeBehind);
        shard.diskReserve(diskReserve);
        shard.baseStateChunkBytes(config.shardInstallChunkBytes);
        return shard;
    }

    private void tick()
    {
        if (closed.get())
        {
            return;
        }
        try
        {
            if (!registered.get())
            {
                metadataClient.command("REGISTER", config.nodeId, config.address(),
                    Boolean.toString(config.isMetadataMember()));
                registered.set(true);
                LOG.info("node {} registered with the metadata quorum", config.nodeId);
            }
            restartClosedDivisions();
            if (isMetadataLeader())
            {
                while (!closed.get() && controller.reconcile(metadataStateMachine.snapshotOfState()))
                {
                    // keep going while there is work; each step is committed before the next
                }
            }
            final boolean retentionDue = ++ticks % RETENTION_EVERY_TICKS == 0;
            if (access.enabled() || retentionDue)
            {
                final long readStartNs = System.nanoTime();
                final ClusterMetadata metadata = ClusterMetadata.deserialize(metadataClient.query("STATE").strip());
                // Security on: the front end's copy of the grants and streams, refreshed every tick.
                access.update(metadata, readStartNs);
                if (retentionDue)
                {
                    applyRetention(metadata);
                }
            }
        }
        catch (final IOException | RuntimeException e)
        {
            if (!closed.get())
            {
                LOG.warn("node {}: {} (will retry)", config.nodeId, e.toString());
            }
        }
    }

    /**
     * Gives every shard hosted here its stream's retention and lets it delete what is past it. A
     * shard that fails (its log closed under it, a disk error) is logged and skipped: it must not
     * hold back the others.
     */
    private void applyRetention(final ClusterMetadata metadata)
    {
        for (final ClusterMetadata.Stream stream : metadata.streams().values())
        {
            for (int shard = 0; shard < stream.shards(); shard++)
            {
                final ShardStateMachine local = shard(ClusterMetadata.groupIdOf(stream.id(), shard));
                if (local != null && local.log() != null)
                {
                    try
                    {
                        local.retention(stream.retentionBytes(), stream.retentionMs());
                        local.enforceRetention(System.currentTimeMillis());
                    }
                    catch (final RuntimeException e)
                    {
                        LOG.warn("node {}: retention of stream {} shard {} skipped this pass: {}", config.nodeId,
                            stream.name(),
                            shard, e.toString());
                    }
                }
            }
        }
    }

    /**
     * Restarts, from its own storage, every Raft division that Ratis closed on its own while this
     * node runs. Ratis closes a division, and leaves it registered and dead, when a leader tells a
     * candidate it is no longer in the group, when a leader finds itself outside a new
     * configuration, or when applying an entry failed. A membership change can then add the node
     * back while that dead division still answers "already exists" and refuses every append
     * ("is not in [STARTING, RUNNING]: current state is CLOSED"): the replica is stranded until the
     * process restarts (Jepsen run 33 of docs/jepsen.md). Restarting the division is what a process
     * restart does, for one group: same term, vote and log on disk, so no Raft guarantee changes. A
     * division that is truly no longer wanted is removed by the controller as before: a division is
     * restarted only once it has stayed closed for {@link #DIVISION_CLOSED_GRACE_NS}, which leaves
     * the controller's removal of a replica moved away (it follows Ratis's close within milliseconds)
     * the time to win.
     */
    private void restartClosedDivisions()
    {
        if (closed.get())
        {
            return;
        }
        final long nowNs = System.nanoTime();
        final List<RaftGroupId> groupIds = new ArrayList<>();
        server.getGroupIds().forEach(groupIds::add);
        // Forget groups no longer hosted here (removed, deleted).
        divisionRestartedAtNs.keySet().retainAll(groupIds);
        divisionClosedSinceNs.keySet().retainAll(groupIds);
        for (final RaftGroupId groupId : groupIds)
        {
            final RaftServer.Division division;
            try
            {
                division = server.getDivision(groupId);
            }
            catch (final IOException e)
            {
                continue; // removed meanwhile
            }
            if (division.getInfo().isAlive())
            {
                divisionClosedSinceNs.remove(groupId);
                continue;
            }
            final long closedSinceNs = divisionClosedSinceNs.computeIfAbsent(groupId, id -> nowNs);
            if (nowNs - closedSinceNs < DIVISION_CLOSED_GRACE_NS)
            {
                continue;
            }
            final Long lastNs = divisionRestartedAtNs.get(groupId);
            if (lastNs != null && nowNs - lastNs < DIVISION_RESTART_BACKOFF_NS)
            {
                continue;
            }
            divisionRestartedAtNs.put(groupId, nowNs);
            divisionClosedSinceNs.remove(groupId);
            restartDivision(division);
        }
    }

    private void restartDivision(final RaftServer.Division division)
    {
        final RaftGroupId groupId = division.getGroup().getGroupId();
        final DivisionInfo info = division.getInfo();
        LOG.warn("node {}: the Raft division of {} is {} (term {}, applied {}) while the node runs; restarting it from "
            + "its" + " storage", config.nodeId, groupId, info.getLifeCycleState(), info.getCurrentTerm(),
            info.getLastAppliedIndex());
        if (division.getStateMachine() instanceof ShardStateMachine shard)
        {
            shard.keepFilesOnRemove();
        }
        final RaftGroup group = division.getGroup();
        try
        {
            final ClientId clientId = ClientId.randomId();
            Controller.check(server.groupManagement(GroupManagementRequest.newRemove(clientId, server.getId(),
                0, groupId, false, false)), "removing the closed division of " + groupId);
            // format=false: Ratis recovers the group from the storage the closed division left.
            Controller.check(server.groupManagement(GroupManagementRequest.newAdd(clientId, server.getId(),
                1, group, false)), "adding " + groupId + " back from its storage");
            LOG.info("node {}: restarted the Raft division of {} (peers {})", config.nodeId, groupId, group.getPeers());
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.error("node {}: restarting the closed Raft division of {} failed (retried in {} s): {}", config.nodeId,
                groupId,
                TimeUnit.NANOSECONDS.toSeconds(DIVISION_RESTART_BACKOFF_NS), e.toString());
        }
    }

    public boolean isMetadataLeader()
    {
        try
        {
            return metadataStateMachine != null && server.getDivision(MetadataStateMachine.GROUP_ID).getInfo()
                .isLeader();
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    public boolean isRegistered()
    {
        return registered.get();
    }

    public NodeConfig config()
    {
        return config;
    }

    public RaftServer server()
    {
        return server;
    }

    /** The state machine of a shard hosted here, or null. */
    public ShardStateMachine shard(final RaftGroupId groupId)
    {
        try
        {
            return (ShardStateMachine)server.getDivision(groupId).getStateMachine();
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    public ClusterMetadata metadataIfMember()
    {
        final MetadataStateMachine stateMachine = metadataStateMachine;
        return stateMachine == null ? null : stateMachine.snapshotOfState();
    }

    private void closeFrontEnd()
    {
        try
        {
            if (frontEndCarrier != null)
            {
                frontEndCarrier.close();
            }
        }
        catch (final Exception e)
        {
            LOG.warn("node {}: closing the front end's carrier: {}", config.nodeId, e.toString());
        }
        if (frontEnd != null)
        {
            frontEnd.close();
        }
        if (frontEndDriver != null)
        {
            AeronRuntimes.release(frontEndDriver);
        }
    }

    private static ThreadFactory daemon(final String name)
    {
        return runnable ->
        {
            final Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() throws IOException
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        LogWriteGate.unregister(config.nodeId);
        if (accessRefresher != null)
        {
            accessRefresher.shutdownNow();
        }
        if (auditTrail != null)
        {
            auditTrail.close();
        }
        timer.shutdownNow();
        ticker.shutdownNow();
        catchUps.shutdownNow();
        try
        {
            timer.awaitTermination(10, TimeUnit.SECONDS);
            ticker.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        closeFrontEnd();
        metadataClient.close();
        server.close();
        if (writeBehind != null)
        {
            writeBehind.close();
        }
        LOG.info("node {} stopped", config.nodeId);
    }
}
