package io.tributary.raft.rpc;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.client.impl.RaftClientRpcWithProxy;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoRequest;
import org.apache.ratis.protocol.GroupListRequest;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.LeaderElectionManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.util.TimeDuration;
import org.apache.ratis.util.TimeoutExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.tls.RaftPeerTls;
import io.tributary.transport.codec.RemoteExceptions;

/**
 * A Raft client's side of the Netty transport ({@link NettyServerRpc}): each request as Ratis's Netty client sends
 * it, over a {@link NettyPeer} per server, inside TLS 1.3 when security is on (the client must then hold a node
 * certificate: only nodes speak Raft; a Tributary client talks to the front end). Ratis's own Netty client is not
 * used: it rebuilds a reply's exceptions by Java deserialization, and here no bytes from the network choose the
 * classes this process instantiates (exception replies are data, {@link RemoteExceptions}; the stack traces and
 * causes in a client reply are replaced before Ratis decodes it).
 */
final class TributaryNettyClientRpc extends RaftClientRpcWithProxy<NettyPeer>
{
    private static final Logger LOG = LoggerFactory.getLogger(TributaryNettyClientRpc.class);

    private final ClientId clientId;
    private final TimeDuration requestTimeout;

    /** {@code tls} null for plain connections. */
    TributaryNettyClientRpc(final ClientId clientId, final RaftProperties properties, final RaftPeerTls tls)
    {
        super(new NettyPeers(clientId.toString(), tls,
            RaftClientConfigKeys.Rpc.requestTimeout(properties).toLong(TimeUnit.MILLISECONDS),
            NettyConfigKeys.Client.useEpoll(properties)));
        this.clientId = clientId;
        this.requestTimeout = RaftClientConfigKeys.Rpc.requestTimeout(properties);
    }

    @Override
    public CompletableFuture<RaftClientReply> sendRequestAsync(final RaftClientRequest request)
    {
        final CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
        try
        {
            final RaftNettyServerRequestProto proto = toProto(request);
            getProxies().getProxy(request.getServerId()).sendAsync(NettyServerRpc.header(proto), proto)
                .whenComplete((reply, failure) ->
                {
                    if (failure != null)
                    {
                        result.completeExceptionally(failure);
                        return;
                    }
                    final RaftClientReply clientReply = fromProto(request, reply);
                    final Throwable refused = clientReply.getNotLeaderException() != null
                        ? clientReply.getNotLeaderException() : clientReply.getLeaderNotReadyException();
                    if (refused != null)
                    {
                        result.completeExceptionally(refused);
                    }
                    else
                    {
                        result.complete(clientReply);
                    }
                });
            TimeoutExecutor.getInstance().onTimeout(requestTimeout, () -> result.completeExceptionally(
                    new TimeoutIOException(clientId + "->" + request.getServerId() + " request #" + request.getCallId()
                        + " got no reply in " + requestTimeout)),
                LOG, () -> "timeout of request #" + request.getCallId());
        }
        catch (final IOException | RuntimeException e)
        {
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public RaftClientReply sendRequest(final RaftClientRequest request) throws IOException
    {
        final RaftNettyServerRequestProto proto = toProto(request);
        return fromProto(request, getProxies().getProxy(request.getServerId())
            .send(NettyServerRpc.header(proto), proto));
    }

    private static RaftNettyServerRequestProto toProto(final RaftClientRequest request)
    {
        final RaftNettyServerRequestProto.Builder proto = RaftNettyServerRequestProto.newBuilder();
        if (request instanceof GroupManagementRequest r)
        {
            proto.setGroupManagementRequest(ClientProtoUtils.toGroupManagementRequestProto(r));
        }
        else if (request instanceof SetConfigurationRequest r)
        {
            proto.setSetConfigurationRequest(ClientProtoUtils.toSetConfigurationRequestProto(r));
        }
        else if (request instanceof GroupListRequest r)
        {
            proto.setGroupListRequest(ClientProtoUtils.toGroupListRequestProto(r));
        }
        else if (request instanceof GroupInfoRequest r)
        {
            proto.setGroupInfoRequest(ClientProtoUtils.toGroupInfoRequestProto(r));
        }
        else if (request instanceof TransferLeadershipRequest r)
        {
            proto.setTransferLeadershipRequest(ClientProtoUtils.toTransferLeadershipRequestProto(r));
        }
        else if (request instanceof SnapshotManagementRequest r)
        {
            proto.setSnapshotManagementRequest(ClientProtoUtils.toSnapshotManagementRequestProto(r));
        }
        else if (request instanceof LeaderElectionManagementRequest r)
        {
            proto.setLeaderElectionManagementRequest(ClientProtoUtils.toLeaderElectionManagementRequestProto(r));
        }
        else
        {
            proto.setRaftClientRequest(ClientProtoUtils.toRaftClientRequestProto(request));
        }
        return proto.build();
    }

    private static RaftClientReply fromProto(final RaftClientRequest request, final RaftNettyServerReplyProto reply)
    {
        if (request instanceof GroupListRequest)
        {
            return ClientProtoUtils.toGroupListReply(reply.getGroupListReply());
        }
        if (request instanceof GroupInfoRequest)
        {
            return ClientProtoUtils.toGroupInfoReply(reply.getGroupInfoReply());
        }
        return ClientProtoUtils.toRaftClientReply(RemoteExceptions.sanitize(reply.getRaftClientReply()));
    }
}
