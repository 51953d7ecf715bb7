package io.tributary.raft.node;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.rpc.TributaryGrpcRpcType;
import io.tributary.raft.rpc.TributaryNettyRpcType;
import io.tributary.transport.rpc.AeronRpcType;

/**
 * Ratis properties for servers and clients, from the node configuration. The transport is chosen here by name alone
 * ({@code aeron}, the default, {@code grpc}, {@code netty} or an RpcType class name), so a new transport plugs in
 * without touching the state machines or the client logic.
 */
public final class RaftSettings
{
    /** Transports known by name; any other value must be the class name of a Ratis RpcType. */
    public static final List<String> TRANSPORTS = List.of("aeron", "grpc", "netty");
    public static final String DEFAULT_TRANSPORT = "aeron";

    private RaftSettings()
    {
    }

    /** A transport known by name, or (containing a dot) the class name of a Ratis RpcType. */
    public static boolean isTransport(final String name)
    {
        return TRANSPORTS.contains(name) || name.contains(".");
    }

    public static RpcType rpcType(final String transport)
    {
        return switch (transport)
        {
            case "aeron" -> RpcType.valueOf(AeronRpcType.class.getName());
            case "grpc" -> RpcType.valueOf(TributaryGrpcRpcType.NAME);
            case "netty" -> RpcType.valueOf(TributaryNettyRpcType.NAME);
            default -> RpcType.valueOf(transport);
        };
    }

