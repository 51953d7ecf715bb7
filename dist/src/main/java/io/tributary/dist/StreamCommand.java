package io.tributary.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tributary stream create|list|describe|delete}. */
@Command(name = "stream", mixinStandardHelpOptions = true, description = "Create, list, describe or delete streams.",
    subcommands = {StreamCommand.Create.class, StreamCommand.ListStreams.class, StreamCommand.Describe.class,
        StreamCommand.Delete.class})
public final class StreamCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Admin admin(final ClusterOption cluster) throws IOException
    {
        return Admin.create(new AdminConfig().metadataPeers(cluster.peers()).transport(cluster.transport())
            .tls(cluster.tls()));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description =
        "Create a stream and wait until its shards are placed.")
    static final class Create implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Parameters(index = "0", description = "Stream name.")
        String name;

        @Option(names = "--shards", defaultValue = "4", description = "Shards (default ${DEFAULT-VALUE}).")
        int shards;

        @Option(names = "--replication", defaultValue = "3", description =
            "Replication factor (default ${DEFAULT-VALUE}).")
        int replication;

        @Option(names = "--retention-bytes", defaultValue = "-1", description = "Bytes kept per shard; -1: no limit.")
        long retentionBytes;

        @Option(names = "--retention-ms", defaultValue = "-1", description = "Age kept; -1: no limit.")
        long retentionMs;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            try (Admin admin = admin(cluster))
            {
                final long id = admin.createStream(name, shards, replication, retentionBytes, retentionMs);
                admin.awaitStreamReady(name, Duration.ofSeconds(60));
                spec.commandLine().getOut().printf("created stream %s (id %d, %d shards, replication %d)%n", name, id,
                    shards,
                    replication);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List streams.")
    static final class ListStreams implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = admin(cluster))
            {
                out.printf("%-30s %7s %12s%n", "STREAM", "SHARDS", "REPLICATION");
                admin.listStreams().forEach(s ->
                    out.printf("%-30s %7d %12d%n", s.name(), s.shards(), s.replicationFactor()));
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description =
        "Show a stream's shards, replicas, leaders and offsets.")
    static final class Describe implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Parameters(index = "0", description = "Stream name.")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = admin(cluster))
            {
                final Admin.StreamDescription stream = admin.describeStream(name);
                out.printf("stream %s: id %d, %d shards, replication %d, retention %s bytes / %s ms%n", stream.name(),
                    stream.id(), stream.shards(), stream.replicationFactor(), limit(stream.retentionBytes()),
                    limit(stream.retentionMs()));
                ClusterCommand.printShards(out, admin.streamStatus(name));
            }
            return 0;
        }

        private static String limit(final long value)
        {
            return value < 0 ? "unlimited" : Long.toString(value);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a stream and all its data.")
    static final class Delete implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Parameters(index = "0", description = "Stream name.")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            try (Admin admin = admin(cluster))
            {
                admin.deleteStream(name);
                spec.commandLine().getOut().printf("deleting stream %s: its shard groups are being removed%n", name);
            }
            return 0;
        }
    }
}
