package io.tributary.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.protocol.AdminRequestDescriptor;
import io.tributary.protocol.AdminResponseDescriptor;
import io.tributary.protocol.AppendItemDescriptor;
import io.tributary.protocol.ErrorResponseDescriptor;
import io.tributary.protocol.FetchRequestDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.protocol.ProduceRequestDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;
import io.tributary.raft.node.NodeConfig;
import io.tributary.raft.protocol.ReplayKey;

/**
 * The node's front end against a real 3-node cluster (node JVMs on loopback, Aeron), spoken to
 * byte by byte ({@link FrontEndProbe}): batches of several producers coalesced into one Raft
 * entry with each its own result; many producers on many shards sharing entries; malformed and
 * oversized requests answered with errors while the node stays up; and a replica killed in the
 * middle of applying an entry, which on restart stores the rest of that entry and only the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FrontEndTest
{
    private RunningCluster running;
    private LocalCluster cluster;
    private MetadataClient metadata;
    private FrontEndProbe probe;

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        running = RunningCluster.builder(dir)
            // One entry in flight per shard: a request's batches for a shard meet in one entry.
            .config("frontend.entries.inflight.max", "1").start();
        cluster = running.processes();
        metadata = running.metadata();
        probe = new FrontEndProbe();
    }

    @AfterAll
    void stop() throws Exception
    {
        if (probe != null)
        {
            probe.close();
        }
        if (running != null)
        {
            running.close();
        }
    }

    // ------------------------------------------------------------------ coalescing

    @Test
    @Order(1)
    void oneEntryCarriesTheBatchesOfSeveralProducersEachWithItsOwnResult() throws Exception
    {
        final Shard shard = createStream("mixed", 1).get(0);
        final long a = metadataId();
        final long b = metadataId();
        final long c = metadataId();
        // A first entry, so the conditions below have something to compare with.
        final byte[] seed = item(batch(a, 0, "k", "a0"));
        assertThat(stored(shard, List.of(seed)).get(0).status()).isEqualTo(AppendStatus.APPENDED);

        final byte[] badCrc = item(batch(c, 0, "k", "c0"));
        badCrc[badCrc.length - 1] ^= 1;
        final List<FrontEndProbe.Result> results = stored(shard, List.of(item(batch(b, 0, "k", "b0", "b1")), seed,
            item(batch(a, 1, "k", "a1")), FrontEndProbe.item(batch(-1, -1, "k", "conditional"),
                AppendItemDescriptor.FLAG_KEY_CONDITION,
                Long.MIN_VALUE, "k".getBytes(UTF_8), 5, null), badCrc, item(batch(c, 5, "k", "gap"))));

        assertThat(results).extracting(FrontEndProbe.Result::status).containsExactly(AppendStatus.APPENDED,
            AppendStatus.DUPLICATE, AppendStatus.APPENDED, AppendStatus.KEY_CONDITION_FAILED,
                AppendStatus.INVALID_BATCH,
            AppendStatus.UNKNOWN_PRODUCER);
        assertThat(results.get(0).baseOffset()).isEqualTo(1);
        assertThat(results.get(0).lastOffset()).isEqualTo(2);
        assertThat(results.get(1).baseOffset()).as("the duplicate answers the original offsets").isEqualTo(0);
        assertThat(results.get(2).baseOffset()).isEqualTo(3);
        assertThat(results.get(3).expected()).isEqualTo(5);
        assertThat(results.get(3).found()).as("the key's last record").isEqualTo(3);
        assertThat(results.get(4).message()).contains("CRC");
        // The two stored batches came in one Raft entry, as its items 0 and 2: their replay keys say so.
        final UnsafeBuffer stored = new UnsafeBuffer(leaderData(shard, 1));
        assertThat(stored.capacity()).isPositive();
        final long first = stored.getLong(RecordBatchDescriptor.RAFT_INDEX_OFFSET);
        final long second = stored.getLong(stored.getInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET)
            + RecordBatchDescriptor.RAFT_INDEX_OFFSET);
        assertThat(ReplayKey.raftIndex(second)).as("one entry").isEqualTo(ReplayKey.raftIndex(first));
        assertThat(ReplayKey.ordinal(first)).isEqualTo(0);
        assertThat(ReplayKey.ordinal(second)).isEqualTo(2);
    }

    @Test
    @Order(2)
    void manyProducersOnManyShardsShareEntries() throws Exception
    {
        final List<Shard> shards = createStream("many", 3);
        final long[][] before = new long[shards.size()][];
        for (int s = 0; s < shards.size(); s++)
        {
            before[s] = position(shards.get(s));
        }
        final int producers = 8;
        final int batchesEach = 60;
        final ExecutorService threads = Executors.newFixedThreadPool(producers);
        try
        {
            final List<Future<Integer>> done = new ArrayList<>();
            final List<String> refused = Collections.synchronizedList(new ArrayList<>());
            for (int p = 0; p < producers; p++)
            {
                final long producerId = metadataId();
                done.add(threads.submit(() ->
                {
                    int stored = 0;
                    for (int n = 0; n < batchesEach; n++)
                    {
                        final Shard shard = shards.get(n % shards.size());
                        final int sequence = n / shards.size();
                        final List<FrontEndProbe.Result> results =
                            stored(shard, List.of(item(batch(producerId, sequence, "p" + producerId, "v" + n))));
                        if (results.get(0).status() == AppendStatus.APPENDED || results.get(0)
                            .status() == AppendStatus.DUPLICATE)
                        {
                            stored++;
                        }
                        else
                        {
                            refused.add("producer " + producerId + " batch " + n + " on " + shard.group + ": "
                                + results.get(0));
                        }
                    }
                    return stored;
                }));
            }
            int stored = 0;
            for (final Future<Integer> future : done)
            {
                stored += future.get(3, TimeUnit.MINUTES);
            }
            assertThat(stored).as("batches stored; not stored: %s", refused).isEqualTo(producers * batchesEach);
        }
        finally
        {
            threads.shutdownNow();
        }
        long batches = 0;
        long entries = 0;
        for (int s = 0; s < shards.size(); s++)
        {
            final long[] after = position(shards.get(s));
            batches += after[1] - before[s][1];
            entries += after[2] - before[s][2];
        }
        System.out.printf("front end: %d batches of %d producers on %d shards in %d Raft entries (%.1f per entry)%n",
            batches,
            producers, shards.size(), entries, (double)batches / entries);
        assertThat(batches).isEqualTo((long)producers * batchesEach);
        assertThat(entries).as("concurrent producers' batches share entries").isLessThan(batches);
    }

    // ------------------------------------------------------------------ bad input

    @Test
    @Order(3)
    void malformedAndOversizedRequestsGetAnErrorAndTheNodeStaysUp() throws Exception
    {
        final Shard shard = createStream("garbage", 1).get(0);
        final byte[] good = item(batch(-1, -1, "k", "good"));
        final byte[] valid = FrontEndProbe.produceRequest(List.of(new FrontEndProbe.Item(shard.group, good)));

        assertError(MessageType.PRODUCE_REQUEST, new byte[3], ErrorResponseDescriptor.MALFORMED,
            "less than its 8-byte header");
        final byte[] truncated = Arrays.copyOf(valid, valid.length - 5);
        assertError(MessageType.PRODUCE_REQUEST, truncated, ErrorResponseDescriptor.MALFORMED, "item 0 of 1");
        final byte[] trailing = Arrays.copyOf(valid, valid.length + 3);
        assertError(MessageType.PRODUCE_REQUEST, trailing, ErrorResponseDescriptor.MALFORMED, "end at byte");
        final byte[] badFlags = valid.clone();
        badFlags[ProduceRequestDescriptor.HEADER_LENGTH + ProduceRequestDescriptor.ITEM_APPEND_OFFSET
            + AppendItemDescriptor.FLAGS_OFFSET] = (byte)0x80;
        assertError(MessageType.PRODUCE_REQUEST, badFlags, ErrorResponseDescriptor.MALFORMED, "unknown flags");
        final byte[] badExpected = FrontEndProbe.produceRequest(List.of(new FrontEndProbe.Item(shard.group,
            FrontEndProbe.item(
            batch(-1, -1, "k", "x"), AppendItemDescriptor.FLAG_SHARD_CONDITION, -7, null, Long.MIN_VALUE, null))));
        assertError(MessageType.PRODUCE_REQUEST, badExpected, ErrorResponseDescriptor.MALFORMED, "-7");
        final byte[] badVersion = valid.clone();
        badVersion[0] = 9;
        assertError(MessageType.PRODUCE_REQUEST, badVersion, ErrorResponseDescriptor.UNSUPPORTED_VERSION, "version 9");
        final UnsafeBuffer shortFetch = new UnsafeBuffer(new byte[FetchRequestDescriptor.HEADER_LENGTH + 7]);
        FetchRequestDescriptor.writeHeader(shortFetch, 0, 1, 0);
        assertError(MessageType.FETCH_REQUEST, shortFetch.byteArray(), ErrorResponseDescriptor.MALFORMED, "must be");
        assertError(MessageType.ADMIN_REQUEST, new byte[AdminRequestDescriptor.HEADER_LENGTH - 1],
            ErrorResponseDescriptor.MALFORMED, "admin request");
        assertError(MessageType.APPEND_ENTRIES_REQUEST, new byte[8], ErrorResponseDescriptor.UNKNOWN_TYPE, "serves no");
        // Larger than the front end takes (frontend.request.bytes.max, 16 MiB): refused as a whole, nothing stored.
        final byte[] huge = new byte[20 << 20];
        System.arraycopy(valid, 0, huge, 0, valid.length);
        assertError(MessageType.PRODUCE_REQUEST, huge, ErrorResponseDescriptor.TOO_LARGE, "exceeds this node's limit");

        // A response sent to a node has no call to answer: the node drops it and goes on.
        final byte[] stray = FrontEndProbe.produceRequest(List.of());
        probe.send(shard.leader, MessageType.PRODUCE_RESPONSE, stray);

        final List<FrontEndProbe.Result> after = stored(shard, List.of(good));
        assertThat(after.get(0).status()).as("the node still serves").isEqualTo(AppendStatus.APPENDED);
        assertThat(after.get(0).baseOffset()).as("nothing of the bad requests was stored").isZero();
        final FrontEndProbe.Response admin =
            probe.call(shard.leader, MessageType.ADMIN_REQUEST, AdminRequestDescriptor.encode(
            AdminRequestDescriptor.KIND_METADATA_QUERY, 0, 0, 0, "NODES"));
        assertThat(AdminResponseDescriptor.status(admin.buffer(), 0)).isEqualTo(AdminResponseDescriptor.STATUS_OK);
    }

    private void assertError(final MessageType type, final byte[] body, final short code, final String text)
        throws Exception
    {
        for (final String node : cluster.nodeIds())
        {
            final FrontEndProbe.Response response = probe.call(cluster.address(node), type, body);
            assertThat(response.type()).as("%s of %d bytes to %s", type, body.length, node)
                .isEqualTo(MessageType.ERROR_RESPONSE);
            assertThat(ErrorResponseDescriptor.codeName(ErrorResponseDescriptor.code(response.buffer(), 0)))
                .isEqualTo(ErrorResponseDescriptor.codeName(code));
            assertThat(ErrorResponseDescriptor.text(response.buffer(), 0, response.bytes().length)).contains(text);
        }
    }

    // ------------------------------------------------------------------ replay

    @Test
    @Order(4)
    void aReplicaKilledInTheMiddleOfAnEntryStoresTheRestOfItAndOnlyTheRestOnRestart() throws Exception
    {
        final Shard shard = createStream("halfway", 1).get(0);
        final String victim = shard.replicas.keySet().stream()
            .filter(node -> !cluster.address(node).equals(shard.leader))
            .findFirst().orElseThrow();
        cluster.config(victim, NodeConfig.FAULT_HALT_MID_ENTRY, "true");
        cluster.stop(victim);
        cluster.start(victim);
        final long producer = metadataId();
        final List<byte[]> items = List.of(item(batch(producer, 0, "k", "a")), item(batch(producer, 1, "k", "b", "c")),
            item(batch(producer, 3, "k", "d")));
        final Shard current = describe("halfway").get(0);
        final List<FrontEndProbe.Result> results = stored(current, items);
        assertThat(results).extracting(FrontEndProbe.Result::status).containsOnly(AppendStatus.APPENDED);
        LocalCluster.await(victim + " halted in the middle of the entry", 60_000, () -> !cluster.isRunning(victim));
        assertThat(cluster.exitCode(victim)).isEqualTo(137);

        cluster.config(victim, NodeConfig.FAULT_HALT_MID_ENTRY, null);
        cluster.start(victim);
        LocalCluster.await(victim + " caught up", 60_000, () -> replicaPosition(current, victim)[0] == 4);
        final long[] restarted = replicaPosition(current, victim);
        final String other = current.replicas.keySet().stream().filter(node -> !node.equals(victim)).findFirst()
            .orElseThrow();
        final long[] healthy = replicaPosition(current, other);
        assertThat(restarted[0]).as("records").isEqualTo(healthy[0]).isEqualTo(4);
        assertThat(restarted[1]).as("batches: none lost, none stored twice").isEqualTo(healthy[1]).isEqualTo(3);
        assertThat(replicaData(current, victim)).as("the restarted replica's bytes")
            .isEqualTo(replicaData(current, other));
    }

    // ------------------------------------------------------------------ helpers

    /** A shard as the tests use it: its group, replicas (id -> address) and the address of its leader. */
    private record Shard(UUID group, Map<String, String> replicas, String leader)
    {
    }

    private List<Shard> createStream(final String name, final int shards) throws Exception
    {
        running.createStream(name, shards, 3);
        final List<Shard>[] found = new List[1];
        // Led by the preferred replicas: the controller moves a new shard's leadership there, and a
        // move during a test step would fail entries in flight (OUTCOME_UNKNOWN) for reasons not under test.
        LocalCluster.await(name + " led by its preferred replicas", 90_000, () ->
        {
            found[0] = describe(name);
            return found[0].stream().allMatch(shard -> shard.leader != null
                && shard.leader.equals(shard.replicas.values().iterator().next()));
        });
        return found[0];
    }

    private List<Shard> describe(final String name) throws Exception
    {
        final String[] lines = metadata.query("DESCRIBE", name).split("\n");
        final List<Shard> shards = new ArrayList<>();
        for (int i = 1; i < lines.length; i++)
        {
            final String[] fields = lines[i].split("\t");
            final Map<String, String> replicas = new LinkedHashMap<>();
            for (final String peer : fields[2].split(","))
            {
                replicas.put(peer.substring(0, peer.indexOf('=')), peer.substring(peer.indexOf('=') + 1));
            }
            final UUID group = UUID.fromString(fields[1]);
            String leader = null;
            for (final String address : replicas.values())
            {
                final FrontEndProbe.Response info =
                    probe.call(address, MessageType.ADMIN_REQUEST, AdminRequestDescriptor.encode(
                    AdminRequestDescriptor.KIND_GROUP_INFO, group.getMostSignificantBits(),
                        group.getLeastSignificantBits(), 0, ""));
                if (AdminResponseDescriptor.status(info.buffer(), 0) == AdminResponseDescriptor.STATUS_OK
                    && AdminResponseDescriptor.role(info.buffer(), 0) == FetchResponseDescriptor.ROLE_LEADER)
                {
                    leader = address;
                }
            }
            shards.add(new Shard(group, replicas, leader));
        }
        return shards;
    }

    private long metadataId() throws Exception
    {
        return Long.parseLong(metadata.command("ALLOC_PRODUCER_ID").trim());
    }

    /**
     * Sends the items in one request to the shard's leader, following leadership moves, until none is refused unseen.
     */
    private List<FrontEndProbe.Result> stored(final Shard shard, final List<byte[]> items) throws Exception
    {
        final List<FrontEndProbe.Item> request = new ArrayList<>();
        for (final byte[] item : items)
        {
            request.add(new FrontEndProbe.Item(shard.group, item));
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String leader = shard.leader;
        while (true)
        {
            final List<FrontEndProbe.Result> results = probe.produceUntilStored(leader, request, 10_000);
            final FrontEndProbe.Result moved = results.stream().filter(r -> r.status() == AppendStatus.NOT_LEADER)
                .findFirst()
                .orElse(null);
            // The entry failed after it was submitted (the leader stepped down): resend the same bytes,
            // as the client does; the producer table answers DUPLICATE if it was stored after all.
            final boolean unknown = results.stream().anyMatch(r -> r.status() == AppendStatus.OUTCOME_UNKNOWN);
            if ((moved == null && !unknown) || System.nanoTime() > deadlineNs)
            {
                return results;
            }
            leader = moved != null && moved.message() != null && shard.replicas.containsKey(moved.message())
                ? shard.replicas.get(moved.message()) : leaderOf(shard);
        }
    }

    private String leaderOf(final Shard shard) throws Exception
    {
        for (final Shard fresh : describeGroups(shard))
        {
            if (fresh.leader != null)
            {
                return fresh.leader;
            }
        }
        return shard.leader;
    }

    private List<Shard> describeGroups(final Shard shard) throws Exception
    {
        final List<Shard> found = new ArrayList<>();
        for (final String address : shard.replicas.values())
        {
            final FrontEndProbe.Response info =
                probe.call(address, MessageType.ADMIN_REQUEST, AdminRequestDescriptor.encode(
                AdminRequestDescriptor.KIND_GROUP_INFO, shard.group.getMostSignificantBits(),
                    shard.group.getLeastSignificantBits(), 0,
                ""));
            if (AdminResponseDescriptor.status(info.buffer(), 0) == AdminResponseDescriptor.STATUS_OK
                && AdminResponseDescriptor.role(info.buffer(), 0) == FetchResponseDescriptor.ROLE_LEADER)
            {
                found.add(new Shard(shard.group, shard.replicas, address));
            }
        }
        return found;
    }

    /** Records, batches and applied Raft index of the shard's leader (whoever leads now). */
    private long[] position(final Shard shard) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final long[] position = fetchPosition(shard, leaderOf(shard), FetchRequestDescriptor.CONSISTENCY_FOLLOWER);
            if (position[0] >= 0 || System.nanoTime() > deadlineNs)
            {
                return position;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** The stored batches from {@code fromOffset}, linearizably from the leader (following leadership moves). */
    private byte[] leaderData(final Shard shard, final long fromOffset) throws Exception
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[FetchRequestDescriptor.itemOffset(0, 1)]);
        FetchRequestDescriptor.writeHeader(request, 0, 1, 0);
        FetchRequestDescriptor.writeItem(request, FetchRequestDescriptor.itemOffset(0, 0),
            shard.group.getMostSignificantBits(),
            shard.group.getLeastSignificantBits(), fromOffset, 0, 1 << 20,
                FetchRequestDescriptor.CONSISTENCY_LINEARIZABLE);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final FrontEndProbe.Response response =
                probe.call(leaderOf(shard), MessageType.FETCH_REQUEST, request.byteArray());
            final int at = FetchResponseDescriptor.HEADER_LENGTH;
            if (FetchResponseDescriptor.status(response.buffer(), at) == FetchResponseDescriptor.STATUS_OK
                || System.nanoTime() > deadlineNs)
            {
                final int length = FetchResponseDescriptor.dataLength(response.buffer(), at);
                return Arrays.copyOfRange(response.bytes(), at + FetchResponseDescriptor.ITEM_HEADER_LENGTH,
                    at + FetchResponseDescriptor.ITEM_HEADER_LENGTH + length);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private long[] replicaPosition(final Shard shard, final String node)
    {
        try
        {
            return fetchPosition(shard, shard.replicas.get(node), FetchRequestDescriptor.CONSISTENCY_FOLLOWER);
        }
        catch (final Exception e)
        {
            return new long[]{-1, -1, -1};
        }
    }

    private long[] fetchPosition(final Shard shard, final String address, final byte consistency) throws Exception
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[FetchRequestDescriptor.itemOffset(0, 1)]);
        FetchRequestDescriptor.writeHeader(request, 0, 1, 0);
        FetchRequestDescriptor.writeItem(request, FetchRequestDescriptor.itemOffset(0, 0),
            shard.group.getMostSignificantBits(),
            shard.group.getLeastSignificantBits(), 0, 0, 0, consistency);
        final FrontEndProbe.Response response = probe.call(address, MessageType.FETCH_REQUEST, request.byteArray());
        assertThat(response.type()).isEqualTo(MessageType.FETCH_RESPONSE);
        final int at = FetchResponseDescriptor.HEADER_LENGTH;
        if (consistency == FetchRequestDescriptor.CONSISTENCY_FOLLOWER
            && FetchResponseDescriptor.status(response.buffer(), at) != FetchResponseDescriptor.STATUS_OK)
        {
            // A replica still opening (or behind) answers BEHIND: no position yet.
            return new long[]{-1, -1, -1};
        }
        assertThat(FetchResponseDescriptor.statusName(FetchResponseDescriptor.status(response.buffer(), at)))
            .isEqualTo("OK");
        return new long[]{FetchResponseDescriptor.nextOffset(response.buffer(), at),
            FetchResponseDescriptor.batchCount(response.buffer(),
            at), FetchResponseDescriptor.appliedIndex(response.buffer(), at)};
    }

    /** Every stored byte of one replica (follower read), for comparing replicas. */
    private byte[] replicaData(final Shard shard, final String node) throws Exception
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[FetchRequestDescriptor.itemOffset(0, 1)]);
        FetchRequestDescriptor.writeHeader(request, 0, 1, 0);
        FetchRequestDescriptor.writeItem(request, FetchRequestDescriptor.itemOffset(0, 0),
            shard.group.getMostSignificantBits(),
            shard.group.getLeastSignificantBits(), 0, 0, 1 << 20, FetchRequestDescriptor.CONSISTENCY_FOLLOWER);
        final FrontEndProbe.Response response =
            probe.call(shard.replicas.get(node), MessageType.FETCH_REQUEST, request.byteArray());
        final int at = FetchResponseDescriptor.HEADER_LENGTH;
        final int length = FetchResponseDescriptor.dataLength(response.buffer(), at);
        return Arrays.copyOfRange(response.bytes(), at + FetchResponseDescriptor.ITEM_HEADER_LENGTH,
            at + FetchResponseDescriptor.ITEM_HEADER_LENGTH + length);
    }

    private static byte[] batch(final long producerId, final int sequence, final String key, final String... values)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        if (producerId < 0)
        {
            builder.reset();
        }
        else
        {
            builder.reset(producerId, (short)0, sequence);
        }
        for (final String value : values)
        {
            builder.tryAppend(1L, key.getBytes(UTF_8), value.getBytes(UTF_8));
        }
        return Arrays.copyOf(buffer.byteArray(), builder.build());
    }

    private static byte[] item(final byte[] batch)
    {
        return FrontEndProbe.item(batch, 0, Long.MIN_VALUE, null, Long.MIN_VALUE, null);
    }

    static
    {
        // The batches here are small: one fits a 4 KiB builder with room to spare.
        assert RecordBatchDescriptor.HEADER_LENGTH < 4096;
    }
}
