package io.tributary.raft.meta;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import io.tributary.protocol.access.AuditRecord;
import io.tributary.protocol.access.Grant;

import org.apache.ratis.protocol.RaftGroupId;

/**
 * The cluster's metadata, replicated by the metadata Raft group: nodes, streams, the current
 * replicas of every shard, the next producer id, the roles granted to principals. Changed only through {@link #apply}, which is
 * deterministic; read through the query methods. Serialised as text lines for snapshots.
 * Not thread-safe: the state machine guards it.
 */
public final class ClusterMetadata
{
    /** A node's place in the cluster. */
    public enum NodeState
    {
        /** Known (it has registered its address) but holds no replicas until added. */
        REGISTERED,
        /** Holds replicas. */
        ACTIVE,
        /** Being emptied: placement excludes it, its replicas move away. */
        DRAINING
    }

    /** A node and its address (host:port of its Raft server). */
    public record Node(String id, String address, NodeState state)
    {
    }

    /** A stream. {@code deleting}: its shard groups are being removed. */
    public record Stream(long id, String name, int shards, int replicationFactor, long retentionBytes, long retentionMs,
        boolean deleting)
    {
    }

    /**
     * The last placement computed and its input (shards with their replication factor, active nodes),
     * shared by all instances: the controller asks on every pass, twice a second, each time on a fresh
     * copy of the metadata, while the input changes only when streams or nodes do, and spreading the
     * preferred leaders of thousands of shards takes a good part of a second (PreferredLeaders).
     * Guarded by the class.
     */
    private static Map<Placement.ShardId, Integer> lastPlacedShards;
    private static List<String> lastPlacedNodes;
    private static Map<Placement.ShardId, List<String>> lastPlacement;

    private final Map<String, Node> nodes = new TreeMap<>();
    private final Map<String, Stream> streams = new TreeMap<>();
    private final Map<String, List<String>> replicas = new TreeMap<>();
    private long nextStreamId = 1;
    private long nextProducerId = 1;
    /** Roles granted (security on), ordered by their text so the snapshot and the listing are stable. */
    private final Map<String, Grant> grants = new TreeMap<>();

