package io.tributary.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.protocol.access.Grant;
import io.tributary.protocol.access.Role;
import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.RunningCluster;

import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;

/**
 * {@code tributary dev}: a local cluster of node processes (one JVM each) with data under
 * {@code ./data/dev}, a demo stream, and the endpoints printed. Ctrl-C stops every node cleanly.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description =
        "Start a local 3-node cluster (child JVMs, data under ./data/dev) with a demo stream; Ctrl-C stops it.")
public final class DevCommand implements Callable<Integer>
{
    /** The principal of the dev client's certificate ({@code client.pem}) in a secure dev cluster. */
    static final String DEV_CLIENT = "client:client";

    @Option(names = "--nodes", defaultValue = "3", description = "Node processes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--data", defaultValue = "data/dev", description =
        "Data folder, wiped at start (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--stream", defaultValue = "demo", description = "Stream to create (default ${DEFAULT-VALUE}).")
    String stream;

    @Option(names = "--shards", defaultValue = "4", description = "Its shards (default ${DEFAULT-VALUE}).")
    int shards;

    @Option(names = "--durability", defaultValue = "fsync",
        description =
            "fsync (default: acknowledged once in a majority's fsynced Raft log) or nofsync (faster, see docs).")
    String durability;

    @picocli.CommandLine.Mixin
    TransportOption transport;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        try (DevCluster cluster = DevCluster.start(data, nodes, durability, transport.transport(), out))
        {
            cluster.createStream(stream, shards, Math.min(3, nodes));
            Files.writeString(data.resolve("cluster.txt"), cluster.endpoints() + "\n");
            out.printf("cluster ready: --cluster %s --transport %s%nstream '%s' with %d shards; node logs in "
                + "%s%nCtrl-C stops the cluster%n",
                cluster.endpoints(), cluster.transport(), stream, shards, data);
            out.flush();
            stop.await();
            out.println("stopping...");
            out.flush();
        }
        return 0;
    }

    /** A running local cluster under a data folder, wiped at start; shared by dev, demo and bench. */
    static final class DevCluster implements AutoCloseable
    {
        final RunningCluster cluster;
        /** The client's TLS (a client certificate of the dev CA), or off. */
        final TlsSettings clientTls;

        private DevCluster(final RunningCluster cluster, final TlsSettings clientTls)
        {
            this.cluster = cluster;
            this.clientTls = clientTls;
        }

        static DevCluster start(final Path data, final int nodes, final String durability, final String transport,
            final PrintWriter out)
            throws IOException
        {
            return start(data, nodes, durability, transport, false, out);
        }

        /**
         * @param secure TLS 1.3 on every link: a dev CA and certificates are written under {@code data/certs} first
         *               (as {@code tributary certs init} does), each node gets its own, clients use {@code client}.
         */
        static DevCluster start(final Path data, final int nodes, final String durability, final String transport,
            final boolean secure, final PrintWriter out)
            throws IOException
        {
            if (nodes < 1)
            {
                throw new IllegalArgumentException("--nodes must be at least 1, got " + nodes);
            }
            IoUtil.delete(data.toFile(), false);
            Files.createDirectories(data);
            final RunningCluster.Builder builder = RunningCluster.builder(data).nodes(nodes).transport(transport)
                .config("durability", durability);
            TlsSettings clientTls = TlsSettings.disabled();
            if (secure)
            {
                final Path certs = data.resolve("certs");
                final DevCertificates authority = DevCertificates.createAuthority(certs, "Tributary dev CA",
                    Duration.ofDays(30));
                for (int i = 1; i <= nodes; i++)
                {
                    authority.issueNode(certs, "n" + i, DevCertificates.localHosts(), Duration.ofDays(30));
                }
                authority.issueClient(certs, "client", Duration.ofDays(30));
                builder.tls(certs);
                clientTls = TlsSettings.of(certs.resolve("ca.pem"), certs.resolve("client.pem"),
                    certs.resolve("client.key"));
            }
            out.printf("starting %d node processes under %s (transport %s%s)...%n", nodes, data, transport,
                secure ? ", TLS 1.3 with certificates in " + data.resolve("certs") : "");
            out.flush();
            final RunningCluster cluster = builder.start();
            if (secure)
            {
                // Deny by default: the dev client's certificate gets the roles a producer, a consumer and the owner of
                // its streams need, granted through the metadata quorum as an admin would ('tributary acl grant').
                for (final Role role : List.of(Role.STREAM_ADMIN, Role.PRODUCER, Role.CONSUMER))
                {
                    final String[] grant = new Grant(DEV_CLIENT, role, "*").fields();
                    cluster.metadata().command("GRANT", grant[0], grant[1], grant[2]);
                }
            }
            return new DevCluster(cluster, clientTls);
        }

        /** Creates the stream and returns once every shard is placed and its leader answers. */
        void createStream(final String stream, final int shards, final int replicationFactor) throws Exception
        {
            try (Admin admin = Admin.create(new AdminConfig().metadataPeers(endpoints()).transport(transport())
                .tls(clientTls)))
            {
                admin.createStream(stream, shards, replicationFactor);
                admin.awaitStreamReady(stream, Duration.ofSeconds(60));
            }
        }

        String endpoints()
        {
            return cluster.processes().metadataPeersText();
        }

        String transport()
        {
            return cluster.transport();
        }

        /** Stops every node cleanly (SIGTERM), then closes. */
        @Override
        public void close() throws IOException
        {
            try
            {
                cluster.stopAll();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                cluster.close();
            }
        }
    }
}
