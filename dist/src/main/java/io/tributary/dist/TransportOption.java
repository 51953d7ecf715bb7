package io.tributary.dist;

import io.tributary.raft.node.RaftSettings;

import picocli.CommandLine.Option;

/**
 * {@code --transport}: how nodes and clients talk (Raft and client traffic). A client must use its
 * cluster's transport; a local cluster started by a command uses this one.
 */
public final class TransportOption
{
    @Option(names = "--transport", paramLabel = "aeron|grpc|netty",
        description = "Raft and client transport (default: $TRIBUTARY_TRANSPORT, else " + RaftSettings.DEFAULT_TRANSPORT
            + "); clients must use their cluster's.")
    String transport;

    String transport()
    {
        final String chosen = transport != null ? transport.trim()
            : System.getenv().getOrDefault("TRIBUTARY_TRANSPORT", RaftSettings.DEFAULT_TRANSPORT).trim();
        if (!RaftSettings.TRANSPORTS.contains(chosen))
        {
            throw new IllegalArgumentException("--transport (or TRIBUTARY_TRANSPORT) is '" + chosen + "'; use one of "
                + String.join(", ", RaftSettings.TRANSPORTS));
        }
        return chosen;
    }
}