    public static RaftGroupId groupIdOf(final long streamId, final int shard)
    {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("tributary-shard/" + streamId + "/" + shard)
            .getBytes(StandardCharsets.UTF_8)));
    }

    public static String shardKey(final long streamId, final int shard)
    {
        return streamId + "/" + shard;
    }

    /** A node id: what names its Raft peer, its folder and its lines here; no separator can hide in one. */
    public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** host:port, the host a name or an IPv4 or bracketed IPv6 address. */
    public static final Pattern ADDRESS = Pattern.compile(
        "(?:[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]):[0-9]{1,5}");

    /** Why {@code id} is not a valid node id, or null. */
    public static String invalidNodeId(final String id)
    {
        return NODE_ID.matcher(id).matches() ? null : "node id '" + printable(id)
            + "' must be 1-64 characters of A-Z a-z 0-9 . _ -";
    }

    /** Why {@code address} is not a valid host:port, or null. */
    public static String invalidAddress(final String address)
    {
        if (!ADDRESS.matcher(address).matches())
        {
            return "address '" + printable(address)
                + "' must be host:port (a name, an IPv4 address or a bracketed IPv6 one)";
        }
        final int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        return port >= 1 && port <= 65535 ? null : "address '" + address + "' has port " + port + ", outside 1-65535";
    }

    private static String printable(final String text)
    {
        final String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * Applies one command; returns "OK ..." or "ERR ..." (tab-separated). Deterministic. A command is
     * one line of tab-separated fields: a line break anywhere, a wrong field count, or a node id or
     * address outside their syntax is refused, so no value can break the parsing of this command or of
     * the snapshot, whose lines are these values joined the same way.
     */
    public String apply(final String command)
    {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0)
        {
            return "ERR\tmetadata command '" + printable(command) + "' holds a line break; no field may";
        }
        final String[] f = command.split("\t", -1);
        final Integer fields = FIELD_COUNTS.get(f[0]);
        if (fields != null && f.length != fields)
        {
            return "ERR\tmetadata command " + f[0] + " takes " + (fields - 1) + " fields, got " + (f.length - 1)
                + " (a value holding a tab?)";
        }
        try
        {
            switch (f[0])
            {
                case "REGISTER":
                {
                    final String invalid = invalidNodeId(f[1]) != null ? invalidNodeId(f[1]) : invalidAddress(f[2]);
                    return invalid != null ? "ERR\tcannot register: " + invalid
                        : register(f[1], f[2], Boolean.parseBoolean(f[3]));
                }
                case "ADD_NODE": return setNodeState(f[1], NodeState.ACTIVE);
                case "REMOVE_NODE": return setNodeState(f[1], NodeState.DRAINING);
                case "FORGET_NODE": return forgetNode(f[1]);
                case "CREATE_STREAM": return createStream(f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]));
                case "DELETE_STREAM": return deleteStream(f[1]);
                case "STREAM_REMOVED": return streamRemoved(f[1]);
                case "SET_REPLICAS": return setReplicas(f[1], f[2].isEmpty() ? List.of()
                    : Arrays.asList(f[2].split(",")));
                case "ALLOC_PRODUCER_ID": return "OK\t" + nextProducerId++;
                case "GRANT": return grant(f[1], f[2], f[3]);
                case "REVOKE": return revoke(f[1], f[2], f[3]);
                default: return "ERR\tunknown metadata command '" + f[0] + "'";
            }
        }
        catch (final ArrayIndexOutOfBoundsException | NumberFormatException e)
        {
            return "ERR\tmalformed metadata command '" + command.replace('\t', ' ') + "': " + e.getMessage();
        }
    }

    private static final Map<String, Integer> FIELD_COUNTS = Map.ofEntries(Map.entry("REGISTER", 4),
        Map.entry("ADD_NODE", 2), Map.entry("REMOVE_NODE", 2), Map.entry("FORGET_NODE", 2),
        Map.entry("CREATE_STREAM", 6), Map.entry("DELETE_STREAM", 2), Map.entry("STREAM_REMOVED", 2),
        Map.entry("SET_REPLICAS", 3), Map.entry("ALLOC_PRODUCER_ID", 1), Map.entry("GRANT", 4),
        Map.entry("REVOKE", 4));

    private String register(final String id, final String address, final boolean bootstrap)
    {
        final Node existing = nodes.get(id);
        final NodeState state = existing != null ? existing.state() : bootstrap ? NodeState.ACTIVE
            : NodeState.REGISTERED;
        nodes.put(id, new Node(id, address, state));
        return "OK\t" + state;
    }

    /** Binds a role to a principal on a stream pattern; granting one that exists changes nothing. */
    private String grant(final String principal, final String role, final String streams)
    {
        final Grant grant;
        try
        {
            grant = Grant.parse(principal, role, streams);
        }
        catch (final IllegalArgumentException e)
        {
            return "ERR\tcannot grant: " + e.getMessage();
        }
        return grants.putIfAbsent(grant.toString(), grant) == null ? "OK\tgranted" : "OK\talready granted";
    }

    private String revoke(final String principal, final String role, final String streams)
    {
        final Grant grant;
        try
        {
            grant = Grant.parse(principal, role, streams);
        }
        catch (final IllegalArgumentException e)
        {
            return "ERR\tcannot revoke: " + e.getMessage();
        }
        if (grants.remove(grant.toString()) == null)
        {
            return "ERR\tno grant '" + grant + "' to revoke (grants of " + principal + ": " + grants.values().stream()
                .filter(g -> g.principal().equals(principal)).map(Grant::toString).toList() + ")";
        }
        return "OK\trevoked";
    }

    /** Every role granted, in a stable order. */
    public List<Grant> grants()
    {
        return List.copyOf(grants.values());
    }

    private String setNodeState(final String id, final NodeState state)
    {
        final Node node = nodes.get(id);
        if (node == null)
        {
            return "ERR\tunknown node '" + id + "': start it first so that it registers (known: " + nodes.keySet()
                + ")";
        }
        if (state == NodeState.DRAINING && activeNodes().size() <= 1)
        {
            return "ERR\tcannot remove node '" + id + "': it is the last active node";
        }
        nodes.put(id, new Node(id, node.address(), state));
        return "OK\t" + state;
    }

    private String forgetNode(final String id)
    {
        final Node node = nodes.get(id);
        if (node == null || node.state() != NodeState.DRAINING)
        {
            return "ERR\tnode '" + id + "' is not draining";
        }
        for (final List<String> peers : replicas.values())
        {
            if (peers.contains(id))
            {
                return "ERR\tnode '" + id + "' still holds replicas";
            }
        }
        nodes.put(id, new Node(id, node.address(), NodeState.REGISTERED));
        return "OK\tREGISTERED";
    }

    private String createStream(final String name, final int shards, final int rf, final long retentionBytes,
        final long retentionMs)
    {
        if (!name.matches("[A-Za-z0-9._-]{1,200}"))
        {
            return "ERR\tstream name '" + name + "' is invalid: use 1 to 200 letters, digits, '.', '_' or '-'";
        }
        if (streams.containsKey(name))
        {
            return "ERR\tstream '" + name + "' already exists";
        }
        if (shards < 1 || shards > 4096)
        {
            return "ERR\tshard count " + shards + " is invalid: use 1 to 4096";
        }
        if (rf < 1 || rf > 7)
        {
            return "ERR\treplication factor " + rf + " is invalid: use 1 to 7";
        }
        // The audit trail is created by the first event that needs it, often while the cluster is still starting: it
        // takes RF 3 at once and its placement grows with the active nodes (Placement caps a shard at their count),
        // where a factor fixed by the nodes active at that moment (two, at a 5-node start) would stay that low.
        if (rf > activeNodes().size() && !name.equals(AuditRecord.STREAM))
        {
            return "ERR\treplication factor " + rf + " needs " + rf + " active nodes; the cluster has " + activeNodes()
                .size();
        }
        final Stream stream = new Stream(nextStreamId++, name, shards, rf, retentionBytes, retentionMs, false);
        streams.put(name, stream);
        return "OK\t" + stream.id();
    }

    private String deleteStream(final String name)
    {
        final Stream stream = streams.get(name);
        if (stream == null || stream.deleting())
        {
            return "ERR\tunknown stream '" + name + "'";
        }
        streams.put(name, new Stream(stream.id(), name, stream.shards(), stream.replicationFactor(),
            stream.retentionBytes(),
            stream.retentionMs(), true));
        return "OK\tDELETING";
    }

    private String streamRemoved(final String name)
    {
        final Stream stream = streams.remove(name);
        if (stream == null)
        {
            return "ERR\tunknown stream '" + name + "'";
        }
        for (int shard = 0; shard < stream.shards(); shard++)
        {
            replicas.remove(shardKey(stream.id(), shard));
        }
        return "OK";
    }

    private String setReplicas(final String shardKey, final List<String> peers)
    {
        for (final String peer : peers)
        {
            if (!nodes.containsKey(peer))
            {
                return "ERR\tSET_REPLICAS " + printable(shardKey) + " names '" + printable(peer)
                    + "', which is not a known node";
            }
        }
        replicas.put(shardKey, new ArrayList<>(peers));
        return "OK";
    }

    // ---------------------------------------------------------------- queries

    public List<String> activeNodes()
    {
        final List<String> active = new ArrayList<>();
        nodes.values().stream().filter(n -> n.state() == NodeState.ACTIVE).forEach(n -> active.add(n.id()));
        return active;
    }

    public Map<String, Node> nodes()
    {
        return nodes;
    }

    public Map<String, Stream> streams()
    {
        return streams;
    }

    public List<String> replicasOf(final long streamId, final int shard)
    {
        return replicas.getOrDefault(shardKey(streamId, shard), List.of());
    }

    /**
     * The placement the controller works towards, for every live stream; the first replica of each
     * shard is its preferred leader. Lists are fresh copies the caller may change.
     */
    public Map<Placement.ShardId, List<String>> targetPlacement()
    {
        final Map<Placement.ShardId, Integer> shards = new LinkedHashMap<>();
        for (final Stream stream : streams.values())
        {
            if (!stream.deleting())
            {
                for (int shard = 0; shard < stream.shards(); shard++)
                {
                    shards.put(new Placement.ShardId(stream.id(), shard), stream.replicationFactor());
                }
            }
        }
        final List<String> active = activeNodes();
        synchronized (ClusterMetadata.class)
        {
            if (!shards.equals(lastPlacedShards) || !active.equals(lastPlacedNodes))
            {
                lastPlacement = Placement.place(shards, active);
                lastPlacedShards = shards;
                lastPlacedNodes = active;
            }
            final Map<Placement.ShardId, List<String>> copy = new LinkedHashMap<>();
            lastPlacement.forEach((shard, peers) -> copy.put(shard, new ArrayList<>(peers)));
            return copy;
        }
    }

    // ---------------------------------------------------------------- snapshot

    public String serialize()
    {
        final StringBuilder out = new StringBuilder("TRIBUTARY-METADATA\t1\n");
        out.append("COUNTERS\t").append(nextStreamId).append('\t').append(nextProducerId).append('\n');
        nodes.values().forEach(n -> out.append("NODE\t").append(n.id()).append('\t').append(n.address()).append('\t')
            .append(n.state()).append('\n'));
        streams.values().forEach(s -> out.append("STREAM\t").append(s.id()).append('\t').append(s.name()).append('\t')
            .append(s.shards()).append('\t').append(s.replicationFactor()).append('\t').append(s.retentionBytes())
                .append('\t')
            .append(s.retentionMs()).append('\t').append(s.deleting()).append('\n'));
        replicas.forEach((k, v) -> out.append("REPLICAS\t").append(k).append('\t').append(String.join(",", v))
            .append('\n'));
        grants.values().forEach(g -> out.append("GRANT\t").append(String.join("\t", g.fields())).append('\n'));
        return out.toString();
    }

    public static ClusterMetadata deserialize(final String text)
    {
        final ClusterMetadata metadata = new ClusterMetadata();
        final String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals("TRIBUTARY-METADATA\t1"))
        {
            throw new IllegalArgumentException("not a Tributary metadata snapshot (version 1): first line is '"
                + (lines.length == 0 ? "" : lines[0]) + "'");
        }
        for (int i = 1; i < lines.length; i++)
        {
            final String[] f = lines[i].split("\t", -1);
            switch (f[0])
            {
                case "COUNTERS" ->
                {
                    metadata.nextStreamId = Long.parseLong(f[1]);
                    metadata.nextProducerId = Long.parseLong(f[2]);
                }
                case "NODE" -> metadata.nodes.put(f[1], new Node(f[1], f[2], NodeState.valueOf(f[3])));
                case "STREAM" -> metadata.streams.put(f[2],
                    new Stream(Long.parseLong(f[1]), f[2], Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Boolean.parseBoolean(f[7])));
                case "REPLICAS" -> metadata.replicas.put(f[1], f[2].isEmpty() ? new ArrayList<>()
                    : new ArrayList<>(Arrays.asList(f[2].split(","))));
                case "GRANT" ->
                {
                    final Grant grant = Grant.parse(f[1], f[2], f[3]);
                    metadata.grants.put(grant.toString(), grant);
                }
                default -> throw new IllegalArgumentException("metadata snapshot line " + (i + 1) + " is unknown: "
                    + lines[i]);
            }
        }
        return metadata;
    }
}
