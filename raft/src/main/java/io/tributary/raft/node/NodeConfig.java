package io.tributary.raft.node;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.frontend.FrontEndSettings;
import io.tributary.raft.meta.ClusterMetadata;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * A node's configuration file (Java properties), validated at start with messages that say
 * what to change. Every key, default and unit is in docs/configuration.md.
 */
public final class NodeConfig
{
    /** Durability of acknowledged writes. */
    public enum Durability
    {
        /** Acknowledge after a majority has the entry in its fsynced Raft log (group commit). */
        FSYNC,
        /** Acknowledge after a majority has written it to the OS: survives process crashes, not power loss. */
        NOFSYNC
    }

    /** Test-only fault switch: linearizable reads answered from the leader's state, no ReadIndex, no lease. */
    public static final String FAULT_READS_WITHOUT_READINDEX = "test.fault.reads-without-readindex";
    /** Test-only fault switch: the first entry applied after a non-empty shard log reopens is skipped. */
    public static final String FAULT_REPLAY_OFF_BY_ONE = "test.fault.replay-off-by-one";
    /** Test-only fault switch: the process halts (as kill -9) after storing the first item of an entry of several. */
    public static final String FAULT_HALT_MID_ENTRY = "test.fault.halt-mid-entry";
    /** The Aeron setting that chooses where the embedded media driver runs. */
    public static final String DRIVER_THREADING_MODE = AeronTransportConfig.PREFIX + "driver.threading.mode";

    private static final Set<String> KEYS = Set.of("node.id", "security.admin.principals",
        "node.host", "node.port", "data.dir", "metadata.peers",
        "transport", "raft.election.timeout.min.ms", "raft.election.timeout.max.ms", "raft.request.timeout.ms",
        "durability", "snapshot.auto.entries", "shard.max.batch.bytes", "shard.max.keys", "shard.writeback.interval.ms",
            "tracing.exporter",
        "tracing.otlp.endpoint", "raft.log.segment.bytes", "raft.log.preallocated.bytes", "raft.log.page.cache.drop",
            "raft.log.purge.gap", "shard.roll.cycle",
        "raft.log.metadata", "raft.read.lease", "leader.rebalance.interval.ms", "replica.audit.interval.ms",
            "disk.reserve.bytes", "shard.install.chunk.bytes", "frontend.entry.bytes.max",
        "frontend.entries.inflight.max", "frontend.queue.bytes.max", "frontend.threads", "frontend.request.bytes.max",
            "frontend.leader.wait.ms",
        "frontend.entry.interval.max.us",
        FAULT_READS_WITHOUT_READINDEX, FAULT_REPLAY_OFF_BY_ONE, FAULT_HALT_MID_ENTRY);

