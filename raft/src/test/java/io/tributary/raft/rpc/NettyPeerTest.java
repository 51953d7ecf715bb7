package io.tributary.raft.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.io.netty.bootstrap.ServerBootstrap;
import org.apache.ratis.thirdparty.io.netty.channel.Channel;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelHandlerContext;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelInitializer;
import org.apache.ratis.thirdparty.io.netty.channel.EventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.SimpleChannelInboundHandler;
import org.apache.ratis.thirdparty.io.netty.channel.socket.SocketChannel;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufDecoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufEncoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import org.apache.ratis.thirdparty.io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import org.apache.ratis.util.NettyUtils;
import org.apache.ratis.util.ProtoUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.transport.codec.RemoteExceptions;

/**
 * A node's Netty connection to a peer reads exception replies as data: a peer that answers with a Java-serialized
 * object (what Ratis's own Netty server sends) gets an error, and the object's code never runs.
 */
@Timeout(30)
class NettyPeerTest
{
    /** Counts how often Java deserialization ran its readObject: a stand-in for a gadget chain. */
    static final AtomicInteger GADGET_RUNS = new AtomicInteger();

    static final class Gadget implements Serializable
    {
        private static final long serialVersionUID = 1L;

        private void readObject(final ObjectInputStream in) throws IOException, ClassNotFoundException
        {
            in.defaultReadObject();
            GADGET_RUNS.incrementAndGet();
        }
    }

    @Test
    void aJavaSerializedExceptionReplyIsRefusedUnread() throws Exception
    {
        final int before = GADGET_RUNS.get();
        assertThatThrownBy(() -> callPeerThatAnswers(() -> ProtoUtils.writeObject2ByteString(new Gadget())))
            .isExactlyInstanceOf(IOException.class).hasMessageContaining("not deserialized");
        assertThat(GADGET_RUNS.get()).as("readObject never ran").isEqualTo(before);
    }

    @Test
    void anExceptionReplyAsDataIsRebuiltAsRatisException()
    {
        assertThatThrownBy(() -> callPeerThatAnswers(() -> RemoteExceptions.encode(
            new GroupMismatchException("n1: group-X not found."))))
            .isInstanceOf(GroupMismatchException.class).hasMessage("n1: group-X not found.");
    }

    /** Starts a server answering every request with an exception reply of {@code exception}'s bytes; calls it. */
    private static void callPeerThatAnswers(final Supplier<ByteString> exception) throws IOException
    {
        final EventLoopGroup group = NettyUtils.newEventLoopGroup("netty-peer-test", 1, false);
        try
        {
            final Channel server = new ServerBootstrap().group(group)
                .channel(NettyUtils.getServerChannelClass(group))
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel socket)
                    {
                        socket.pipeline().addLast(new ProtobufVarint32FrameDecoder(),
                            new ProtobufDecoder(RaftNettyServerRequestProto.getDefaultInstance()),
                            new ProtobufVarint32LengthFieldPrepender(), new ProtobufEncoder(),
                            new SimpleChannelInboundHandler<RaftNettyServerRequestProto>()
                            {
                                @Override
                                protected void channelRead0(final ChannelHandlerContext context,
                                    final RaftNettyServerRequestProto request)
                                {
                                    final RaftRpcRequestProto header = NettyServerRpc.header(request);
                                    context.writeAndFlush(RaftNettyServerReplyProto.newBuilder().setExceptionReply(
                                        RaftNettyExceptionReplyProto.newBuilder().setRpcReply(RaftRpcReplyProto
                                            .newBuilder().setCallId(header.getCallId())
                                            .setRequestorId(header.getRequestorId())
                                            .setReplyId(header.getReplyId()))
                                            .setException(exception.get())).build());
                                }
                            });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
            final int port = ((InetSocketAddress)server.localAddress()).getPort();
            final RaftPeer peer = RaftPeer.newBuilder().setId("n9").setAddress("127.0.0.1:" + port).build();
            try (NettyPeer connection = new NettyPeer(peer, null, group, 5_000))
            {
                final RaftRpcRequestProto header = RaftRpcRequestProto.newBuilder().setCallId(7)
                    .setRequestorId(ByteString.copyFromUtf8("n1")).setReplyId(ByteString.copyFromUtf8("n9")).build();
                connection.send(header, RaftNettyServerRequestProto.newBuilder().setRequestVoteRequest(
                    RequestVoteRequestProto.newBuilder().setServerRequest(header)).build());
            }
            finally
            {
                server.close().syncUninterruptibly();
            }
        }
        finally
        {
            NettyUtils.shutdownGracefully(group);
        }
    }
}
