package io.tributary.raft.node;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Writes a node's configuration file for a cluster started on one machine: the local cluster of `dev`, `demo`,
 * `bench` and the tests, and the Jepsen harness's nodes. One writer, so both start nodes with the same settings.
 */
public final class NodeConfigFile
{
    /** The election timeouts of every cluster started here: loaded 2-core machines miss 150-300 ms heartbeats. */
    static final String ELECTION_TIMEOUT_MIN_MS = "1000";
    static final String ELECTION_TIMEOUT_MAX_MS = "2000";

    private NodeConfigFile()
    {
    }

    /**
     * Writes {@code file}: the node's identity and address, its data folder, the metadata quorum
     * ({@code id@host:port,...}), the election timeouts above, then {@code settings} in their order (any of which may
     * override what comes before it).
     *
     * @return {@code file}
     */
    public static Path write(final Path file, final String id, final String host, final int port, final Path dataDir,
        final String metadataPeers, final Map<String, String> settings) throws IOException
    {
        final Properties properties = new Properties();
        properties.setProperty("node.id", id);
        properties.setProperty("node.host", host);
        properties.setProperty("node.port", Integer.toString(port));
        properties.setProperty("data.dir", dataDir.toString());
        properties.setProperty("metadata.peers", metadataPeers);
        properties.setProperty("raft.election.timeout.min.ms", ELECTION_TIMEOUT_MIN_MS);
        properties.setProperty("raft.election.timeout.max.ms", ELECTION_TIMEOUT_MAX_MS);
        settings.forEach(properties::setProperty);
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            properties.store(writer, "node " + id);
        }
        return file;
    }
}
