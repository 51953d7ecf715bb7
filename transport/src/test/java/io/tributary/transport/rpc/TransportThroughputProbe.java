package io.tributary.transport.rpc;

import io.tributary.protocol.net.LoopbackPorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rough probe, not the benchmark of issue #6: async writes of 100 bytes with 64 in flight to a
 * 3-server group in one JVM, per transport: gRPC, and Aeron with one appendEntries in flight per
 * follower ({@code aeron-1}) and with the default 8 ({@code aeron-8}), in rotation (the first runs
 * warm the JIT). Runs only with -Dtributary.probe=true.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TransportThroughputProbe
{
    private static final int WRITES = 5_000;

    @TempDir
    Path dir;

    @Test
    void asyncWritesPerSecondByTransport() throws Exception
    {
        Assumptions.assumeTrue(Boolean.getBoolean("tributary.probe"), "set -Dtributary.probe=true to run");
        for (final String transport : new String[]{"grpc", "aeron-1", "aeron-8", "grpc", "aeron-1", "aeron-8", "grpc",
            "aeron-1", "aeron-8"})
        {
            System.out.printf("probe %s: %.0f async writes/s%n", transport, run(transport));
        }
    }

    private double run(final String transport) throws Exception
    {
        final boolean aeron = transport.startsWith("aeron");
        final int inflightMax = aeron ? Integer.parseInt(transport.substring("aeron-".length())) : 0;
        final List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            final int port = LoopbackPorts.reserve();
            peers.add(RaftPeer.newBuilder().setId(transport.replace("-", "") + System.nanoTime() % 100000 + "-" + i)
                .setAddress("127.0.0.1:" + port).build());
        }
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                final RaftProperties properties = properties(aeron, inflightMax);
                GrpcConfigKeys.Server.setPort(properties, Integer.parseInt(peer.getAddress().split(":")[1]));
                RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve(peer.getId().toString()).toFile()));
                final RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
                    .setStateMachine(new BaseStateMachine()).setProperties(properties)
                        .setOption(RaftStorage.StartupOption.FORMAT).build();
                servers.add(server);
                server.start();
            }
            try (RaftClient client = RaftClient.newBuilder().setRaftGroup(group)
                .setProperties(properties(aeron, inflightMax))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                    TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build())
            {
                client.io().send(Message.valueOf("warm-up"));
                final Semaphore window = new Semaphore(64);
                final byte[] payload = new byte[100];
                final List<CompletableFuture<RaftClientReply>> futures = new ArrayList<>(WRITES);
                final long startNs = System.nanoTime();
                for (int i = 0; i < WRITES; i++)
                {
                    window.acquire();
                    futures.add(client.async().send(Message.valueOf(
                        ByteString.copyFrom(payload)))
                        .whenComplete((r, e) -> window.release()));
                }
                for (final CompletableFuture<RaftClientReply> future : futures)
                {
                    future.get(60, TimeUnit.SECONDS);
                }
                return WRITES / ((System.nanoTime() - startNs) / 1e9);
            }
        }
        finally
        {
            for (final RaftServer server : servers)
            {
                server.close();
            }
        }
    }

    private RaftProperties properties(final boolean aeron, final int inflightMax)
    {
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, aeron ? new AeronRpcType() : RpcType.valueOf("GRPC"));
        properties.set("transport.aeron.dir.base", dir.toString());
        if (aeron)
        {
            properties.set("transport.aeron.appender.inflight.max", Integer.toString(inflightMax));
        }
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(properties, true);
        return properties;
    }
}
