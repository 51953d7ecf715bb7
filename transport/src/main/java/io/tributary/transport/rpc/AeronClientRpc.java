package io.tributary.transport.rpc;

import io.tributary.protocol.aeron.ReplyAddresses;

import io.tributary.protocol.aeron.AeronRuntimes;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.SharedClientEndpoints;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.GroupInfoReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupListReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoRequest;
import org.apache.ratis.protocol.GroupListRequest;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.LeaderElectionManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.frame.MessageType;
import io.tributary.transport.codec.RemoteExceptions;

/**
 * The client side of the Aeron transport: requests (ordered async, unordered, blocking; admin
 * requests routed by their class) go to the target server's address; replies come back to this
 * client's own endpoint: an OS-chosen port on {@code transport.aeron.client.host}, else on the
 * address the OS routes from towards the first server called (so a client reaches servers in
 * other network namespaces or hosts without settings). The endpoint is opened on first use and
 * shares the process's media driver (the server's, in a node).
 */
final class AeronClientRpc implements RaftClientRpc
{
    private static final SharedClientEndpoints<RpcEndpoint> ENDPOINTS = new SharedClientEndpoints<>();

    private final ClientId clientId;
    private final AeronTransportConfig config;
    private final Map<RaftPeerId, String> peers = new ConcurrentHashMap<>();
    private EmbeddedMediaDriver runtime;
    private RpcEndpoint endpoint;
    private boolean closed;

    private final boolean nodeNamed;
    /** TLS for every request (null: off). */
    private final TlsContext tls;

    AeronClientRpc(final ClientId clientId, final AeronTransportConfig config, final boolean nodeNamed,
        final TlsContext tls)
    {
        this.tls = tls;
        this.clientId = clientId;
        this.config = config;
        this.nodeNamed = nodeNamed;
    }

    private synchronized RpcEndpoint endpoint(final String firstServerAddress) throws IOException
    {
        if (closed)
        {
            throw new IOException("Aeron transport: client " + clientId + " is closed");
        }
        if (endpoint == null)
        {
            runtime = AeronRuntimes.acquireForClient(config, nodeNamed);
            try
            {
                final String host = ReplyAddresses.towards(config.clientHost(), firstServerAddress);
                final EmbeddedMediaDriver driver = runtime;
                // One endpoint for every Raft client of the process (the metadata client, the controller's, catch-ups):
                // replies are routed by correlation id, and each endpoint is one more socket the network thread polls.
                endpoint = ENDPOINTS.acquire(driver, host, tls == null ? "" : tls.settings().toString(), () ->
                    new RpcEndpoint("clients-" + driver.config().nodeName(), config,
                    driver, host + ":0", (route, type, c, msb, lsb, m) ->
                    {
                        // A client serves no requests; a request here is a misdirected frame.
                    }, tls));
            }
            catch (final IOException | RuntimeException ex)
            {
                AeronRuntimes.release(runtime);
                runtime = null;
                throw new IOException("Aeron transport: client " + clientId + " cannot open its reply endpoint", ex);
            }
        }
        return endpoint;
    }

    @Override
    public void addRaftPeers(final Collection<RaftPeer> newPeers)
    {
        for (final RaftPeer peer : newPeers)
        {
            // The server listens on its peer address for everything (peers, clients, admin).
            peers.put(peer.getId(), peer.getAddress());
        }
    }

