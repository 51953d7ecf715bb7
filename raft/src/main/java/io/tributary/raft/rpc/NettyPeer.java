package io.tributary.raft.rpc;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.netty.NettyRpcProxy;
import org.apache.ratis.thirdparty.io.netty.bootstrap.Bootstrap;
import org.apache.ratis.thirdparty.io.netty.channel.Channel;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelFuture;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandlerContext;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelInitializer;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelOption;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelPipeline;
import org.apache.ratis.thirdparty.io.netty.channel.EventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.SimpleChannelInboundHandler;
import org.apache.ratis.thirdparty.io.netty.channel.socket.SocketChannel;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufDecoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufEncoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslHandler;
import org.apache.ratis.util.NetUtils;
import org.apache.ratis.util.NettyUtils;

import io.tributary.protocol.tls.RaftPeerTls;
import io.tributary.transport.codec.RemoteExceptions;

/**
 * One connection to a node's Netty Raft port ({@link NettyServerRpc}), for a node's calls to its peers and a Raft
 * client's calls alike: Ratis's Netty wire format (varint-framed {@code RaftNettyServerRequestProto}s), inside TLS 1.3
 * when security is on, replies matched to calls by call id (the server answers each call when it is done, not in the
 * order sent). Opened by the constructor, which returns once connected (and the handshake done) or throws with its
 * reason (a refused certificate names the alert); a connection that fails fails every call waiting on it, and the
 * owner's {@code PeerProxyMap} opens a new one for the next call. Thread-safe.
 */
final class NettyPeer implements Closeable
{
    private final RaftPeer peer;
    private final Channel channel;
    private final long requestTimeoutMs;
    private final String kind;
    private final ConcurrentHashMap<Long, CompletableFuture<RaftNettyServerReplyProto>> replies =
        new ConcurrentHashMap<>();

