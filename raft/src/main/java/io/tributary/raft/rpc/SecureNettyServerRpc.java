package io.tributary.raft.rpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.apache.ratis.thirdparty.io.netty.bootstrap.ServerBootstrap;
import org.apache.ratis.thirdparty.io.netty.channel.Channel;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandler;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandlerContext;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelInitializer;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelPipeline;
import org.apache.ratis.thirdparty.io.netty.channel.EventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.SimpleChannelInboundHandler;
import org.apache.ratis.thirdparty.io.netty.channel.socket.SocketChannel;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufDecoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufEncoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslHandler;
import org.apache.ratis.util.NettyUtils;
import org.apache.ratis.util.ProtoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.RaftPeerTls;
import io.tributary.protocol.tls.SessionObserver;

/**
 * A node's Raft port on Netty with TLS 1.3: Ratis's Netty wire format (the same requests, replies and dispatch as
 * its {@code NettyRpcService}, which has no TLS in Ratis 3.3) inside a TLS session whose peer must present a node
 * certificate of the cluster's CA ({@link RaftPeerTls}); and the node's own calls to its peers over
 * {@link SecureNettyPeer}s. As in Ratis's Netty transport, a request is served on the connection's event loop and
 * its reply written when the server returns. A request the server cannot take (malformed, or throwing) is answered
 * with an exception reply, never by dropping the connection silently.
 */
final class SecureNettyServerRpc extends RaftServerRpcWithProxy<SecureNettyPeer, SecureNettyPeers>
{
    private static final Logger LOG = LoggerFactory.getLogger(SecureNettyServerRpc.class);

    private final RaftServer server;
    private final RaftPeerTls tls;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final InetSocketAddress bindAddress;
    private volatile Channel channel;

    SecureNettyServerRpc(final RaftServer server, final RaftPeerTls tls)
    {
        super(server::getId, id -> new SecureNettyPeers(id + "-peers", tls,
            RaftClientConfigKeys.Rpc.requestTimeout(server.getProperties()).toLong(TimeUnit.MILLISECONDS),
            NettyConfigKeys.Client.useEpoll(server.getProperties())));
        this.server = server;
        this.tls = tls;
        final boolean useEpoll = NettyConfigKeys.Server.useEpoll(server.getProperties());
        final String host = NettyConfigKeys.Server.host(server.getProperties());
        final int port = NettyConfigKeys.Server.port(server.getProperties());
        // Named by port: the server's id is not known yet while Ratis builds its RPC.
        this.bossGroup = NettyUtils.newEventLoopGroup("raft-tls-" + port + "-boss", 1, useEpoll);
        this.workerGroup = NettyUtils.newEventLoopGroup("raft-tls-" + port + "-worker", 0, useEpoll);
        this.bindAddress = host == null || host.isEmpty() ? new InetSocketAddress(port)
            : new InetSocketAddress(host, port);
    }

    @Override
    public RpcType getRpcType()
    {
        return SupportedRpcType.NETTY;
    }

