package io.tributary.raft.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.meta.MetadataClient;

/**
 * A {@link LocalCluster} started and ready for work: its node JVMs run, the expected number of nodes are registered
 * ACTIVE in the metadata, and a metadata client is open. Streams created here are returned once every shard has its
 * replicas. The one way the dev command, the demo and the cluster tests start a cluster.
 */
public final class RunningCluster implements AutoCloseable
{
    /** How long nodes may take to register, and a new stream's shards to be placed (a deadline, polled). */
    public static final long READY_TIMEOUT_MS = 90_000;
    private static final long METADATA_REQUEST_TIMEOUT_MS = 10_000;

    private final LocalCluster processes;
    private final MetadataClient metadata;

    private RunningCluster(final LocalCluster processes, final MetadataClient metadata)
    {
        this.processes = processes;
        this.metadata = metadata;
    }

    /** A cluster of node JVMs with data and logs under {@code dir}. */
    public static Builder builder(final Path dir)
    {
        return new Builder(dir);
    }

    /** The node processes: kill, restart, per-node settings, data folders. */
    public LocalCluster processes()
    {
        return processes;
    }

    public MetadataClient metadata()
    {
        return metadata;
    }

    public String transport()
    {
        return metadata.transport();
    }

    /** Creates a stream kept forever and returns once every shard has its replicas. */
    public void createStream(final String name, final int shards, final int replicationFactor) throws IOException
    {
        createStream(name, shards, replicationFactor, -1, -1);
    }

    /** Creates a stream with a retention (-1: none) and returns once every shard has its replicas. */
    public void createStream(final String name, final int shards, final int replicationFactor,
        final long retentionMs, final long retentionBytes) throws IOException
    {
        metadata.command("CREATE_STREAM", name, Integer.toString(shards), Integer.toString(replicationFactor),
            Long.toString(retentionMs), Long.toString(retentionBytes));
        LocalCluster.await("replicas of every shard of " + name, READY_TIMEOUT_MS, () -> metadata.placed(name));
    }

    /** Nodes the metadata lists as ACTIVE. */
    public int activeNodes() throws IOException
    {
        return (int)metadata.nodeStates().values().stream().filter("ACTIVE"::equals).count();
    }

    /** Stops every node with SIGTERM; true if all exited 0. The cluster stays usable for {@link #close()}. */
    public boolean stopAll() throws InterruptedException
    {
        return processes.stopAll();
    }

    /** Closes the metadata client and kills the nodes still running (SIGKILL: {@link #stopAll()} is the clean way). */
    @Override
    public void close() throws IOException
    {
        try
        {
            metadata.close();
        }
        finally
        {
            processes.close();
        }
    }

    /** Settings of a cluster to start; every one has the default the tests and the dev command share. */
    public static final class Builder
    {
        private final Path dir;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private int nodes = 3;
        private int metadataNodes = -1;
        private int activeNodes = -1;
        private String transport = "aeron";
        private Path certificates;

        private Builder(final Path dir)
        {
            this.dir = dir;
        }

        /** Node processes (default 3). */
        public Builder nodes(final int nodes)
        {
            if (nodes < 1)
            {
                throw new IllegalArgumentException("a cluster needs at least 1 node, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** The first nodes that form the metadata quorum (default 3, or 1 with fewer than 3 nodes). */
        public Builder metadataNodes(final int metadataNodes)
        {
            this.metadataNodes = metadataNodes;
            return this;
        }

        /** Nodes that must be ACTIVE before {@link #start()} returns (default all). */
        public Builder activeNodes(final int activeNodes)
        {
            this.activeNodes = activeNodes;
            return this;
        }

        /** The Raft transport of the nodes and of the metadata client: aeron (default), grpc or netty. */
        public Builder transport(final String transport)
        {
            this.transport = transport;
            return this;
        }

        /** A node setting for every node (see NodeConfig). */
        public Builder config(final String key, final String value)
        {
            settings.put(key, value);
            return this;
        }

        /**
         * TLS 1.3 on every link, with the files {@code tributary certs init DIR} writes: {@code ca.pem}, and
         * {@code node-<id>.pem} and {@code .key} for each node (n1, n2, ...). The cluster's own metadata client
         * speaks Raft, which only nodes may: it uses n1's certificate.
         */
        public Builder tls(final Path certificatesDir)
        {
            this.certificates = certificatesDir;
            return this;
        }

        /** Starts every node and waits until the expected number are ACTIVE; on failure, nothing is left running. */
        public RunningCluster start() throws IOException
        {
            final int quorum = metadataNodes > 0 ? metadataNodes : nodes >= 3 ? 3 : 1;
            if (quorum > nodes)
            {
                throw new IllegalArgumentException(quorum + " metadata nodes in a cluster of " + nodes);
            }
            final int active = activeNodes >= 0 ? activeNodes : nodes;
            Files.createDirectories(dir);
            final LocalCluster processes = new LocalCluster(dir, nodes, quorum).config("transport", transport);
            settings.forEach(processes::config);
            TlsSettings harnessTls = TlsSettings.disabled();
            if (certificates != null)
            {
                processes.config(TlsSettings.ENABLED, "true");
                processes.config(TlsSettings.CA_FILE, certificates.resolve("ca.pem").toString());
                for (int i = 1; i <= nodes; i++)
                {
                    processes.config("n" + i, TlsSettings.CERT_FILE, certificates.resolve("node-n" + i + ".pem")
                        .toString());
                    processes.config("n" + i, TlsSettings.KEY_FILE, certificates.resolve("node-n" + i + ".key")
                        .toString());
                }
                harnessTls = TlsSettings.of(certificates.resolve("ca.pem"), certificates.resolve("node-n1.pem"),
                    certificates.resolve("node-n1.key")).validate();
            }
            final RunningCluster cluster = new RunningCluster(processes,
                new MetadataClient(processes.metadataPeers(), transport, harnessTls, METADATA_REQUEST_TIMEOUT_MS));
            try
            {
                processes.startAll();
                LocalCluster.await(active + " active nodes", READY_TIMEOUT_MS, () -> cluster.activeNodes() >= active);
                return cluster;
            }
            catch (final IOException | RuntimeException | Error e)
            {
                cluster.close();
                throw e;
            }
        }
    }
}