    public static RaftProperties server(final NodeConfig config)
    {
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, rpcType(config.transport));
        GrpcConfigKeys.Server.setPort(properties, config.port);
        NettyConfigKeys.Server.setPort(properties, config.port);
        config.aeronSettings.forEach(properties::set);
        config.tls.toProperties(properties::set);
        // Aeron listens on the node's own address (UDP, same port number); the driver directory is
        // named by node and port, unique on this host while the port is bound.
        properties.set(AeronTransportConfig.PREFIX + "server.address", config.address());
        properties.setIfUnset(AeronTransportConfig.PREFIX + "node.name", aeronNodeName(config));
        GrpcConfigKeys.setMessageSizeMax(properties, SizeInBytes.valueOf(config.shardMaxBatchBytes * 4L + (2 << 20)));
        RaftServerConfigKeys.setStorageDir(properties, List.of(config.dataDir.resolve("raft").toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties,
            TimeDuration.valueOf(config.electionTimeoutMinMs, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties,
            TimeDuration.valueOf(config.raftTimeoutMaxMs(), TimeUnit.MILLISECONDS));
        // A replica that has just started (a node restart, a new group) and hears from no leader campaigns after an
        // eighth to a quarter of the election timeout instead of 1-2 s: a shard that lost two of its three replicas
        // waited 1.5 s after they came back for its election (docs/jepsen.md). Safe with leases: its pre-vote is
        // refused by every replica that still hears from a leader, and a leader's lease lasts only while a
        // majority does.
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties,
            TimeDuration.valueOf(Math.max(1, config.electionTimeoutMinMs / 8), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties,
            TimeDuration.valueOf(Math.max(2, config.electionTimeoutMinMs / 4), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(properties,
            TimeDuration.valueOf(config.requestTimeoutMs, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        // With a lease (renewed by the heartbeats and appends a majority acknowledges, valid for 0.9 of the
        // election timeout), the leader answers a linearizable read at once instead of confirming its
        // leadership with a round of heartbeats per read.
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(properties, config.raftReadLease);
        if (config.faultReadsWithoutReadIndex)
        {
            // Test-only fault: Ratis's DEFAULT read option queries the state machine of whoever believes it
            // leads (RaftServerImpl.readAsync checks only its own role), no ReadIndex, no lease. A leader cut
            // off from its majority believes it until raftTimeoutMaxMs passes without a majority's reply.
            RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.DEFAULT);
            RaftServerConfigKeys.Read.setLeaderLeaseEnabled(properties, false);
        }
        // Off: no extra commit-index entry per commit (replicated and fsynced everywhere); a restarted
        // replica learns the commit index from the leader instead.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(properties, config.raftLogMetadata);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        // No snapshot at a clean stop: Ratis 3.3 cannot restart a replica whose open Raft segment ends below its
        // latest snapshot (a truncated or torn segment file): it purges only closed segments, then refuses every
        // append with "gap between entries" forever. The engine's clean-shutdown snapshot already makes the
        // restart cheap (replayed entries are skipped), and without a Raft snapshot a damaged shard log is rebuilt
        // from the whole Raft log (ShardStateMachine.openVerified). docs/ARCHITECTURE.md, "Disk faults".
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(properties, false);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, config.snapshotAutoEntries);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgeGap(properties, config.raftLogPurgeGap);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(config.raftLogSegmentBytes));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf(config.raftLogPreallocatedBytes));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(properties,
            SizeInBytes.valueOf(config.shardMaxBatchBytes * 4L));
        // Fewer hand-offs per entry (WRITE-PATH.md, lever 2): a follower appends on the thread that received the
        // appendEntries instead of hopping through the common pool and the server executor (RATIS-2387; one
        // group's appendEntries already arrive one at a time, in order, from the transport's lane), and the
        // appender and the log writer stop taking a read lock on the log for each entry (RATIS-2129).
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(properties, false);
        RaftServerConfigKeys.Log.setReadLockEnabled(properties, false);
        // Fixed, small per-division pools (a thread each, kept): cached pools start threads under load and let
        // them die when it drops, and a node hosts a division per shard. Shard writes bypass the client pool
        // (the front end submits to the division directly); the metadata group's requests still use it.
        RaftServerConfigKeys.ThreadPool.setServerCached(properties, false);
        RaftServerConfigKeys.ThreadPool.setServerSize(properties, 1);
        RaftServerConfigKeys.ThreadPool.setClientCached(properties, false);
        RaftServerConfigKeys.ThreadPool.setClientSize(properties, 1);
        // A lagging follower is told to fetch state itself (ShardStateMachine) rather than receive files.
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(properties, false);
        if (config.durability == NodeConfig.Durability.NOFSYNC)
        {
            // Acknowledge once written, before the flush completes (Ratis refuses unsafe and async flush together).
            RaftServerConfigKeys.Log.setUnsafeFlushEnabled(properties, true);
        }
        return properties;
    }

    /**
     * The node's media-driver name: its Aeron directory is named after it (unique per host while the port is bound).
     */
    public static String aeronNodeName(final NodeConfig config)
    {
        return config.nodeId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + config.port;
    }

    /** A Raft client's properties for a cluster without TLS (tools and tests). */
    public static RaftProperties client(final String transport, final long requestTimeoutMs)
    {
        return client(transport, TlsSettings.disabled(), requestTimeoutMs);
    }

    /** A Raft client's properties: its transport, with TLS when {@code tls} is on (a node's own certificate). */
    public static RaftProperties client(final String transport, final TlsSettings tls, final long requestTimeoutMs)
    {
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, rpcType(transport));
        tls.toProperties(properties::set);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
            TimeDuration.valueOf(requestTimeoutMs, TimeUnit.MILLISECONDS));
        GrpcConfigKeys.setMessageSizeMax(properties, SizeInBytes.valueOf(64 << 20));
        return properties;
    }

    /** Bounded, so a dead cluster turns into an error rather than a hung caller. */
    public static RetryPolicy retryPolicy(final int attempts, final long sleepMs)
    {
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
            TimeDuration.valueOf(sleepMs, TimeUnit.MILLISECONDS));
    }

    public static RaftPeer peer(final String id, final String address)
    {
        return RaftPeer.newBuilder().setId(id).setAddress(address).build();
    }

    public static RaftGroup group(final RaftGroupId groupId, final Map<String, String> peers)
    {
        return RaftGroup.valueOf(groupId, peers.entrySet().stream().map(e -> peer(e.getKey(), e.getValue())).toList());
    }

    /** A Raft client of a cluster without TLS (tools and tests). */
    public static RaftClient newClient(final RaftGroup group, final String transport, final long requestTimeoutMs,
        final RetryPolicy retryPolicy)
    {
        return newClient(group, transport, TlsSettings.disabled(), requestTimeoutMs, retryPolicy);
    }

    /** A Raft client; with {@code tls} on, it must be a node certificate's (only nodes speak Raft). */
    public static RaftClient newClient(final RaftGroup group, final String transport, final TlsSettings tls,
        final long requestTimeoutMs, final RetryPolicy retryPolicy)
    {
        return RaftClient.newBuilder().setRaftGroup(group).setProperties(client(transport, tls, requestTimeoutMs))
            .setRetryPolicy(retryPolicy).build();
    }
}