    @Override
    protected void startImpl() throws IOException
    {
        final Requests requests = new Requests();
        final long handshakeTimeoutMs = tls.context().settings().handshakeTimeoutMs();
        try
        {
            channel = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NettyUtils.getServerChannelClass(workerGroup))
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel socket)
                    {
                        final SslHandler ssl = new SslHandler(tls.serverEngine());
                        ssl.setHandshakeTimeoutMillis(handshakeTimeoutMs);
                        observe(socket, ssl);
                        final ChannelPipeline pipeline = socket.pipeline();
                        pipeline.addLast(ssl);
                        pipeline.addLast(new ProtobufVarint32FrameDecoder());
                        pipeline.addLast(new ProtobufDecoder(RaftNettyServerRequestProto.getDefaultInstance()));
                        pipeline.addLast(new ProtobufVarint32LengthFieldPrepender());
                        pipeline.addLast(new ProtobufEncoder());
                        pipeline.addLast(requests);
                    }
                })
                .bind(bindAddress).syncUninterruptibly().channel();
        }
        catch (final RuntimeException e)
        {
            throw new IOException(getId() + ": cannot listen for Raft over TLS on " + bindAddress + ": " + e, e);
        }
    }

    /**
     * Tells the process's session observer (the node's audit trail) of each connection accepted: opened with the
     * peer's principal once the handshake is done, closed when it ends, or failed with the handshake's reason.
     */
    private void observe(final SocketChannel socket, final SslHandler ssl)
    {
        final String address = String.valueOf(socket.remoteAddress()).replaceFirst("^/", "");
        ssl.handshakeFuture().addListener(handshake ->
        {
            final SessionObserver observer = tls.context().sessionObserver();
            if (!handshake.isSuccess())
            {
                observer.onSession(null, address, false, "Raft TLS handshake failed: " + handshake.cause());
                return;
            }
            final PeerIdentity peer = PeerIdentity.of((X509Certificate)ssl.engine().getSession()
                .getPeerCertificates()[0]);
            observer.onSession(peer, address, true, "Raft TLS connection (netty)");
            socket.closeFuture().addListener(closed -> observer.onSession(peer, address, false,
                "Raft TLS connection closed"));
        });
    }

    @Override
    public void closeImpl() throws IOException
    {
        final Channel bound = channel;
        if (bound != null)
        {
            bound.close().syncUninterruptibly();
        }
        NettyUtils.shutdownGracefully(bossGroup, workerGroup);
        super.closeImpl();
    }

    @Override
    public InetSocketAddress getInetSocketAddress()
    {
        final Channel bound = channel;
        return bound == null ? bindAddress : (InetSocketAddress)bound.localAddress();
    }

    @Override
    public RequestVoteReplyProto requestVote(final RequestVoteRequestProto request) throws IOException
    {
        return send(request.getServerRequest(), RaftNettyServerRequestProto.newBuilder()
            .setRequestVoteRequest(request).build()).getRequestVoteReply();
    }

    @Override
    public StartLeaderElectionReplyProto startLeaderElection(final StartLeaderElectionRequestProto request)
        throws IOException
    {
        return send(request.getServerRequest(), RaftNettyServerRequestProto.newBuilder()
            .setStartLeaderElectionRequest(request).build()).getStartLeaderElectionReply();
    }

    @Override
    public AppendEntriesReplyProto appendEntries(final AppendEntriesRequestProto request) throws IOException
    {
        return send(request.getServerRequest(), RaftNettyServerRequestProto.newBuilder()
            .setAppendEntriesRequest(request).build()).getAppendEntriesReply();
    }

    @Override
    public InstallSnapshotReplyProto installSnapshot(final InstallSnapshotRequestProto request) throws IOException
    {
        return send(request.getServerRequest(), RaftNettyServerRequestProto.newBuilder()
            .setInstallSnapshotRequest(request).build()).getInstallSnapshotReply();
    }

    private RaftNettyServerReplyProto send(final RaftRpcRequestProto header, final RaftNettyServerRequestProto proto)
        throws IOException
    {
        final RaftPeerId to = RaftPeerId.valueOf(header.getReplyId());
        try
        {
            return getProxies().getProxy(to).send(header, proto);
        }
        catch (final IOException | RuntimeException e)
        {
            getProxies().handleException(to, e, false);
            throw e;
        }
    }

    /** The server side of a request: dispatched to the Raft server by its kind, as Ratis's Netty transport does. */
    RaftNettyServerReplyProto handle(final RaftNettyServerRequestProto proto)
    {
        final RaftRpcRequestProto header = header(proto);
        if (header == null)
        {
            throw new IllegalArgumentException("a Raft request of kind " + proto.getRaftNettyServerRequestCase()
                + " that this server does not serve");
        }
        try
        {
            final RaftNettyServerReplyProto.Builder reply = RaftNettyServerReplyProto.newBuilder();
            switch (proto.getRaftNettyServerRequestCase())
            {
                case REQUESTVOTEREQUEST -> reply.setRequestVoteReply(server.requestVote(proto.getRequestVoteRequest()));
                case STARTLEADERELECTIONREQUEST -> reply.setStartLeaderElectionReply(
                    server.startLeaderElection(proto.getStartLeaderElectionRequest()));
                case APPENDENTRIESREQUEST -> reply.setAppendEntriesReply(
                    server.appendEntries(proto.getAppendEntriesRequest()));
                case INSTALLSNAPSHOTREQUEST -> reply.setInstallSnapshotReply(
                    server.installSnapshot(proto.getInstallSnapshotRequest()));
                case RAFTCLIENTREQUEST -> reply.setRaftClientReply(toProto(server.submitClientRequest(
                    ClientProtoUtils.toRaftClientRequest(proto.getRaftClientRequest()))));
                case SETCONFIGURATIONREQUEST -> reply.setRaftClientReply(toProto(server.setConfiguration(
                    ClientProtoUtils.toSetConfigurationRequest(proto.getSetConfigurationRequest()))));
                case GROUPMANAGEMENTREQUEST -> reply.setRaftClientReply(toProto(server.groupManagement(
                    ClientProtoUtils.toGroupManagementRequest(proto.getGroupManagementRequest()))));
                case GROUPLISTREQUEST -> reply.setGroupListReply(ClientProtoUtils.toGroupListReplyProto(
                    server.getGroupList(ClientProtoUtils.toGroupListRequest(proto.getGroupListRequest()))));
                case GROUPINFOREQUEST -> reply.setGroupInfoReply(ClientProtoUtils.toGroupInfoReplyProto(
                    server.getGroupInfo(ClientProtoUtils.toGroupInfoRequest(proto.getGroupInfoRequest()))));
                case TRANSFERLEADERSHIPREQUEST -> reply.setRaftClientReply(toProto(server.transferLeadership(
                    ClientProtoUtils.toTransferLeadershipRequest(proto.getTransferLeadershipRequest()))));
                case SNAPSHOTMANAGEMENTREQUEST -> reply.setRaftClientReply(toProto(server.snapshotManagement(
                    ClientProtoUtils.toSnapshotManagementRequest(proto.getSnapshotManagementRequest()))));
                case LEADERELECTIONMANAGEMENTREQUEST -> reply.setRaftClientReply(toProto(
                    server.leaderElectionManagement(ClientProtoUtils.toLeaderElectionManagementRequest(
                        proto.getLeaderElectionManagementRequest()))));
                default -> throw new IllegalArgumentException("unexpected request kind "
                    + proto.getRaftNettyServerRequestCase());
            }
            return reply.build();
        }
        catch (final IOException e)
        {
            return exceptionReply(header, e);
        }
        catch (final RuntimeException e)
        {
            LOG.warn("{}: a {} request failed in the server: {}", getId(), proto.getRaftNettyServerRequestCase(),
                e.toString());
            return exceptionReply(header, new IOException(getId() + ": the " + proto.getRaftNettyServerRequestCase()
                + " request failed: " + e, e));
        }
    }

    private static RaftClientReplyProto toProto(final RaftClientReply reply)
    {
        return ClientProtoUtils.toRaftClientReplyProto(reply);
    }

    /** The Raft header of a request of any kind; null for a kind this server does not serve. */
    static RaftRpcRequestProto header(final RaftNettyServerRequestProto proto)
    {
        return switch (proto.getRaftNettyServerRequestCase())
        {
            case REQUESTVOTEREQUEST -> proto.getRequestVoteRequest().getServerRequest();
            case STARTLEADERELECTIONREQUEST -> proto.getStartLeaderElectionRequest().getServerRequest();
            case APPENDENTRIESREQUEST -> proto.getAppendEntriesRequest().getServerRequest();
            case INSTALLSNAPSHOTREQUEST -> proto.getInstallSnapshotRequest().getServerRequest();
            case RAFTCLIENTREQUEST -> proto.getRaftClientRequest().getRpcRequest();
            case SETCONFIGURATIONREQUEST -> proto.getSetConfigurationRequest().getRpcRequest();
            case GROUPMANAGEMENTREQUEST -> proto.getGroupManagementRequest().getRpcRequest();
            case GROUPLISTREQUEST -> proto.getGroupListRequest().getRpcRequest();
            case GROUPINFOREQUEST -> proto.getGroupInfoRequest().getRpcRequest();
            case TRANSFERLEADERSHIPREQUEST -> proto.getTransferLeadershipRequest().getRpcRequest();
            case SNAPSHOTMANAGEMENTREQUEST -> proto.getSnapshotManagementRequest().getRpcRequest();
            case LEADERELECTIONMANAGEMENTREQUEST -> proto.getLeaderElectionManagementRequest().getRpcRequest();
            default -> null;
        };
    }

    private static RaftNettyServerReplyProto exceptionReply(final RaftRpcRequestProto request, final IOException e)
    {
        final RaftRpcReplyProto.Builder rpcReply = RaftRpcReplyProto.newBuilder()
            .setRequestorId(request.getRequestorId())
            .setReplyId(request.getReplyId())
            .setCallId(request.getCallId())
            .setSuccess(false);
        return RaftNettyServerReplyProto.newBuilder().setExceptionReply(RaftNettyExceptionReplyProto.newBuilder()
            .setRpcReply(rpcReply).setException(ProtoUtils.writeObject2ByteString(e))).build();
    }

    /** Serves each decoded request; a request that cannot be served at all (no Raft header) closes its connection. */
    @ChannelHandler.Sharable
    private final class Requests extends SimpleChannelInboundHandler<RaftNettyServerRequestProto>
    {
        @Override
        protected void channelRead0(final ChannelHandlerContext context, final RaftNettyServerRequestProto proto)
        {
            context.writeAndFlush(handle(proto));
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
        {
            LOG.warn("{}: closing the Raft TLS connection from {}: {}", getId(), context.channel().remoteAddress(),
                cause.toString());
            context.close();
        }
    }
}
