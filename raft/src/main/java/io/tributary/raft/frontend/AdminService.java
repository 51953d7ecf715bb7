package io.tributary.raft.frontend;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.AdminRequestDescriptor;
import io.tributary.protocol.AdminResponseDescriptor;
import io.tributary.protocol.access.AuditRecord;
import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.Responder;
import io.tributary.raft.frontend.AccessControl.Action;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.raft.meta.MetadataClient;

/**
 * Serves admin requests on its own small executor (they block on Raft round trips): metadata
 * commands and queries forwarded to the metadata quorum, so clients need no Raft client of
 * their own; the role and leader of a group this node hosts; leadership transfers.
 */
final class AdminService implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

    private final ShardDirectory shards;
    private final MetadataClient metadata;
    private final Function<RaftGroup, RaftClient> groupClients;
    private final ExecutorService executor;
    private final AccessControl access;

    AdminService(final ShardDirectory shards, final MetadataClient metadata, final Function<RaftGroup,
        RaftClient> groupClients, final AccessControl access,
        final ExecutorService executor)
    {
        this.access = access;
        this.shards = shards;
        this.metadata = metadata;
        this.groupClients = groupClients;
        this.executor = executor;
    }

    /** On the network thread: copies the request, answers from the executor. */
    void onAdmin(final Responder from, final long correlationId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        try
        {
            executor.execute(() -> answer(from, correlationId, new UnsafeBuffer(copy)));
        }
        catch (final RejectedExecutionException e)
        {
            LOG.debug("admin request {} from {} dropped: the node is stopping", correlationId, from.peer());
        }
    }

    private void answer(final Responder from, final long correlationId, final UnsafeBuffer request)
    {
        byte[] response;
        try
        {
            // The rules are read again before a denial is final (checkAfterRefresh): a fresh grant counts at once.
            final String traceId = access.enabled()
                ? AuditRecord.traceIdOf(AdminRequestDescriptor.traceparent(request, 0)) : null;
            final String denied = access.enabled() ? authorize(from, request, traceId) : null;
            response = denied != null ? AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_NOT_AUTHORIZED,
                (byte)0, -1, denied) : handle(request);
            if (denied == null && access.enabled())
            {
                audit(from, request, new UnsafeBuffer(response), traceId);
            }
        }
        catch (final RuntimeException e)
        {
            LOG.error("admin request {} from {} failed", correlationId, from.peer(), e);
            response = AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_UNAVAILABLE, (byte)0, -1,
                "the node failed to serve the request: " + e);
        }
        final SendStatus status = from.respond(MessageType.ADMIN_RESPONSE, correlationId, new UnsafeBuffer(response), 0,
            response.length);
        if (status != SendStatus.OK)
        {
            LOG.warn("admin response {} to {} not sent: {}", correlationId, from.peer(), status);
        }
    }

    /**
     * Null when the requester may make this admin request, else why not. Metadata commands and queries are told apart
     * by their first field: a stream's own (create, delete, describe) need a role on that stream; listing needs some
     * role; everything else (nodes, membership, grants, the whole state) needs cluster-admin.
     */
    private String authorize(final Responder from, final UnsafeBuffer request, final String traceId)
    {
        final short kind = AdminRequestDescriptor.kind(request, 0);
        final PeerIdentity who = from.principal();
        final String source = from.peer();
        switch (kind)
        {
            case AdminRequestDescriptor.KIND_METADATA_COMMAND:
            case AdminRequestDescriptor.KIND_METADATA_QUERY:
            {
                final String[] f = AdminRequestDescriptor.text(request, 0).split("\t", -1);
                final boolean query = kind == AdminRequestDescriptor.KIND_METADATA_QUERY;
                final String stream = f.length > 1 ? f[1] : "";
                return switch (f[0])
                {
                    case "CREATE_STREAM", "DELETE_STREAM" ->
                        access.checkAfterRefresh(who, source, Action.MANAGE_STREAM, stream, traceId);
                    case "DESCRIBE" -> access.checkAfterRefresh(who, source, Action.DESCRIBE, stream, traceId);
                    case "ALLOC_PRODUCER_ID" ->
                        access.checkAfterRefresh(who, source, Action.PRODUCE_ANYWHERE, null, traceId);
                    case "LIST", "NODES", "LEADER" -> access.checkAfterRefresh(who, source, query ? Action.LIST
                        : Action.MANAGE_CLUSTER, null, traceId);
                    case "GRANTS" -> access.checkAfterRefresh(who, source, Action.READ_GRANTS, null, traceId);
                    default -> access.checkAfterRefresh(who, source, Action.MANAGE_CLUSTER, null, traceId);
                };
            }
            case AdminRequestDescriptor.KIND_GROUP_INFO:
            case AdminRequestDescriptor.KIND_TRANSFER_LEADERSHIP:
            {
                final String stream = access.streamOf(new UUID(AdminRequestDescriptor.groupMsb(request, 0),
                    AdminRequestDescriptor.groupLsb(request, 0)));
                final Action action = kind == AdminRequestDescriptor.KIND_GROUP_INFO ? Action.DESCRIBE
                    : Action.MANAGE_STREAM;
                // A group this node's rules do not know: only a cluster admin may ask about it.
                return stream == null ? access.checkAfterRefresh(who, source, Action.MANAGE_CLUSTER, null, traceId)
                    : access.checkAfterRefresh(who, source, action, stream, traceId);
            }
            default:
                return null;
        }
    }

    /** Records an allowed admin operation (commands and transfers; queries change nothing) with its result. */
    private void audit(final Responder from, final UnsafeBuffer request, final UnsafeBuffer response,
        final String traceId)
    {
        final short kind = AdminRequestDescriptor.kind(request, 0);
        final String text = AdminRequestDescriptor.text(request, 0);
        final String action;
        final String resource;
        if (kind == AdminRequestDescriptor.KIND_METADATA_COMMAND)
        {
            final int tab = text.indexOf('\t');
            action = tab < 0 ? text : text.substring(0, tab);
            resource = tab < 0 ? null : text.substring(tab + 1).replace('\t', ' ');
        }
        else if (kind == AdminRequestDescriptor.KIND_TRANSFER_LEADERSHIP)
        {
            action = "TRANSFER_LEADERSHIP";
            resource = new UUID(AdminRequestDescriptor.groupMsb(request, 0),
                AdminRequestDescriptor.groupLsb(request, 0)) + " to " + text;
        }
        else
        {
            return;
        }
        final byte status = AdminResponseDescriptor.status(response, 0);
        access.auditSink().record(from.principal(), from.peer(), action, resource,
            status == AdminResponseDescriptor.STATUS_OK ? "ok"
                : "refused: " + AdminResponseDescriptor.text(response, 0), traceId);
    }

    private byte[] handle(final UnsafeBuffer request)
    {
        final short kind = AdminRequestDescriptor.kind(request, 0);
        final String text = AdminRequestDescriptor.text(request, 0);
        switch (kind)
        {
            case AdminRequestDescriptor.KIND_METADATA_COMMAND:
            case AdminRequestDescriptor.KIND_METADATA_QUERY:
                return metadata(kind == AdminRequestDescriptor.KIND_METADATA_COMMAND, text);
            case AdminRequestDescriptor.KIND_GROUP_INFO:
            {
                final ShardHandle shard = shards.find(AdminRequestDescriptor.groupMsb(request, 0),
                    AdminRequestDescriptor.groupLsb(request, 0));
                if (shard == null)
                {
                    return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_NOT_HOSTED,
                        FetchResponseDescriptor.ROLE_OTHER, -1,
                            shards.whyNotHosted(AdminRequestDescriptor.groupMsb(request, 0),
                            AdminRequestDescriptor.groupLsb(request, 0)));
                }
                return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_OK, shard.role(),
                    shard.division.getInfo().getCurrentTerm(), shard.leaderHint());
            }
            case AdminRequestDescriptor.KIND_TRANSFER_LEADERSHIP:
                return transfer(request, text);
            default:
                return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_INVALID, (byte)0, -1,
                    "unknown admin request kind " + kind + "; is the client newer than this node?");
        }
    }

    private byte[] metadata(final boolean command, final String text)
    {
        final String[] fields = text.split("\t", -1);
        try
        {
            final String reply = command ? metadata.command(fields) : metadata.query(fields);
            return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_OK, (byte)0, -1, reply);
        }
        catch (final MetadataClient.MetadataException e)
        {
            return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_REFUSED, (byte)0, -1, e.getMessage());
        }
        catch (final IllegalArgumentException e)
        {
            // A value holding a line break: refused before it reaches the metadata log.
            return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_INVALID, (byte)0, -1, e.getMessage());
        }
        catch (final IOException e)
        {
            return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_UNAVAILABLE, (byte)0, -1,
                "the metadata quorum did not answer: " + e.getMessage());
        }
    }

    private byte[] transfer(final UnsafeBuffer request, final String newLeader)
    {
        final ShardHandle shard = shards.find(AdminRequestDescriptor.groupMsb(request, 0),
            AdminRequestDescriptor.groupLsb(request, 0));
        if (shard == null)
        {
            return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_NOT_HOSTED,
                FetchResponseDescriptor.ROLE_OTHER, -1,
                "this node holds no replica of the group");
        }
        final long timeoutMs = Math.max(1, AdminRequestDescriptor.timeoutMs(request, 0));
        try (RaftClient client = groupClients.apply(shard.division.getGroup()))
        {
            final RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(newLeader), timeoutMs);
            return reply.isSuccess()
                ? AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_OK, shard.role(), -1, newLeader)
                : AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_UNAVAILABLE, shard.role(), -1,
                    "leadership did not move to " + newLeader + " within " + timeoutMs + " ms: "
                        + reply.getException());
        }
        catch (final IOException e)
        {
            return AdminResponseDescriptor.encode(AdminResponseDescriptor.STATUS_UNAVAILABLE, shard.role(), -1,
                "leadership did not move to " + newLeader + ": " + e.getMessage());
        }
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