    public final String nodeId;
    public final String host;
    public final int port;
    public final Path dataDir;
    /** id -> host:port of the metadata quorum (3 or 5 nodes, or 1 for a single-node cluster). */
    public final Map<String, String> metadataPeers;
    public final String transport;
    /** The {@code transport.aeron.*} settings as given (docs/configuration.md, transport/README.md). */
    public final Map<String, String> aeronSettings;
    public final long electionTimeoutMinMs;
    public final long electionTimeoutMaxMs;
    public final long requestTimeoutMs;
    public final Durability durability;
    public final long snapshotAutoEntries;
    public final int shardMaxBatchBytes;
    public final int shardMaxKeys;
    /** How often a node writes back its shard logs' queue files (engine WriteBehind); 0: left to the kernel. */
    public final long shardWritebackIntervalMs;
    public final String tracingExporter;
    public final String otlpEndpoint;
    public final long raftLogSegmentBytes;
    /** Ratis extends a segment by writing this many fill bytes at a time (its default, 4 MiB). */
    public final long raftLogPreallocatedBytes;
    /** Give the Raft log's durable pages back to the kernel (RaftLogPageCache). */
    public final boolean raftLogPageCacheDrop;
    public final int raftLogPurgeGap;
    /** Chunk size in which a replica fetches a peer's base state when it catches up after retention. */
    public final int shardInstallChunkBytes;
    /**
     * Ratis's commit-index metadata entries: when on, every commit appends one more entry that is
     * replicated and fsynced on every replica, doubling the Raft work of each write.
     */
    public final boolean raftLogMetadata;
    /** Linearizable reads served by a leader holding a lease, without a heartbeat round per read. */
    public final boolean raftReadLease;
    /**
     * How often the controller checks that each shard is led by its preferred replica (the first in
     * placement order) and moves the leadership back, and the shortest time between two transfers of
     * one shard; 0 turns it off.
     */
    public final long leaderRebalanceIntervalMs;
    /** How often the controller checks each shard's Raft membership against the metadata (0: never). */
    public final long replicaAuditIntervalMs;
    /**
     * Free bytes the node keeps on its data disk: below it, writes are refused with DISK_FULL (storage/DiskReserve).
     */
    public final long diskReserveBytes;
    /**
     * Test-only fault (never in production): reads skip ReadIndex and the lease, so a deposed leader
     * cut off by a partition answers reads with stale data until it steps down. The checkers of the
     * Jepsen harness must report this as not linearizable.
     */
    public final boolean faultReadsWithoutReadIndex;
    /**
     * Test-only fault (never in production): the replay check of a shard state machine is off by
     * one for the first entry applied after it reopens a non-empty log, so a restarted replica
     * silently misses one committed batch.
     */
    public final boolean faultReplayOffByOne;
    /**
     * Test-only fault (never in production): the node halts, as kill -9 would, right after storing the first
     * item of the first Raft entry of several items it applies, so its restart must replay the rest of that
     * entry and only the rest.
     */
    public final boolean faultHaltMidEntry;
    /** The front end's coalescing and queue limits ({@code frontend.*}). */
    public final FrontEndSettings frontEnd;
    /** TLS on every link of the node (front end and Raft), off by default ({@code security.tls.*}). */
    public final TlsSettings tls;
    /**
     * Principals that hold cluster-admin whatever the grants say, when TLS is on ({@code security.admin.principals},
     * comma-separated, default {@code client:admin}: the admin certificate {@code tributary certs init} makes): the
     * bootstrap that grants the first roles.
     */
    public final Set<String> adminPrincipals;
    /** Chronicle roll cycle of shard queue files: retention deletes whole files, so this is its granularity. */
    public final RollCycle shardRollCycle;

