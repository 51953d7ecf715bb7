package io.tributary.transport.rpc;

import io.tributary.protocol.frame.Seeds;
import io.tributary.protocol.net.LoopbackPorts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


/**
 * The pipelined log appender ({@link AeronLogAppender}) in a 3-server group over Aeron in one
 * JVM: many async writes with several appendEntries in flight per follower, and a follower that
 * falls behind a purged log and is caught up by an install-snapshot notification.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AeronLogAppenderTest
{
    @TempDir
    Path dir;

    private RaftProperties properties(final Consumer<RaftProperties> extra)
    {
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, new AeronRpcType());
        properties.set("transport.aeron.dir.base", dir.toString());
        properties.set("transport.aeron.term.length.bytes", Integer.toString(64 * 1024));
        properties.set("transport.aeron.offer.timeout.ms", "500");
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        extra.accept(properties);
        return properties;
    }

    private static List<RaftPeer> peers(final String prefix) throws IOException
    {
        final List<RaftPeer> peers = new ArrayList<>();
        final int[] ports = LoopbackPorts.reserve(3, Set.of());
        for (int i = 1; i <= 3; i++)
        {
            peers.add(RaftPeer.newBuilder().setId(prefix + i).setAddress("127.0.0.1:" + ports[i - 1]).build());
        }
        return peers;
    }

    private RaftServer startServer(final RaftPeer peer, final RaftGroup group, final RaftProperties properties,
        final DigestStateMachine stateMachine, final RaftStorage.StartupOption option) throws IOException
    {
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve("storage-" + peer.getId()).toFile()));
        final RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
            .setStateMachine(stateMachine).setProperties(properties).setOption(option).build();
        server.start();
        return server;
    }

    private RaftClient client(final RaftGroup group, final Consumer<RaftProperties> extra)
    {
        return RaftClient.newBuilder().setRaftGroup(group).setProperties(properties(extra))
            .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
            .build();
    }

    private static DigestStateMachine stateMachine(final RaftServer server, final RaftGroup group)
    {
        try
        {
            return (DigestStateMachine)server.getDivision(group.getGroupId()).getStateMachine();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void awaitTrue(final long timeoutSeconds, final BooleanSupplier condition,
        final Supplier<String> what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadlineNs).as(what).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static long fold(final long digest, final byte[] data)
    {
        final CRC32C crc = new CRC32C();
        crc.update(data);
        return Long.rotateLeft(digest, 17) ^ crc.getValue();
    }

    private static void awaitSameState(final List<RaftServer> servers, final RaftGroup group, final long count,
        final long[] expected)
    {
        final long digest = expected[0];
        final long sum = expected[1];
        final List<String> states = new ArrayList<>();
        for (final RaftServer server : servers)
        {
            final DigestStateMachine sm = stateMachine(server, group);
            awaitTrue(60, () -> sm.count() >= count, () -> server.getId() + " applied " + sm.count() + " of " + count
                + " writes");
            states.add(sm.count() + "/" + sm.digest() + "/" + sm.sum());
        }
        // Replication first (every server applied the same entries in the same order), then the writes.
        assertThat(states).as("count/digest/sum per server").containsOnly(states.get(0));
        final String[] state = states.get(0).split("/");
        assertThat(Long.parseLong(state[0])).as("writes applied").isEqualTo(count);
        assertThat(Long.parseLong(state[2])).as("sum of the writes' CRCs (each write applied once)").isEqualTo(sum);
        assertThat(Long.parseLong(state[1])).as("digest of the writes in send order").isEqualTo(digest);
    }

    @ParameterizedTest(name = "appender.inflight.max={0}")
    @ValueSource(ints = {1, 8})
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void manyAsyncWritesArePipelinedAcknowledgedAndAppliedInTheSameOrderEverywhere(final int inflightMax)
        throws Exception
    {
        final Random random = new Random(Seeds.seed("manyAsyncWritesArePipelined" + inflightMax));
        final Consumer<RaftProperties> extra = p ->
            p.set("transport.aeron.appender.inflight.max", Integer.toString(inflightMax));
        final List<RaftPeer> peers = peers("p" + inflightMax + "-");
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                servers.add(startServer(peer, group, properties(extra), new DigestStateMachine(() -> null),
                    RaftStorage.StartupOption.FORMAT));
            }
            final int writes = 3_000;
            final byte[][] payloads = new byte[writes][];
            for (int i = 0; i < writes; i++)
            {
                payloads[i] = new byte[64 + random.nextInt(200)];
                random.nextBytes(payloads[i]);
            }
            try (RaftClient client = client(group, extra))
            {
                final byte[] warmUp = {1};
                assertThat(client.io().send(Message.valueOf(ByteString.copyFrom(warmUp))).isSuccess()).isTrue();
                final Semaphore window = new Semaphore(64);
                final List<CompletableFuture<RaftClientReply>> futures = new ArrayList<>(writes);
                final long startNs = System.nanoTime();
                for (int i = 0; i < writes; i++)
                {
                    window.acquire();
                    futures.add(client.async().send(Message.valueOf(ByteString.copyFrom(payloads[i])))
                        .whenComplete((r, e) -> window.release()));
                }
                for (int i = 0; i < writes; i++)
                {
                    final RaftClientReply reply = futures.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(reply.isSuccess()).as("write %d acknowledged", i).isTrue();
                    assertThat(reply.getMessage().getContent().toByteArray()).as("echo of write %d", i)
                        .isEqualTo(payloads[i]);
                }
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                System.out.printf("appender.inflight.max=%d: %d async writes (64 outstanding) in %.2f s = %.0f "
                    + "writes/s%n", inflightMax, writes, seconds, writes / seconds);
                awaitSameState(servers, group, writes + 1, digestWithWarmUp(warmUp, payloads));
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

    @ParameterizedTest(name = "stopped: {0}")
    @ValueSource(strings = {"follower", "leader"})
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void serverStoppedAndRestartedDuringPipelinedWritesCatchesUpWithTheSameEntries(final String stopped)
        throws Exception
    {
        final Random random = new Random(Seeds.seed("serverStoppedAndRestartedDuringPipelinedWrites-" + stopped));
        final Consumer<RaftProperties> extra = p -> { };
        final List<RaftPeer> peers = peers(stopped.substring(0, 1) + "x");
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                servers.add(startServer(peer, group, properties(extra), new DigestStateMachine(() -> null),
                    RaftStorage.StartupOption.FORMAT));
            }
            final int writes = 3_000;
            final byte[][] payloads = new byte[writes][];
            for (int i = 0; i < writes; i++)
            {
                payloads[i] = new byte[64 + random.nextInt(200)];
                random.nextBytes(payloads[i]);
            }
            try (RaftClient client = client(group, extra))
            {
                final byte[] warmUp = {1};
                assertThat(client.io().send(Message.valueOf(ByteString.copyFrom(warmUp))).isSuccess()).isTrue();
                final int leaderAt = peers.indexOf(group.getPeer(client.getLeaderId()));
                // The leader: its appenders stop with requests in flight, a new leader's start from scratch.
                final int victim = stopped.equals("leader") ? leaderAt : (leaderAt + 2) % 3;
                final Semaphore window = new Semaphore(64);
                final List<CompletableFuture<RaftClientReply>> futures = new ArrayList<>(writes);
                for (int i = 0; i < writes; i++)
                {
                    if (i == writes / 3)
                    {
                        // Requests to it are in flight: the appender sees failures and resets with data in flight.
                        servers.get(victim).close();
                    }
                    if (i == 2 * writes / 3)
                    {
                        servers.set(victim, startServer(peers.get(victim), group, properties(extra),
                            new DigestStateMachine(() -> null),
                            RaftStorage.StartupOption.RECOVER));
                    }
                    window.acquire();
                    futures.add(client.async().send(Message.valueOf(ByteString.copyFrom(payloads[i])))
                        .whenComplete((r, e) -> window.release()));
                }
                for (int i = 0; i < writes; i++)
                {
                    final RaftClientReply reply = futures.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(reply.isSuccess()).as("write %d acknowledged", i).isTrue();
                    assertThat(reply.getMessage().getContent().toByteArray()).as("echo of write %d", i)
                        .isEqualTo(payloads[i]);
                }
                // Across a leader change Ratis's ordered async client resends on independent retry timers; the
                // server RPC's per-client sliding window submits them in seqNum order: same entries everywhere,
                // each write once, in send order.
                awaitSameState(servers, group, writes + 1, digestWithWarmUp(warmUp, payloads));
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

    /** {digest in order, sum} of the warm-up write then the payloads. */
    private static long[] digestWithWarmUp(final byte[] warmUp, final byte[][] payloads)
    {
        final long[] expected = {0, 0};
        add(expected, warmUp);
        for (final byte[] payload : payloads)
        {
            add(expected, payload);
        }
        return expected;
    }

    private static void add(final long[] expected, final byte[] data)
    {
        final CRC32C crc = new CRC32C();
        crc.update(data);
        expected[0] = fold(expected[0], data);
        expected[1] += crc.getValue();
    }

    private static Consumer<RaftProperties> snapshotAndPurge(final boolean installSnapshotEnabled)
    {
        return p ->
        {
            RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, installSnapshotEnabled);
            RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 40);
            RaftServerConfigKeys.Snapshot.setCreationGap(p, 10);
            RaftServerConfigKeys.Log.setPurgeGap(p, 10);
            RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
            RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("16KB"));
            RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("16KB"));
            RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("16KB"));
            RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("8KB"));
        };
    }

    /**
     * installSnapshotEnabled=false (Tributary's setting): the follower is notified and its state
     * machine fetches the leader's snapshot. true: the leader sends the snapshot file in chunks.
     */
    @ParameterizedTest(name = "install.snapshot.enabled={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void followerBehindAPurgedLogGetsTheSnapshotAndCatchesUp(final boolean installSnapshotEnabled) throws Exception
    {
        final Random random = new Random(Seeds.seed("followerBehindAPurgedLog" + installSnapshotEnabled));
        final Consumer<RaftProperties> extra = snapshotAndPurge(installSnapshotEnabled);
        final List<RaftPeer> peers = peers(installSnapshotEnabled ? "c" : "s");
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final AtomicReference<DigestStateMachine> leaderStateMachine = new AtomicReference<>();
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                servers.add(startServer(peer, group, properties(extra), new DigestStateMachine(leaderStateMachine::get),
                    RaftStorage.StartupOption.FORMAT));
            }
            try (RaftClient client = client(group, extra))
            {
                final long[] expected = {0, 0};
                final byte[] first = {42};
                assertThat(client.io().send(Message.valueOf(ByteString.copyFrom(first))).isSuccess()).isTrue();
                add(expected, first);
                final RaftPeerId leader = client.getLeaderId();
                final int leaderAt = peers.indexOf(group.getPeer(leader));
                final RaftServer leaderServer = servers.get(leaderAt);
                leaderStateMachine.set(stateMachine(leaderServer, group));
                final int victim = (leaderAt + 1) % 3;
                final long victimApplied = servers.get(victim).getDivision(group.getGroupId()).getInfo()
                    .getLastAppliedIndex();
                servers.get(victim).close();

                final int writes = 300;
                for (int i = 0; i < writes; i++)
                {
                    final byte[] payload = new byte[200 + random.nextInt(100)];
                    random.nextBytes(payload);
                    assertThat(client.io().send(Message.valueOf(ByteString.copyFrom(payload))).isSuccess())
                        .as("write %d", i).isTrue();
                    add(expected, payload);
                }
                final RaftLog leaderLog = leaderServer.getDivision(group.getGroupId()).getRaftLog();
                awaitTrue(60, () -> leaderLog.getStartIndex() > victimApplied + 1,
                    () -> "leader purged its log past the stopped follower's index " + victimApplied + " (log start "
                        + leaderLog.getStartIndex() + "); snapshot " + leaderStateMachine.get().getLatestSnapshot());
                System.out.printf("leader log start %d, snapshot %s, stopped follower at %d%n",
                    leaderLog.getStartIndex(), leaderStateMachine.get().getLatestSnapshot().getTermIndex(),
                        victimApplied);

                final DigestStateMachine restartedMachine = new DigestStateMachine(leaderStateMachine::get);
                servers.set(victim, startServer(peers.get(victim), group, properties(extra), restartedMachine,
                    RaftStorage.StartupOption.RECOVER));
                final long expectedCount = writes + 1;
                awaitSameState(servers, group, expectedCount, expected);
                if (installSnapshotEnabled)
                {
                    assertThat(restartedMachine.installNotifications.get())
                        .as("install-snapshot notifications received").isZero();
                    assertThat(restartedMachine.getLatestSnapshot()).as("snapshot file received from the leader")
                        .isNotNull();
                }
                else
                {
                    assertThat(restartedMachine.installNotifications.get())
                        .as("install-snapshot notifications received").isPositive();
                    assertThat(restartedMachine.installedFromLeader.get()).as("snapshot fetched from the leader")
                        .isNotNull();
                }

                final byte[] last = {7, 7};
                assertThat(client.io().send(Message.valueOf(ByteString.copyFrom(last))).isSuccess()).isTrue();
                add(expected, last);
                awaitSameState(servers, group, expectedCount + 1, expected);
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
    /**
     * With heartbeats 5 s apart, a follower still learns a new commit index within the commit delay when no further
     * write comes (a timed heartbeat carries it), and no write waits for a heartbeat: each of a run of sequential
     * writes is acknowledged at once. Ratis's own wait ({@code AwaitForSignal}) forgot a signal given while the
     * appender was between its checks and its wait; the write whose reply or entry it announced then waited for the
     * next heartbeat.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void followersLearnTheCommitIndexAfterTheDelayAndNoWriteWaitsForAHeartbeat() throws Exception
    {
        final long heartbeatMs = 5_000;
        final Consumer<RaftProperties> extra = p ->
        {
            RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(2 * heartbeatMs, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(4 * heartbeatMs, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(30, TimeUnit.SECONDS));
            p.set("transport.aeron.appender.commit.delay.us", "200000");
        };
        final List<RaftPeer> peers = peers("cd");
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                servers.add(startServer(peer, group, properties(extra), new DigestStateMachine(() -> null),
                    RaftStorage.StartupOption.FORMAT));
            }
            try (RaftClient client = client(group, extra))
            {
                assertThat(client.io().send(Message.valueOf(ByteString.copyFrom(new byte[] {1}))).isSuccess()).isTrue();
                long slowestNs = 0;
                final int writes = 300;
                for (int i = 0; i < writes; i++)
                {
                    final long startNs = System.nanoTime();
                    assertThat(client.io().send(Message.valueOf(ByteString.copyFrom(new byte[] {2, (byte)i})))
                        .isSuccess())
                        .as("write %d", i).isTrue();
                    slowestNs = Math.max(slowestNs, System.nanoTime() - startNs);
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(slowestNs))
                    .as("slowest of %d sequential writes (ms); heartbeats"
                    + " are %d ms apart", writes, heartbeatMs).isLessThan(heartbeatMs / 2);

                // The last write's reply reached the leader just before it committed: no heartbeat is due for 5 s.
                final RaftServer leader = servers.stream().filter(s -> s.getId().equals(client.getLeaderId()))
                    .findFirst().orElseThrow();
                final long committed = leader.getDivision(group.getGroupId()).getRaftLog().getLastCommittedIndex();
                final long startNs = System.nanoTime();
                for (final RaftServer server : servers)
                {
                    awaitTrue(60, () -> committed(server, group) >= committed, () -> server.getId()
                        + " knows commit index " + committed(server, group) + ", the leader " + committed);
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs))
                    .as("ms until every follower knew commit index %d (commit delay 200 ms, heartbeats %d ms apart)",
                        committed,
                        heartbeatMs)
                    .isLessThan(heartbeatMs / 2);
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

    private static long committed(final RaftServer server, final RaftGroup group)
    {
        try
        {
            return server.getDivision(group.getGroupId()).getRaftLog().getLastCommittedIndex();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
