package io.tributary.dist;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

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
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printShards(final PrintWriter out, final List<Admin.ShardStatus> shards)
    {
        out.printf("  %-5s %-8s %12s  %s%n", "SHARD", "LEADER", "NEXT OFFSET", "REPLICAS (applied index, lag in records)");
        for (final Admin.ShardStatus shard : shards)
        {
            final StringBuilder replicas = new StringBuilder();
            for (final Admin.ReplicaStatus replica : shard.replicas())
            {
                replicas.append(replica.nodeId()).append(replica.leader() ? "*" : "");
                replicas.append(replica.error() != null ? " (unreachable)" : " (" + replica.appliedIndex() + ", lag "
                    + replica.lagRecords() + ")").append("  ");
            }
            out.printf("  %-5d %-8s %12d  %s%n", shard.shard(), shard.leader() == null ? "-" : shard.leader(), shard.nextOffset(),
                replicas.toString().strip());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Nodes, streams, shards, leaders, each replica's applied index and lag.")
    static final class Status implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = StreamCommand.admin(cluster))
            {
                final Admin.ClusterStatus status = admin.clusterStatus();
                out.println("nodes:");
                status.nodes().forEach(n -> out.printf("  %-8s %-22s %s%n", n.id(), n.address(), n.state()));
                status.streams().forEach((stream, shards) ->
                {
                    out.println("stream " + stream + ":");
                    printShards(out, shards);
                });
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
                spec.commandLine().getOut().printf("node %s added; replicas are moving to it (see `cluster status`)%n", node);
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
                spec.commandLine().getOut().printf("node %s is draining; stop it once `cluster status` shows it REGISTERED%n", node);
            }
            return 0;
        }
    }

    @Command(name = "transfer-leader", mixinStandardHelpOptions = true, description = "Move a shard's leadership to a replica.")
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
                admin.transferLeadership(stream, shard, node, io.tributary.bench.load.Durations.parse(timeout, "--timeout"));
                spec.commandLine().getOut().printf("shard %s/%d is now led by %s%n", stream, shard, node);
            }
            return 0;
        }
    }
}