    @Override
    public CompletableFuture<RaftClientReply> sendRequestAsync(final RaftClientRequest request)
    {
        try
        {
            return send(request).thenApply(AeronClientRpc::leaderExceptionAsFailure);
        }
        catch (final IOException | RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Ratis's async clients retry on another server only when the future fails with
     * NotLeaderException or LeaderNotReadyException; a reply that carries one would be final and
     * fail the write at a leader change (ratis-grpc's client converts them the same way). The
     * blocking client reads them from the reply itself.
     */
    private static RaftClientReply leaderExceptionAsFailure(final RaftClientReply reply)
    {
        if (reply.getNotLeaderException() != null)
        {
            throw new CompletionException(reply.getNotLeaderException());
        }
        if (reply.getLeaderNotReadyException() != null)
        {
            throw new CompletionException(reply.getLeaderNotReadyException());
        }
        return reply;
    }

    @Override
    public CompletableFuture<RaftClientReply> sendRequestAsyncUnordered(final RaftClientRequest request)
    {
        return sendRequestAsync(request);
    }

    @Override
    public RaftClientReply sendRequest(final RaftClientRequest request) throws IOException
    {
        return AeronServerRpc.await(send(request));
    }

    private CompletableFuture<RaftClientReply> send(final RaftClientRequest request) throws IOException
    {
        final String address = peers.get(request.getServerId());
        if (address == null)
        {
            throw new IOException("Aeron transport: no address for server " + request.getServerId() + " (known: "
                + peers.keySet() + "); add it to the client's group");
        }
        // A request's own timeout (a leadership transfer's, say) is how long the server may work on it: the reply
        // may come that late, plus its way back, so the client waits one request timeout more (as Ratis's gRPC
        // client does); an answer that came after the client gave up was a false failure.
        final long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() + config.requestTimeoutMs()
            : config.requestTimeoutMs();
        final long[] group = RpcEndpoint.uuid(request.getRaftGroupId().toByteString());
        final RpcEndpoint current = endpoint(address);
        if (request instanceof GroupListRequest)
        {
            return current.call(address, MessageType.GROUP_LIST_REQUEST, group[0], group[1],
                ClientProtoUtils.toGroupListRequestProto((GroupListRequest)request), timeoutMs)
                .thenApply(reply -> ClientProtoUtils.toGroupListReply((GroupListReplyProto)reply));
        }
        if (request instanceof GroupInfoRequest)
        {
            return current.call(address, MessageType.GROUP_INFO_REQUEST, group[0], group[1],
                ClientProtoUtils.toGroupInfoRequestProto((GroupInfoRequest)request), timeoutMs)
                .thenApply(reply -> ClientProtoUtils.toGroupInfoReply((GroupInfoReplyProto)reply));
        }
        final MessageType type;
        final MessageLite proto;
        if (request instanceof SetConfigurationRequest)
        {
            type = MessageType.SET_CONFIGURATION_REQUEST;
            proto = ClientProtoUtils.toSetConfigurationRequestProto((SetConfigurationRequest)request);
        }
        else if (request instanceof GroupManagementRequest)
        {
            type = MessageType.GROUP_MANAGEMENT_REQUEST;
            proto = ClientProtoUtils.toGroupManagementRequestProto((GroupManagementRequest)request);
        }
        else if (request instanceof TransferLeadershipRequest)
        {
            type = MessageType.TRANSFER_LEADERSHIP_REQUEST;
            proto = ClientProtoUtils.toTransferLeadershipRequestProto((TransferLeadershipRequest)request);
        }
        else if (request instanceof SnapshotManagementRequest)
        {
            type = MessageType.SNAPSHOT_MANAGEMENT_REQUEST;
            proto = ClientProtoUtils.toSnapshotManagementRequestProto((SnapshotManagementRequest)request);
        }
        else if (request instanceof LeaderElectionManagementRequest)
        {
            type = MessageType.LEADER_ELECTION_MANAGEMENT_REQUEST;
            proto = ClientProtoUtils.toLeaderElectionManagementRequestProto((LeaderElectionManagementRequest)request);
        }
        else
        {
            type = MessageType.CLIENT_REQUEST;
            proto = ClientProtoUtils.toRaftClientRequestProto(request);
        }
        return current.call(address, type, group[0], group[1], proto, timeoutMs)
            .thenApply(reply -> ClientProtoUtils.toRaftClientReply(
                RemoteExceptions.sanitize((RaftClientReplyProto)reply)));
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        if (endpoint != null)
        {
            try
            {
                ENDPOINTS.release(endpoint);
            }
            catch (final Exception ex)
            {
                // the endpoint's own close logs what it could not release
            }
            endpoint = null;
            AeronRuntimes.release(runtime);
            runtime = null;
        }
    }
}