    private NodeConfig(final Properties p, final String source)
    {
        final List<String> problems = new ArrayList<>();
        for (final String key : p.stringPropertyNames())
        {
            if (!KEYS.contains(key) && !key.startsWith(AeronTransportConfig.PREFIX) && !TLS_KEYS.contains(key))
            {
                problems.add("unknown key '" + key + "' (known keys: " + new TreeSet<>(KEYS) + ", "
                    + AeronTransportConfig.PREFIX + "* and " + new TreeSet<>(TLS_KEYS) + ")");
            }
        }
        nodeId = required(p, "node.id", problems);
        if (nodeId != null && ClusterMetadata.invalidNodeId(nodeId) != null)
        {
            problems.add("node.id: " + ClusterMetadata.invalidNodeId(nodeId));
        }
        host = p.getProperty("node.host", "127.0.0.1").trim();
        port = (int)number(p, "node.port", -1, 1, 65535, problems);
        final String dir = required(p, "data.dir", problems);
        dataDir = dir == null ? null : Path.of(dir);
        metadataPeers = peers(p.getProperty("metadata.peers", ""), problems);
        transport = p.getProperty("transport", RaftSettings.DEFAULT_TRANSPORT).trim();
        tls = tlsSettings(p, transport, problems);
        aeronSettings = aeronSettings(p);
        adminPrincipals = adminPrincipals(p.getProperty("security.admin.principals", "client:admin"), problems);
        electionTimeoutMinMs = number(p, "raft.election.timeout.min.ms", 1000, 50, 600_000, problems);
        electionTimeoutMaxMs = number(p, "raft.election.timeout.max.ms", 2000, 51, 600_000, problems);
        requestTimeoutMs = number(p, "raft.request.timeout.ms", 10_000, 100, 600_000, problems);
        durability = enumValue(p.getProperty("durability", "fsync"), problems);
        snapshotAutoEntries = number(p, "snapshot.auto.entries", 100_000, 10, Long.MAX_VALUE, problems);
        shardMaxBatchBytes = (int)number(p, "shard.max.batch.bytes", 1 << 20, 1024, 16 << 20, problems);
        shardMaxKeys = (int)number(p, "shard.max.keys", 1_000_000, 1, Integer.MAX_VALUE, problems);
        shardWritebackIntervalMs = number(p, "shard.writeback.interval.ms", 500, 0, 60_000, problems);
        tracingExporter = p.getProperty("tracing.exporter", "none").trim();
        otlpEndpoint = p.getProperty("tracing.otlp.endpoint", "http://127.0.0.1:4317").trim();
        raftLogSegmentBytes = number(p, "raft.log.segment.bytes", 32 << 20, 1 << 20, 1L << 31, problems);
        raftLogPreallocatedBytes = number(p, "raft.log.preallocated.bytes", 4 << 20, 4096, 1L << 31, problems);
        raftLogPageCacheDrop = bool(p, "raft.log.page.cache.drop", true, problems);
        raftLogPurgeGap = (int)number(p, "raft.log.purge.gap", 1024, 1, 1 << 30, problems);
        shardInstallChunkBytes = (int)number(p, "shard.install.chunk.bytes", 4 << 20, 1, 16 << 20, problems);
        raftLogMetadata = bool(p, "raft.log.metadata", false, problems);
        raftReadLease = bool(p, "raft.read.lease", true, problems);
        // The default follows a longer election timeout (a node configured for slow elections is not invalid
        // because of a default it never set); an explicit value below it is refused below.
        leaderRebalanceIntervalMs = number(p, "leader.rebalance.interval.ms", Math.max(5_000, electionTimeoutMaxMs), 0,
            86_400_000,
            problems);
        replicaAuditIntervalMs = number(p, "replica.audit.interval.ms", 10_000, 0, 86_400_000, problems);
        diskReserveBytes = number(p, "disk.reserve.bytes", 256L << 20, 0, 1L << 50, problems);
        faultReadsWithoutReadIndex = bool(p, FAULT_READS_WITHOUT_READINDEX, false, problems);
        faultReplayOffByOne = bool(p, FAULT_REPLAY_OFF_BY_ONE, false, problems);
        faultHaltMidEntry = bool(p, FAULT_HALT_MID_ENTRY, false, problems);
        shardRollCycle = rollCycle(p.getProperty("shard.roll.cycle", "FAST_HOURLY").trim(), problems);
        frontEnd = new FrontEndSettings(
            (int)number(p, "frontend.entry.bytes.max", FrontEndSettings.DEFAULT_ENTRY_BYTES_MAX,
                4096, 64 << 20, problems),
            (int)number(p, "frontend.entries.inflight.max", FrontEndSettings.DEFAULT_ENTRIES_IN_FLIGHT_MAX,
                1, 64, problems),
            number(p, "frontend.queue.bytes.max", FrontEndSettings.DEFAULT_QUEUE_BYTES_MAX, 64 * 1024,
                1L << 34, problems),
            (int)number(p, "frontend.threads", FrontEndSettings.DEFAULT_SUBMIT_THREADS, 1, 64, problems),
            (int)number(p, "frontend.request.bytes.max", FrontEndSettings.DEFAULT_REQUEST_BYTES_MAX,
                64 * 1024, 256 << 20, problems),
            number(p, "frontend.leader.wait.ms", FrontEndSettings.DEFAULT_LEADER_WAIT_MS, 0, 60_000,
                problems),
            number(p, "frontend.entry.interval.max.us", FrontEndSettings.DEFAULT_ENTRY_INTERVAL_MAX_US,
                0, 1_000_000, problems));
        checkRelations(problems);
        if (!problems.isEmpty())
        {
            throw new IllegalArgumentException("invalid node configuration " + source + ":\n  - "
                + String.join("\n  - ", problems));
        }
    }

