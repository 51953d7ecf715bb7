package io.tributary.raft.rpc;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.RaftServer;

import io.tributary.transport.rpc.LogWriteGate;

/**
 * The server a Ratis transport of Ratis's own (gRPC, Netty) serves, with the node's {@link LogWriteGate}
 * in front of appendEntries: while the gate refuses (the data disk is below its reserve), appendEntries
 * that carry entries fail with the reason and the leader resends them later; heartbeats pass, so no
 * election starts. Without it a follower on those transports wrote its Raft log into a full disk, and Ratis
 * fails that log for good. The Aeron transport checks the gate in its own server RPC. Every other call goes
 * straight to the server.
 */
final class GatedRaftServer implements InvocationHandler
{
    private final RaftServer server;

    private GatedRaftServer(final RaftServer server)
    {
        this.server = server;
    }

    static RaftServer of(final RaftServer server)
    {
        return (RaftServer)Proxy.newProxyInstance(RaftServer.class.getClassLoader(), new Class<?>[] {RaftServer.class},
            new GatedRaftServer(server));
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable
    {
        if (args != null && args.length == 1 && args[0] instanceof AppendEntriesRequestProto request
            && request.getEntriesCount() > 0)
        {
            final String refusal = LogWriteGate.refusal(server.getId().toString());
            if (refusal != null)
            {
                final IOException refused = new IOException(server.getId() + " refuses " + request.getEntriesCount()
                    + " entries for group " + groupOf(request) + ": " + refusal + "; the leader resends");
                if (method.getName().equals("appendEntriesAsync"))
                {
                    return CompletableFuture.failedFuture(refused);
                }
                throw refused;
            }
        }
        return ProxyCalls.forward(server, method, args);
    }

    private static String groupOf(final AppendEntriesRequestProto request)
    {
        final var group = request.getServerRequest().getRaftGroupId().getId().asReadOnlyByteBuffer();
        return group.remaining() == 16 ? new UUID(group.getLong(), group.getLong()).toString() : "?";
    }
}