    /** Connects to {@code peer}; {@code tls} null for a plain connection. */
    NettyPeer(final RaftPeer peer, final RaftPeerTls tls, final EventLoopGroup group, final long requestTimeoutMs)
        throws IOException
    {
        this.peer = peer;
        this.requestTimeoutMs = requestTimeoutMs;
        this.kind = tls == null ? "connection" : "TLS connection";
        final InetSocketAddress address = NetUtils.createSocketAddr(peer.getAddress());
        final long connectTimeoutMs = tls == null ? requestTimeoutMs : tls.context().settings().handshakeTimeoutMs();
        final SslHandler[] ssl = new SslHandler[1];
        final ChannelFuture connected = new Bootstrap()
            .group(group)
            .channel(NettyUtils.getSocketChannelClass(group))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE, connectTimeoutMs))
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    final ChannelPipeline pipeline = channel.pipeline();
                    if (tls != null)
                    {
                        ssl[0] = new SslHandler(tls.clientEngine(address.getHostString(), address.getPort()));
                        ssl[0].setHandshakeTimeoutMillis(connectTimeoutMs);
                        pipeline.addLast(ssl[0]);
                    }
                    pipeline.addLast(new ProtobufVarint32FrameDecoder());
                    pipeline.addLast(new ProtobufDecoder(RaftNettyServerReplyProto.getDefaultInstance()));
                    pipeline.addLast(new ProtobufVarint32LengthFieldPrepender());
                    pipeline.addLast(new ProtobufEncoder());
                    pipeline.addLast(new Replies());
                }
            })
            .connect(address);
        try
        {
            if (!connected.await(connectTimeoutMs) || !connected.isSuccess())
            {
                connected.channel().close();
                throw new IOException("cannot connect to " + peer + " at " + address + ": "
                    + (connected.cause() == null ? "no answer in " + connectTimeoutMs + " ms" : connected.cause()),
                    connected.cause());
            }
            if (tls != null)
            {
                final var handshake = ssl[0].handshakeFuture();
                if (!handshake.await(connectTimeoutMs + 1_000) || !handshake.isSuccess())
                {
                    connected.channel().close();
                    throw new IOException("TLS handshake with " + peer + " at " + address + " failed: "
                        + (handshake.cause() == null ? "no answer in " + connectTimeoutMs + " ms" : handshake.cause()),
                        handshake.cause());
                }
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            connected.channel().close();
            throw new IOException("interrupted while connecting to " + peer, e);
        }
        this.channel = connected.channel();
    }

    /** Sends {@code proto}, whose Raft header is {@code header}; the future completes with the reply. */
    CompletableFuture<RaftNettyServerReplyProto> sendAsync(final RaftRpcRequestProto header,
        final RaftNettyServerRequestProto proto)
    {
        final long callId = header.getCallId();
        final CompletableFuture<RaftNettyServerReplyProto> reply = new CompletableFuture<>();
        if (!channel.isActive())
        {
            reply.completeExceptionally(new AlreadyClosedException("the " + kind + " to " + peer + " is closed"));
            return reply;
        }
        final CompletableFuture<RaftNettyServerReplyProto> previous = replies.putIfAbsent(callId, reply);
        if (previous != null)
        {
            reply.completeExceptionally(new IllegalStateException("call " + callId + " to " + peer
                + " is already waiting for a reply"));
            return reply;
        }
        channel.writeAndFlush(proto).addListener(written ->
        {
            if (!written.isSuccess() && replies.remove(callId, reply))
            {
                reply.completeExceptionally(new AlreadyClosedException("cannot send to " + peer + ": "
                    + written.cause()));
                channel.close();
            }
        });
        return reply;
    }

    /** Sends and waits for the reply: the request timeout plus what the request itself allows. */
    RaftNettyServerReplyProto send(final RaftRpcRequestProto header, final RaftNettyServerRequestProto proto)
        throws IOException
    {
        final CompletableFuture<RaftNettyServerReplyProto> reply = sendAsync(header, proto);
        final long waitMs = requestTimeoutMs + header.getTimeoutMs();
        try
        {
            return reply.get(waitMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for call " + header.getCallId() + " to " + peer, e);
        }
        catch (final ExecutionException e)
        {
            final Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
        catch (final TimeoutException e)
        {
            replies.remove(header.getCallId(), reply);
            throw new TimeoutIOException("no reply from " + peer + " to call " + header.getCallId() + " in " + waitMs
                + " ms", e);
        }
    }

    @Override
    public void close()
    {
        channel.close();
        failAll(new AlreadyClosedException("closed the " + kind + " to " + peer));
    }

    private void failAll(final Throwable cause)
    {
        for (final Long callId : replies.keySet())
        {
            final CompletableFuture<RaftNettyServerReplyProto> reply = replies.remove(callId);
            if (reply != null)
            {
                reply.completeExceptionally(cause);
            }
        }
    }

    @Override
    public String toString()
    {
        return "NettyPeer(" + peer + ", " + replies.size() + " waiting)";
    }

    /** Completes each call with its reply; fails them all when the connection ends. */
    private final class Replies extends SimpleChannelInboundHandler<RaftNettyServerReplyProto>
    {
        @Override
        protected void channelRead0(final ChannelHandlerContext context, final RaftNettyServerReplyProto proto)
        {
            final CompletableFuture<RaftNettyServerReplyProto> reply = replies.remove(NettyRpcProxy.getCallId(proto));
            if (reply == null)
            {
                return; // its caller gave up waiting
            }
            if (proto.hasExceptionReply())
            {
                // Data, never Java deserialization: a peer's bytes do not choose what this process instantiates.
                reply.completeExceptionally(RemoteExceptions.decode(proto.getExceptionReply().getException(),
                    "from " + peer));
            }
            else
            {
                reply.complete(proto);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
        {
            context.close();
            failAll(new IOException("the " + kind + " to " + peer + " failed: " + cause, cause));
        }

        @Override
        public void channelInactive(final ChannelHandlerContext context) throws Exception
        {
            failAll(new AlreadyClosedException("the " + kind + " to " + peer + " closed"));
            super.channelInactive(context);
        }
    }
}