    private void checkRelations(final List<String> problems)
    {
        if (frontEnd.requestBytesMax() < shardMaxBatchBytes + 4096)
        {
            problems.add("frontend.request.bytes.max (" + frontEnd.requestBytesMax()
                + ") must exceed shard.max.batch.bytes ("
                + shardMaxBatchBytes + ") by a request's framing (4096), or a largest batch could never be sent");
        }
        if (frontEnd.queueBytesMax() < shardMaxBatchBytes)
        {
            problems.add("frontend.queue.bytes.max (" + frontEnd.queueBytesMax()
                + ") must be at least shard.max.batch.bytes ("
                + shardMaxBatchBytes + "), or a largest batch could never be queued");
        }
        if (electionTimeoutMaxMs <= electionTimeoutMinMs)
        {
            problems.add("raft.election.timeout.max.ms (" + electionTimeoutMaxMs + ") must be greater than"
                + " raft.election.timeout.min.ms (" + electionTimeoutMinMs + ")");
        }
        if (requestTimeoutMs < raftTimeoutMaxMs())
        {
            problems.add("raft.request.timeout.ms (" + requestTimeoutMs
                + ") should be at least raft.election.timeout.max.ms ("
                + raftTimeoutMaxMs() + (raftTimeoutMaxMs() != electionTimeoutMaxMs ? ", as stretched by "
                + FAULT_READS_WITHOUT_READINDEX : "") + ") so a request can outlive one election");
        }
        if (leaderRebalanceIntervalMs != 0 && leaderRebalanceIntervalMs < electionTimeoutMaxMs)
        {
            problems.add("leader.rebalance.interval.ms (" + leaderRebalanceIntervalMs
                + ") should be 0 (off) or at least"
                + " raft.election.timeout.max.ms (" + electionTimeoutMaxMs
                    + "): a shard's leadership would move again before"
                + " the last move's election is surely over");
        }
        if (!Set.of("none", "logging", "otlp").contains(tracingExporter))
        {
            problems.add("tracing.exporter is '" + tracingExporter + "'; use none, logging or otlp");
        }
        if (!RaftSettings.isTransport(transport))
        {
            problems.add("transport is '" + transport
                + "'; use aeron, grpc, netty or the class name of a Ratis RpcType");
        }
        if (transport.equals("aeron"))
        {
            try
            {
                // Checked now, not when Ratis builds the RPC: the node refuses to start with the setting named.
                AeronTransportConfig.fromProperties(aeronSettings::get).validate();
            }
            catch (final IllegalArgumentException e)
            {
                problems.add(e.getMessage());
            }
        }
        if (metadataPeers.isEmpty())
        {
            problems.add("metadata.peers is required: the metadata quorum as id@host:port,... (1, 3 or 5 nodes)");
        }
        else if (metadataPeers.size() % 2 == 0)
        {
            problems.add("metadata.peers lists " + metadataPeers.size() + " nodes; use an odd number (1, 3 or 5)");
        }
        if (nodeId != null && metadataPeers.containsKey(nodeId) && port > 0
            && !metadataPeers.get(nodeId).equals(host + ":" + port))
        {
            problems.add("metadata.peers says " + nodeId + " is at " + metadataPeers.get(nodeId)
                + " but node.host:node.port is " + host + ":" + port + "; make them agree");
        }
    }

    private static final Set<String> TLS_KEYS = Set.of(TlsSettings.ENABLED, TlsSettings.CA_FILE,
        TlsSettings.CERT_FILE, TlsSettings.KEY_FILE, TlsSettings.VERIFY_HOSTNAME, TlsSettings.RELOAD_CHECK_MS,
        TlsSettings.HANDSHAKE_TIMEOUT_MS);

    private static Set<String> adminPrincipals(final String text, final List<String> problems)
    {
        final Set<String> principals = new TreeSet<>();
        for (final String item : text.split(","))
        {
            final String principal = item.trim();
            if (principal.isEmpty())
            {
                continue;
            }
            try
            {
                principals.add(PeerIdentity.parse(principal).toString());
            }
            catch (final IllegalArgumentException e)
            {
                problems.add("security.admin.principals: " + e.getMessage());
            }
        }
        return Set.copyOf(principals);
    }

    private static TlsSettings tlsSettings(final Properties p, final String transport, final List<String> problems)
    {
        try
        {
            final TlsSettings settings = TlsSettings.fromProperties(p::getProperty).validate();
            if (settings.enabled() && !RaftSettings.TRANSPORTS.contains(transport))
            {
                problems.add(TlsSettings.ENABLED + "=true needs transport=" + String.join(", ", RaftSettings.TRANSPORTS)
                    + ": Tributary cannot put TLS on a Ratis RpcType named by class (" + transport + ")");
            }
            return settings;
        }
        catch (final IllegalArgumentException e)
        {
            problems.add(e.getMessage());
            return TlsSettings.disabled();
        }
    }

    /**
     * The {@code transport.aeron.*} settings as given: a secure node runs its media driver in the network thread
     * (INVOKER) like a plain one. It ran it on a thread of its own (SHARED) while the network thread could wait for a
     * TLS sender that waited for that driver; since the network thread never waits for one, INVOKER acknowledges
     * 20,000 records/s in full at less CPU per record, where SHARED's spinning thread cost a third of the maximum on
     * two cores (docs/benchmarks.md, "2026-12-07, morning").
     */
    private static Map<String, String> aeronSettings(final Properties p)
    {
        final Map<String, String> settings = new TreeMap<>();
        for (final String key : p.stringPropertyNames())
        {
            if (key.startsWith(AeronTransportConfig.PREFIX))
            {
                settings.put(key, p.getProperty(key).trim());
            }
        }
        return Map.copyOf(settings);
    }

