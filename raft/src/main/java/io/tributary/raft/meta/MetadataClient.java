package io.tributary.raft.meta;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.RaftSettings;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;

/**
 * Talks to the metadata quorum: commands (replicated) and linearizable queries. Replies are
 * the state machine's text: {@code OK...} or {@code ERR\tmessage}, the latter thrown as
 * {@link MetadataException}. Thread-safe.
 */
public final class MetadataClient implements AutoCloseable
{
    private final RaftClient client;
    private final String transport;

    /** A client of a cluster without TLS. */
    public MetadataClient(final Map<String, String> metadataPeers, final String transport, final long requestTimeoutMs)
    {
        this(metadataPeers, transport, TlsSettings.disabled(), requestTimeoutMs);
    }

    /** @param tls a node certificate's files when the cluster runs TLS (Raft traffic is for nodes only). */
    public MetadataClient(final Map<String, String> metadataPeers, final String transport, final TlsSettings tls,
        final long requestTimeoutMs)
    {
        this.transport = transport;
        this.client = RaftSettings.newClient(RaftSettings.group(MetadataStateMachine.GROUP_ID, metadataPeers),
            transport, tls, requestTimeoutMs, RaftSettings.retryPolicy(20, 250));
    }

    /** The transport this client talks over, for clients of the shards it describes. */
    public String transport()
    {
        return transport;
    }

    /** A refused metadata command or query; the message says why. */
    public static final class MetadataException extends RuntimeException
    {
        public MetadataException(final String message)
        {
            super(message);
        }
    }

    /** Runs a command through Raft; returns the text after "OK\t" (or ""). */
    public String command(final String... fields) throws IOException
    {
        return check(client.io().send(Message.valueOf(encode(fields))));
    }

    public String query(final String... fields) throws IOException
    {
        return check(client.io().sendReadOnly(Message.valueOf(encode(fields))));
    }

    /** Each registered node's state (REGISTERED, ACTIVE, DRAINING...), by node id, in the metadata's order. */
    public Map<String, String> nodeStates() throws IOException
    {
        final Map<String, String> states = new LinkedHashMap<>();
        for (final String line : query("NODES").split("\n"))
        {
            // id, address, state
            final String[] fields = line.split("\t");
            if (fields.length == 3)
            {
                states.put(fields[0], fields[2]);
            }
        }
        return states;
    }

    /** Whether every shard of the stream lists its replicas (a stream just created has none yet). */
    public boolean placed(final String stream) throws IOException
    {
        final String[] lines = query("DESCRIBE", stream).split("\n");
        for (int i = 1; i < lines.length; i++)
        {
            // shard, group id, replicas, ...
            if (lines[i].split("\t", -1)[2].isEmpty())
            {
                return false;
            }
        }
        return lines.length > 1;
    }

    /**
     * One line of tab-separated fields; a field holding a tab or a line break would split it, so it is refused here.
     */
    static String encode(final String... fields)
    {
        for (int i = 0; i < fields.length; i++)
        {
            final String field = fields[i];
            if (field == null || field.indexOf('\t') >= 0 || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0)
            {
                throw new IllegalArgumentException("metadata " + fields[0] + ": field " + i + " is "
                    + (field == null ? "null" : "'" + field.replaceAll("\\p{Cntrl}", "?")
                    + "', which holds a tab or a line break") + "; values may not");
            }
        }
        return String.join("\t", fields);
    }

    private static String check(final RaftClientReply reply) throws IOException
    {
        if (!reply.isSuccess())
        {
            throw new IOException("metadata quorum did not answer: " + reply.getException());
        }
        final String text = reply.getMessage().getContent().toStringUtf8();
        if (text.startsWith("ERR\t"))
        {
            throw new MetadataException(text.substring(4));
        }
        if (!text.startsWith("OK"))
        {
            throw new IOException("unexpected metadata reply: " + text);
        }
        return text.length() > 3 ? text.substring(3) : "";
    }

    @Override
    public void close() throws IOException
    {
        client.close();
    }
}
