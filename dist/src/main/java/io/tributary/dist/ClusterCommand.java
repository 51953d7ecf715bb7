package io.tributary.dist;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import io.tributary.bench.load.Durations;
import io.tributary.client.Admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tributary cluster status|add-node|remove-node|transfer-leader}. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Cluster status and membership.",
    subcommands = {ClusterCommand.Status.class, ClusterCommand.AddNode.class, ClusterCommand.RemoveNode.class,
        ClusterCommand.TransferLeader.class})
public final class ClusterCommand implements Runnable
{
    private static final String REPLICAS_HEADER = "REPLICAS (applied index, lag in records)";

    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * One line per shard: leader, next offset, replicas, and the preferred leader (the first replica:
     * the metadata lists them in placement order and the admin keeps it), marked when it does not lead.
     */
    static void printShards(final PrintWriter out, final List<Admin.ShardStatus> shards)
    {
        final List<String> replicaColumns = new ArrayList<>();
        int width = REPLICAS_HEADER.length();
        for (final Admin.ShardStatus shard : shards)
        {
            final StringBuilder replicas = new StringBuilder();
            for (final Admin.ReplicaStatus replica : shard.replicas())
            {
                replicas.append(replica.nodeId()).append(replica.leader() ? "*" : "");
                replicas.append(replica.error() != null ? " (unreachable)" : " (" + replica.appliedIndex() + ", lag "
                    + replica.lagRecords() + ")").append("  ");
            }
            replicaColumns.add(replicas.toString().strip());
            width = Math.max(width, replicaColumns.get(replicaColumns.size() - 1).length());
        }
        final String format = "  %-5s %-8s %12s  %-" + width + "s  %s%n";
        out.printf(format, "SHARD", "LEADER", "NEXT OFFSET", REPLICAS_HEADER, "PREFERRED");
        for (int i = 0; i < shards.size(); i++)
        {
            final Admin.ShardStatus shard = shards.get(i);
            final String preferred = preferredLeader(shard);
            final String preferredColumn = preferred == null ? "-" : shard.leader() != null && !shard.leader()
                .equals(preferred) ? preferred + " (not leading)" : preferred;
            out.printf(format, shard.shard(), shard.leader() == null ? "-" : shard.leader(), shard.nextOffset(),
                replicaColumns.get(i), preferredColumn);
        }
    }

    /** The shard's preferred leader: its first replica in placement order; null if it has none yet. */
    static String preferredLeader(final Admin.ShardStatus shard)
    {
        return shard.replicas().isEmpty() ? null : shard.replicas().get(0).nodeId();
    }

    /** Nodes with the shards each leads and is preferred for; then every stream's shards; then the balance. */
    static void printStatus(final PrintWriter out, final Admin.ClusterStatus status)
    {
        final Map<String, int[]> leadership = leadership(status);
        out.println("nodes:");
        for (final Admin.NodeInfo node : status.nodes())
        {
            final int[] counts = leadership.getOrDefault(node.id(), new int[3]);
            out.printf("  %-8s %-22s %-10s leads %d, preferred for %d%s%n", node.id(), node.address(), node.state(),
                counts[0],
                counts[1], counts[2] == 0 ? "" : "  << imbalanced: " + counts[2]
                    + " of its preferred shards led elsewhere");
        }
        status.streams().forEach((stream, shards) ->
        {
            out.println("stream " + stream + ":");
            printShards(out, shards);
        });
        final int elsewhere = leadership.values().stream().mapToInt(counts -> counts[2]).sum();
        final int shards = status.streams().values().stream().mapToInt(List::size).sum();
        out.println(elsewhere == 0 ? "leadership: every led shard is led by its preferred replica"
            : "leadership: " + elsewhere + " of " + shards
                + " shards not led by their preferred replica (the controller"
                + " moves them back once it is caught up; leader.rebalance.interval.ms)");
    }

    /** Node -> {shards it leads, shards it is preferred for, of those the ones another replica leads}. */
    static Map<String, int[]> leadership(final Admin.ClusterStatus status)
    {
        final Map<String, int[]> counts = new TreeMap<>();
        for (final List<Admin.ShardStatus> shards : status.streams().values())
        {
            for (final Admin.ShardStatus shard : shards)
            {
                final String preferred = preferredLeader(shard);
                if (shard.leader() != null)
                {
                    counts.computeIfAbsent(shard.leader(), id -> new int[3])[0]++;
                }
                if (preferred != null)
                {
                    counts.computeIfAbsent(preferred, id -> new int[3])[1]++;
                    if (shard.leader() != null && !shard.leader().equals(preferred))
                    {
                        counts.get(preferred)[2]++;
                    }
                }
            }
        }
        return counts;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Nodes (shards each leads and is preferred for), streams, shards, leaders and preferred "
            + "leaders, each replica's applied index and lag.")
    static final class Status implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            try (Admin admin = StreamCommand.admin(cluster))
            {
                final Admin.ClusterStatus status = admin.clusterStatus();
                final String metadataLeader = admin.metadataLeader();
                spec.commandLine().getOut().println("metadata leader: "
                    + (metadataLeader == null ? "none known (electing?)" : metadataLeader + " (runs the controller)"));
                printStatus(spec.commandLine().getOut(), status);
            }
            return 0;
        }
    }

    @Command(name = "add-node", mixinStandardHelpOptions = true,
        description = "Let a registered node hold replicas; some move to it (Raft membership change).")
    static final class AddNode implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Parameters(index = "0", description = "Node id.")
        String node;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            try (Admin admin = StreamCommand.admin(cluster))
            {
                admin.addNode(node);
                spec.commandLine().getOut().printf("node %s added; replicas are moving to it (see `cluster status`)%n",
                    node);
            }
            return 0;
        }
    }

    @Command(name = "remove-node", mixinStandardHelpOptions = true,
        description = "Move every replica off a node, then forget it.")
    static final class RemoveNode implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Parameters(index = "0", description = "Node id.")
        String node;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            try (Admin admin = StreamCommand.admin(cluster))
            {
                admin.removeNode(node);
                spec.commandLine().getOut()
                    .printf("node %s is draining; stop it once `cluster status` shows it REGISTERED%n", node);
            }
            return 0;
        }
    }

    @Command(name = "transfer-leader", mixinStandardHelpOptions = true, description =
        "Move a shard's leadership to a replica.")
    static final class TransferLeader implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Parameters(index = "0", description = "Stream.")
        String stream;

        @Parameters(index = "1", description = "Shard.")
        int shard;

        @Parameters(index = "2", description = "New leader's node id.")
        String node;

        @Option(names = "--timeout", defaultValue = "10s", description = "How long to wait (default ${DEFAULT-VALUE}).")
        String timeout;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            try (Admin admin = StreamCommand.admin(cluster))
            {
                admin.transferLeadership(stream, shard, node, Durations.parse(timeout, "--timeout"));
                spec.commandLine().getOut().printf("shard %s/%d is now led by %s%n", stream, shard, node);
            }
            return 0;
        }
    }
}