    public static NodeConfig load(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException("cannot read node configuration " + file + ": " + e.getMessage(), e);
        }
        return new NodeConfig(properties, file.toString());
    }

    public static NodeConfig of(final Properties properties)
    {
        return new NodeConfig(properties, "(properties)");
    }

    /** The test-only fault switches that are on (empty in production), as {@code key=true} for the start-up warning. */
    public List<String> faultsOn()
    {
        final List<String> on = new ArrayList<>();
        if (faultReadsWithoutReadIndex)
        {
            on.add(FAULT_READS_WITHOUT_READINDEX + "=true");
        }
        if (faultReplayOffByOne)
        {
            on.add(FAULT_REPLAY_OFF_BY_ONE + "=true");
        }
        if (faultHaltMidEntry)
        {
            on.add(FAULT_HALT_MID_ENTRY + "=true");
        }
        return on;
    }

    /**
     * How long a leader keeps its role without hearing from a majority: Ratis steps a leader down
     * once no majority answered within the maximum election timeout (LeaderStateImpl.checkLeadership),
     * which is also the upper bound of the followers' random election timeout. Under
     * {@link #faultReadsWithoutReadIndex} it is stretched to 4 x the minimum, so a deposed leader
     * keeps serving stale reads for seconds after a new leader is elected and the bug shows reliably.
     */
    public long raftTimeoutMaxMs()
    {
        return faultReadsWithoutReadIndex ? Math.max(electionTimeoutMaxMs, 4 * electionTimeoutMinMs)
            : electionTimeoutMaxMs;
    }

    public boolean isMetadataMember()
    {
        return metadataPeers.containsKey(nodeId);
    }

    public String address()
    {
        return host + ":" + port;
    }

    private static String required(final Properties p, final String key, final List<String> problems)
    {
        final String value = p.getProperty(key);
        if (value == null || value.isBlank())
        {
            problems.add(key + " is required");
            return null;
        }
        return value.trim();
    }

    private static long number(final Properties p, final String key, final long defaultValue, final long min,
        final long max,
        final List<String> problems)
    {
        final String value = p.getProperty(key);
        if (value == null)
        {
            if (defaultValue < 0)
            {
                problems.add(key + " is required");
            }
            return defaultValue;
        }
        try
        {
            final long parsed = Long.parseLong(value.trim());
            if (parsed < min || parsed > max)
            {
                problems.add(key + " is " + parsed + "; it must be in [" + min + ", " + max + "]");
            }
            return parsed;
        }
        catch (final NumberFormatException e)
        {
            problems.add(key + " is '" + value + "'; it must be a whole number");
            return defaultValue;
        }
    }

    private static boolean bool(final Properties p, final String key, final boolean defaultValue,
        final List<String> problems)
    {
        final String value = p.getProperty(key);
        if (value == null)
        {
            return defaultValue;
        }
        if (!Set.of("true", "false").contains(value.trim()))
        {
            problems.add(key + " is '" + value + "'; it must be true or false");
            return defaultValue;
        }
        return Boolean.parseBoolean(value.trim());
    }

    private static RollCycle rollCycle(final String name, final List<String> problems)
    {
        for (final RollCycle cycle : RollCycles.all())
        {
            if (cycle.toString().equals(name))
            {
                return cycle;
            }
        }
        for (final RollCycle cycle : TestRollCycles.values())
        {
            if (cycle.toString().equals(name))
            {
                return cycle;
            }
        }
        problems.add("shard.roll.cycle is '" + name
            + "'; use a Chronicle roll cycle such as FAST_HOURLY (default), FAST_DAILY, TEN_MINUTELY or TEST_SECONDLY");
        return RollCycles.FAST_HOURLY;
    }

    private static Durability enumValue(final String value, final List<String> problems)
    {
        try
        {
            return Durability.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException e)
        {
            problems.add("durability is '" + value
                + "'; use fsync (default, safe) or nofsync (faster, loses data on power loss)");
            return Durability.FSYNC;
        }
    }

    /** Parses {@code id@host:port,id@host:port}. */
    public static Map<String, String> peers(final String text, final List<String> problems)
    {
        final Map<String, String> peers = new LinkedHashMap<>();
        if (text.isBlank())
        {
            return peers;
        }
        for (final String entry : text.split(","))
        {
            final String trimmed = entry.trim();
            final int at = trimmed.indexOf('@');
            final int colon = trimmed.lastIndexOf(':');
            if (at <= 0 || colon < at + 2 || colon == trimmed.length() - 1)
            {
                problems.add("metadata.peers entry '" + trimmed + "' is not id@host:port");
                continue;
            }
            peers.put(trimmed.substring(0, at), trimmed.substring(at + 1));
        }
        return peers;
    }
}
