package io.tributary.raft.rpc;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.protocol.RaftServerAsynchronousProtocol;

/**
 * The Netty transport's answer to a linearizable read that reaches a follower. Ratis's client sends a read to the
 * server it believes leads; a follower then asks the leader for a ReadIndex through {@code async()}, which Ratis
 * 3.3's Netty RPC (and its wire format, which has no ReadIndex message) does not have: the exception ended in
 * Netty's pipeline, the read went unanswered until the client's request timeout, and the client tried the next
 * server. Every metadata read that met a follower took 10 s, a 3-node cluster on Netty took a minute to start in the
 * tests, and a node's own metadata reads stalled alike. Here the follower answers such a read with
 * NotLeaderException naming the leader the request was for, as it answers a write, and the client goes there; the
 * leader answers from its lease (or a heartbeat round), so the read stays linearizable. Everything else goes to the
 * Netty RPC unchanged.
 */
final class NettyReadIndexRedirect implements RaftServerAsynchronousProtocol, InvocationHandler
{
    private final RaftServerRpc rpc;
    private final RaftServer server;

    private NettyReadIndexRedirect(final RaftServerRpc rpc, final RaftServer server)
    {
        this.rpc = rpc;
        this.server = server;
    }

    /** {@code rpc} with {@code async()} answered here. */
    static RaftServerRpc of(final RaftServerRpc rpc, final RaftServer server)
    {
        return (RaftServerRpc)Proxy.newProxyInstance(RaftServerRpc.class.getClassLoader(),
            new Class<?>[] {RaftServerRpc.class}, new NettyReadIndexRedirect(rpc, server));
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable
    {
        if (method.getName().equals("async") && method.getParameterCount() == 0)
        {
            return this;
        }
        if (method.getDeclaringClass() == Object.class)
        {
            return switch (method.getName())
            {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "NettyReadIndexRedirect(" + rpc + ")";
            };
        }
        return ProxyCalls.forward(rpc, method, args);
    }

    @Override
    public CompletableFuture<ReadIndexReplyProto> readIndexAsync(final ReadIndexRequestProto request)
        throws IOException
    {
        final RaftRpcRequestProto header = request.getServerRequest();
        final RaftServer.Division division = server.getDivision(RaftGroupId.valueOf(header.getRaftGroupId().getId()));
        final RaftConfiguration conf = division.getRaftConf();
        return CompletableFuture.failedFuture(new NotLeaderException(division.getMemberId(),
            conf.getPeer(RaftPeerId.valueOf(header.getReplyId())), conf.getCurrentPeers()));
    }

    @Override
    public CompletableFuture<AppendEntriesReplyProto> appendEntriesAsync(final AppendEntriesRequestProto request)
    {
        // Not used on Netty: its log appender sends appendEntries with the blocking call.
        throw new UnsupportedOperationException(rpc.getClass().getSimpleName() + " has no asynchronous appendEntries");
    }
}
