package io.tributary.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.tributary.client.internal.AppendItems;
import io.tributary.client.internal.AppendOutcome;
import io.tributary.client.internal.FrontEndClient;
import io.tributary.client.internal.FrontEndMetadataView;
import io.tributary.client.internal.NodeLinks;
import io.tributary.client.internal.ProducerImpl;
import io.tributary.client.internal.ReadOutcome;
import io.tributary.client.internal.ShardChannel;
import io.tributary.client.internal.StreamInfo;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.protocol.AppendItemDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.protocol.ShardRing;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;
import io.tributary.raft.node.RaftSettings;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real cluster: three node JVMs on loopback (LocalCluster), started once
 * for the class. Each test uses its own stream. Run once per transport by its subclasses, with
 * the same assertions (Ratis's pattern: RaftBasicTests, TestRaftWithGrpc, TestRaftWithNetty).
 * No Netty subclass yet: on Netty a new stream's shard sometimes did not answer within the 60 s
 * readiness wait in CI (seen once in two runs), to be understood before it joins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class ClusterClientTest
{
    /** The Ratis transport of the nodes and of every client here. */
    abstract String transport();

    private static final Duration READY = Duration.ofSeconds(60);

    private RunningCluster running;
    private LocalCluster cluster;
    private Admin admin;

    @BeforeAll
    void startCluster(@TempDir final Path dir) throws Exception
    {
        // The membership audit off: it would recreate the division test 10 removes, and that test is about the client.
        running = RunningCluster.builder(dir).transport(transport()).config("replica.audit.interval.ms", "0").start();
        cluster = running.processes();
        admin = Admin.create(new AdminConfig().metadataPeers(cluster.metadataPeers()).transport(transport())
            .requestTimeoutMs(5_000));
    }

    @AfterAll
    void stopCluster() throws Exception
    {
        if (admin != null)
        {
            admin.close();
        }
        if (running != null)
        {
            running.close();
        }
    }

    private void createStream(final String name, final int shards) throws Exception
    {
        admin.createStream(name, shards, 3);
        admin.awaitStreamReady(name, READY);
    }

    private ProducerConfig producerConfig()
    {
        return new ProducerConfig().metadataPeers(cluster.metadataPeers()).transport(transport())
            .requestTimeoutMs(5_000);
    }

    private ConsumerConfig consumerConfig()
    {
        return new ConsumerConfig().metadataPeers(cluster.metadataPeers()).transport(transport())
            .requestTimeoutMs(5_000);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(UTF_8);
    }

    // ------------------------------------------------------------------ 13

    @Test
    @Order(1)
    void aHundredThousandRecordsAreReadExactlyOnceInShardOrderWithDenseOffsets() throws Exception
    {
        final int count = 100_000;
        final int shards = 4;
        createStream("big", shards);
        final ShardRing ring = new ShardRing("big", shards);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(count);
        final long produceStartNs = System.nanoTime();
        try (Producer producer = Producer.create(producerConfig()))
        {
            for (int i = 0; i < count; i++)
            {
                futures.add(producer.send("big", bytes("key-" + i), bytes("value-" + i)));
            }
            producer.flush();
        }
        final long produceNs = System.nanoTime() - produceStartNs;
        final long[][] offsetOf = new long[shards][];
        final int[] perShard = new int[shards];
        final long[] offsets = new long[count];
        for (int i = 0; i < count; i++)
        {
            final RecordMetadata metadata = futures.get(i).get();
            assertThat(metadata.shard()).as("record %d", i).isEqualTo(ring.shardFor(bytes("key-" + i)));
            offsets[i] = metadata.offset();
            perShard[metadata.shard()]++;
        }
        for (int s = 0; s < shards; s++)
        {
            offsetOf[s] = new long[perShard[s]];
            assertThat(perShard[s]).as("shard %d gets a share of the keys", s).isGreaterThan(count / shards / 4);
        }

        final long consumeStartNs = System.nanoTime();
        final int[] nextIndexOfShard = new int[shards];
        final long[] nextOffset = new long[shards];
        final boolean[] seen = new boolean[count];
        int read = 0;
        try (Consumer consumer = Consumer.create(consumerConfig()))
        {
            consumer.assign("big");
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < count)
            {
                assertThat(System.nanoTime() - deadlineNs).as("read %d of %d records in time", read, count)
                    .isNegative();
                final ConsumerBatch batch = consumer.poll(Duration.ofMillis(500));
                while (batch.nextRecord())
                {
                    final int shard = batch.shard();
                    final long offset = batch.record().offset();
                    final String key = new String(batch.record().keyBytes(), UTF_8);
                    final int i = Integer.parseInt(key.substring("key-".length()));
                    assertThat(seen[i]).as("record %d read twice", i).isFalse();
                    seen[i] = true;
                    assertThat(batch.record().valueAsString()).isEqualTo("value-" + i);
                    assertThat(offset).as("shard %d offsets are dense and increasing", shard)
                        .isEqualTo(nextOffset[shard]);
                    assertThat(offsets[i]).as("the producer's offset of record %d", i).isEqualTo(offset);
                    assertThat(i).as("shard %d keeps send order", shard)
                        .isGreaterThanOrEqualTo(nextIndexOfShard[shard]);
                    nextIndexOfShard[shard] = i + 1;
                    nextOffset[shard]++;
                    read++;
                }
            }
            assertThat(consumer.poll(Duration.ofMillis(200)).isEmpty()).as("nothing beyond the records sent").isTrue();
        }
        final long consumeNs = System.nanoTime() - consumeStartNs;
        for (int s = 0; s < shards; s++)
        {
            assertThat(nextOffset[s]).isEqualTo(perShard[s]);
        }
        System.out.printf("test 13: %d records, 4 shards, RF 3: produced and acknowledged in %d ms (%.0f records/s),"
            + " consumed in %d ms (%.0f records/s)%n", count, produceNs / 1_000_000, count * 1e9 / produceNs,
            consumeNs / 1_000_000, count * 1e9 / consumeNs);
    }

    // ------------------------------------------------------------------ 16

    @Test
    @Order(2)
    void theSameEncodedIdempotentBatchSentTwiceIsStoredOnce() throws Exception
    {
        createStream("dedup", 1);
        try (FrontEndClient client = FrontEndClient.connect(producerConfig()))
        {
            final FrontEndMetadataView metadata = new FrontEndMetadataView(client, false);
            final StreamInfo info = metadata.describe("dedup");
            final long producerId = metadata.allocateProducerId();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset(producerId, (short)0, 0);
            for (int i = 0; i < 3; i++)
            {
                builder.tryAppend(System.currentTimeMillis(), bytes("k"), bytes("v" + i));
            }
            final byte[] item = AppendItems.encode(buffer, 0, builder.build(), AppendItems.UNCHECKED, null,
                AppendItems.UNCHECKED,
                null);
            final NodeLinks links = new NodeLinks(client);
            final ShardChannel channel = links.open(info.shard(0));
            final AppendOutcome first = appendFollowingTheLeader(links, channel, item);
            final AppendOutcome again = appendFollowingTheLeader(links, channel, item);
            assertThat(first.status()).isEqualTo(AppendStatus.APPENDED);
            assertThat(again.status()).as("the resend is recognised").isEqualTo(AppendStatus.DUPLICATE);
            assertThat(again.baseOffset()).isEqualTo(first.baseOffset());
            assertThat(again.lastOffset()).isEqualTo(first.lastOffset()).isEqualTo(first.baseOffset() + 2);
        }
        assertThat(readAll("dedup", 0)).containsExactly("0 k=v0", "1 k=v1", "2 k=v2");
    }

    @Test
    @Order(3)
    void aBatchWhoseReplyIsLostIsResentByTheProducerAndCompletesWithItsOriginalOffsets() throws Exception
    {
        createStream("lost-reply", 1);
        final AtomicBoolean lost = new AtomicBoolean();
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        final ProducerConfig config = producerConfig().lingerMs(20);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try (FrontEndClient client = FrontEndClient.connect(config))
        {
            final long producerId = new FrontEndMetadataView(client, false).allocateProducerId();
            final ShardChannel.Factory losingFirstReply =
                forwarding(new NodeLinks(client), real -> new ForwardingChannel(real)
            {
                @Override
                public CompletableFuture<AppendOutcome> append(final byte[] item)
                {
                    final CompletableFuture<AppendOutcome> reply = super.append(item);
                    // Only stored batches count: a NOT_LEADER answer (the producer's first guess) is resent anyway.
                    return reply.thenCompose(outcome ->
                    {
                        if (outcome.isStored())
                        {
                            sent.add(item);
                            if (lost.compareAndSet(false, true))
                            {
                                return CompletableFuture.failedFuture(new
                                    IOException("test: the reply of a stored batch is lost"));
                            }
                        }
                        return CompletableFuture.completedFuture(outcome);
                    });
                }
            });
            try (Producer producer = new ProducerImpl(config, new FrontEndMetadataView(client, false), losingFirstReply,
                producerId))
            {
                for (int i = 0; i < 50; i++)
                {
                    futures.add(producer.send("lost-reply", bytes("k"), bytes("v" + i)));
                }
                producer.flush();
            }
        }
        assertThat(lost).isTrue();
        assertThat(sent.size()).as("the first batch went twice").isGreaterThanOrEqualTo(2);
        // With two requests in flight per node the next batch may be stored before the resend: look for it after the
        // first.
        assertThat(sent.subList(1, sent.size())).as("resent as the same bytes").anySatisfy(again ->
            assertThat(again).isEqualTo(sent.get(0)));
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++)
        {
            assertThat(futures.get(i).get().offset()).isEqualTo(i);
            expected.add(i + " k=v" + i);
        }
        assertThat(readAll("lost-reply", 0)).as("stored once").isEqualTo(expected);
    }

    @Test
    @Order(4)
    void aConditionalAppendConflictReportsTheExpectedAndFoundOffsets() throws Exception
    {
        createStream("register", 1);
        try (Producer producer = Producer.create(producerConfig()))
        {
            final ConditionalResult first = producer.sendConditional("register", bytes("x"), bytes("1"), -1).get(30,
                TimeUnit.SECONDS);
            assertThat(first.appended()).isTrue();
            producer.send("register", bytes("y"), bytes("other")).get(30, TimeUnit.SECONDS);
            final ConditionalResult conflict = producer.sendConditional("register", bytes("x"), bytes("2"), -1).get(30,
                TimeUnit.SECONDS);
            assertThat(conflict.appended()).isFalse();
            assertThat(conflict.expected()).isEqualTo(-1);
            assertThat(conflict.found()).isEqualTo(first.offset());
            final ConditionalResult second =
                producer.sendConditional("register", bytes("x"), bytes("2"), first.offset())
                .get(30, TimeUnit.SECONDS);
            assertThat(second.appended()).isTrue();
            assertThat(second.offset()).isEqualTo(first.offset() + 2);
        }
        assertThat(readAll("register", 0)).containsExactly("0 x=1", "1 y=other", "2 x=2");
    }

    @Test
    @Order(5)
    void oversizeRecordsAndUnknownStreamsAreClearErrorsAndTheNodesStayUp() throws Exception
    {
        createStream("limits", 1);
        try (Producer producer = Producer.create(producerConfig()))
        {
            assertThatThrownBy(() -> producer.send("limits", bytes("k"), new byte[2 << 20]))
                .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("record of 2097177 bytes")
                .hasMessageContaining("maxBatchBytes 1048576");
            final CompletableFuture<RecordMetadata> unknown = producer.send("no-such-stream", bytes("k"), bytes("v"));
            assertThatThrownBy(() -> unknown.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(UnknownStreamException.class)
                .hasMessageContaining("unknown stream 'no-such-stream'").hasMessageContaining("limits");
            assertThat(producer.send("limits", bytes("k"), bytes("after")).get(30, TimeUnit.SECONDS).offset()).isZero();
        }
        // A producer that believes in larger batches than the nodes accept: the shard refuses, with its limit.
        try (Producer producer = Producer.create(producerConfig().maxBatchBytes(4 << 20).bufferMemoryBytes(16 << 20)))
        {
            final CompletableFuture<RecordMetadata> tooLarge = producer.send("limits", bytes("k"), new byte[1_500_000]);
            assertThatThrownBy(() -> tooLarge.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(AppendRejectedException.class)
                .hasMessageContaining("INVALID_BATCH").hasMessageContaining("exceeds the limit of 1048576 bytes");
            assertThat(producer.send("limits", bytes("k"), bytes("later")).get(30, TimeUnit.SECONDS).offset())
                .as("the same producer goes on on the same shard").isEqualTo(1);
        }
        assertThat(readAll("limits", 0)).containsExactly("0 k=after", "1 k=later");
        for (final Admin.ShardStatus shard : admin.streamStatus("limits"))
        {
            assertThat(shard.replicas()).hasSize(3).allSatisfy(replica -> assertThat(replica.error()).isNull());
        }
    }

    // ------------------------------------------------------------------ tracing

    @Test
    @Order(6)
    void theProducerSpanCarriesItsAttributesAndItsTraceparentReachesTheShard() throws Exception
    {
        createStream("traced", 2);
        final InMemorySpanExporter exporter = InMemorySpanExporter.create();
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        try (OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
            FrontEndClient client = FrontEndClient.connect(producerConfig()))
        {
            final ShardChannel.Factory capturing = forwarding(new NodeLinks(client), real -> new ForwardingChannel(real)
            {
                @Override
                public CompletableFuture<AppendOutcome> append(final byte[] item)
                {
                    return super.append(item).thenApply(outcome ->
                    {
                        if (outcome.isStored())
                        {
                            sent.add(item);
                        }
                        return outcome;
                    });
                }
            });
            final long producerId = new FrontEndMetadataView(client, false).allocateProducerId();
            try (Producer producer = new ProducerImpl(producerConfig().openTelemetry(openTelemetry),
                new FrontEndMetadataView(client, false), capturing, producerId))
            {
                for (int i = 0; i < 20; i++)
                {
                    producer.send("traced", bytes("key-" + i), bytes("value-" + i));
                }
                producer.flush();
            }
            final List<SpanData> spans = exporter.getFinishedSpanItems();
            assertThat(spans).isNotEmpty().hasSize(sent.size());
            long records = 0;
            for (final SpanData span : spans)
            {
                assertThat(span.getName()).isEqualTo("tributary.produce");
                assertThat(span.getKind()).isEqualTo(SpanKind.PRODUCER);
                assertThat(span.getAttributes().get(AttributeKey.stringKey("tributary.stream")))
                    .isEqualTo("traced");
                assertThat(span.getAttributes().get(AttributeKey.longKey("tributary.shard")))
                    .isBetween(0L, 1L);
                assertThat(span.getAttributes().get(AttributeKey.longKey("tributary.batch.bytes")))
                    .isPositive();
                assertThat(span.getAttributes().get(AttributeKey.longKey(
                    "tributary.batch.base_offset"))).isNotNegative();
                records += span.getAttributes().get(AttributeKey.longKey(
                    "tributary.batch.record_count"));
                final String expected = "00-" + span.getTraceId() + "-" + span.getSpanId() + "-"
                    + span.getSpanContext().getTraceFlags().asHex();
                assertThat(sent).as("an append request carries %s", expected)
                    .anySatisfy(item -> assertThat(AppendItemDescriptor.traceparent(new UnsafeBuffer(item), 0))
                        .isEqualTo(expected));
            }
            assertThat(records).isEqualTo(20);
        }
    }

    // ------------------------------------------------------------------ consumer

    @Test
    @Order(7)
    void followerReadsLongPollsAndOutOfRange() throws Exception
    {
        createStream("follow", 1);
        try (Producer producer = Producer.create(producerConfig().lingerMs(0));
            Consumer follower = Consumer.create(consumerConfig().consistency(ReadConsistency.FOLLOWER));
            Consumer linearizable = Consumer.create(consumerConfig().longPollMaxMs(2_000)))
        {
            for (int i = 0; i < 100; i++)
            {
                producer.send("follow", bytes("k"), bytes("v" + i));
            }
            producer.flush();
            final String leader = admin.streamStatus("follow").get(0).leader();
            follower.assign("follow");
            final List<String> read = new ArrayList<>();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < 100 && System.nanoTime() < deadlineNs)
            {
                final ConsumerBatch batch = follower.poll(Duration.ofMillis(200));
                while (batch.nextRecord())
                {
                    read.add(batch.record().offset() + "=" + batch.record().valueAsString());
                }
            }
            assertThat(read).hasSize(100).first().isEqualTo("0=v0");
            assertThat(read.get(99)).isEqualTo("99=v99");
            assertThat(leader).isNotNull();

            linearizable.assign("follow");
            linearizable.seekToEnd();
            assertThat(linearizable.position(0)).isEqualTo(100);
            assertThat(linearizable.poll(Duration.ofMillis(100)).isEmpty())
                .as("at the end; a long-poll stays outstanding")
                .isTrue();
            final long startNs = System.nanoTime();
            producer.send("follow", bytes("k"), bytes("late")).get(30, TimeUnit.SECONDS);
            final ConsumerBatch late = linearizable.poll(Duration.ofSeconds(10));
            final long waitedMs = (System.nanoTime() - startNs) / 1_000_000;
            assertThat(late.nextRecord()).isTrue();
            assertThat(late.record().valueAsString()).isEqualTo("late");
            assertThat(waitedMs).as("answered when the record arrived, not when the long-poll expired")
                .isLessThan(1_500);

            linearizable.seek(0, 500);
            assertThatThrownBy(() -> linearizable.poll(Duration.ofSeconds(10)))
                .isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessageContaining("offset 500 is out of range").hasMessageContaining("[0, 101)");
        }
    }

    /**
     * A linearizable read (to the leader, as Ratis's client sees it) and follower reads (to named replicas)
     * interleaved on one channel: each is answered. Ratis keeps one ordered sliding window per target ("the
     * leader" and each named server), each with its own sequence numbers, yet a server kept one window per
     * client (Aeron: per client and group; grpc: per connection), so the two sequences collided at the replica
     * both reached: a read was held behind a gap (or behind a sequence number already passed) until the
     * request timed out. No retries here, so such a read fails rather than being answered late by a retry.
     */
    @Test
    @Order(9)
    void linearizableAndFollowerReadsInterleavedOnOneChannelAreEachAnswered() throws Exception
    {
        createStream("mixedreads", 1);
        try (Producer producer = Producer.create(producerConfig().lingerMs(0)))
        {
            producer.send("mixedreads", bytes("k"), bytes("v")).get(30, TimeUnit.SECONDS);
        }
        try (FrontEndClient client = FrontEndClient.connect(consumerConfig()))
        {
            final StreamInfo info = new FrontEndMetadataView(client, false).describe("mixedreads");
            final List<String> replicas = new ArrayList<>(info.shard(0).replicas().keySet());
            final NodeLinks links = new NodeLinks(client);
            final ShardChannel channel = links.open(info.shard(0));
            for (int round = 0; round < 2; round++)
            {
                assertReadOk(linearizableRead(links, channel), "linearizable, round " + round);
                for (final String replica : replicas)
                {
                    // A producer's ack needs two replicas: the third may not have applied the record yet,
                    // so the follower read waits for data rather than answering an empty OK.
                    final CompletableFuture<ReadOutcome> follower = channel.read(0, 1 << 20, 10_000, replica, 0);
                    links.flush();
                    assertReadOk(follower.get(30, TimeUnit.SECONDS), "on " + replica + ", round " + round);
                    assertReadOk(linearizableRead(links, channel), "linearizable after a follower read on " + replica
                        + ", round " + round);
                }
            }
        }
    }

    /** A linearizable read, following NOT_LEADER answers to the leader (at most once per replica). */
    private static ReadOutcome linearizableRead(final NodeLinks links, final ShardChannel channel) throws Exception
    {
        ReadOutcome outcome = null;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            final CompletableFuture<ReadOutcome> reply = channel.read(0, 1 << 20, 0, null, 0);
            links.flush();
            outcome = reply.get(30, TimeUnit.SECONDS);
            if (outcome.status() != FetchResponseDescriptor.STATUS_NOT_LEADER)
            {
                return outcome;
            }
        }
        return outcome;
    }

    private static void assertReadOk(final ReadOutcome reply, final String what)
    {
        assertThat(FetchResponseDescriptor.statusName(reply.status())).as(what + ": status (" + reply.text() + ")")
            .isEqualTo("OK");
        assertThat(reply.data().length).as(what + ": data").isPositive();
    }

    // ------------------------------------------------------------------ admin

    @Test
    @Order(8)
    void adminDescribesListsReportsStatusMovesLeadershipAndDeletes() throws Exception
    {
        createStream("admin", 2);
        try (Producer producer = Producer.create(producerConfig()))
        {
            for (int i = 0; i < 100; i++)
            {
                producer.send("admin", bytes("k" + i), bytes("v"));
            }
            producer.flush();
        }
        assertThat(admin.listStreams()).extracting(Admin.StreamSummary::name).contains("admin");
        final Admin.StreamDescription description = admin.describeStream("admin");
        assertThat(description.shards()).isEqualTo(2);
        assertThat(description.replicationFactor()).isEqualTo(3);
        assertThat(description.placement()).allSatisfy(shard -> assertThat(shard.replicas()).hasSize(3));
        assertThat(admin.nodes()).extracting(Admin.NodeInfo::state).containsOnly("ACTIVE");

        LocalCluster.await("every replica caught up", 30_000, () -> allCaughtUp("admin"));
        final List<Admin.ShardStatus> status = admin.streamStatus("admin");
        assertThat(status.stream().mapToLong(Admin.ShardStatus::nextOffset).sum()).isEqualTo(100);
        for (final Admin.ShardStatus shard : status)
        {
            assertThat(shard.leader()).isNotNull();
            assertThat(shard.replicas()).filteredOn(Admin.ReplicaStatus::leader).hasSize(1);
        }

        final Admin.ShardStatus shard0 = status.get(0);
        final String newLeader = shard0.replicas().stream().map(Admin.ReplicaStatus::nodeId)
            .filter(node -> !node.equals(shard0.leader())).findFirst().orElseThrow();
        admin.transferLeadership("admin", 0, newLeader, Duration.ofSeconds(20));
        LocalCluster.await("leadership moved to " + newLeader, 30_000, () -> newLeader.equals(leaderOf("admin", 0)));
        assertThatThrownBy(() -> admin.transferLeadership("admin", 0, "n9", Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no replica");

        final Admin.ClusterStatus cluster = admin.clusterStatus();
        assertThat(cluster.nodes()).hasSize(3);
        assertThat(cluster.streams()).containsKey("admin");

        admin.createStream("doomed", 1, 1);
        admin.deleteStream("doomed");
        assertThat(admin.listStreams()).extracting(Admin.StreamSummary::name).doesNotContain("doomed");
        assertThatThrownBy(() -> admin.describeStream("doomed")).isInstanceOf(UnknownStreamException.class);
        assertThatThrownBy(() -> admin.deleteStream("doomed")).isInstanceOf(UnknownStreamException.class);
        assertThatThrownBy(() -> admin.createStream("admin", 1, 3)).isInstanceOf(TributaryException.class)
            .hasMessageContaining("already exists");
    }

    /**
     * A node the placement lists as a shard's preferred replica but that holds no Raft division of it
     * (the state CI's Jepsen smoke run reached: "shard 2 has no leader yet: NOT_HOSTED") answers
     * NOT_HOSTED. The other two replicas are a majority and serve; a client must move on to them, not
     * ask the same node again: every channel starts at the preferred replica, so the readiness check,
     * a new producer and a consumer each stayed on it for as long as it answered.
     */
    @Test
    @Order(10)
    void aListedReplicaWithoutItsDivisionIsPassedOverByTheReadinessCheckProducersAndConsumers() throws Exception
    {
        createStream("stranded", 1);
        try (Producer producer = Producer.create(producerConfig()))
        {
            for (int i = 0; i < 50; i++)
            {
                producer.send("stranded", bytes("before-" + i), bytes("v"));
            }
            producer.flush();
        }
        final Admin.ShardPlacement placement = admin.describeStream("stranded").placement().get(0);
        final String preferred = placement.replicas().keySet().iterator().next();
        final RaftGroupId groupId = RaftGroupId.valueOf(
            UUID.fromString(placement.groupId()));
        try (RaftClient raft = RaftSettings.newClient(
            RaftSettings.group(groupId, Map.of(preferred, placement.replicas().get(preferred))),
            transport(), 10_000, RaftSettings.retryPolicy(3, 200)))
        {
            // The division goes, the node stays up and listed: what a move interrupted after its Raft steps leaves.
            raft.getGroupManagementApi(RaftPeerId.valueOf(preferred)).remove(groupId, false, false);
        }

        final long readyStartNs = System.nanoTime();
        admin.awaitStreamReady("stranded", READY);
        // Not a speed goal: the wait for preferred leaders lasts its whole 20 s when it waits for a replica that
        // cannot lead, and passes such a replica over after 2 s otherwise.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readyStartNs))
            .as("ms awaitStreamReady spent with %s holding no division of the stream", preferred).isLessThan(19_000);
        try (Producer producer = Producer.create(producerConfig().deliveryTimeoutMs(30_000)))
        {
            for (int i = 0; i < 50; i++)
            {
                assertThat(producer.send("stranded", bytes("after-" + i), bytes("v")).get(60, TimeUnit.SECONDS)
                    .offset())
                    .as("record %d after %s lost its division", i, preferred).isEqualTo(50 + i);
            }
        }
        final List<String> records = readAll("stranded", 0);
        assertThat(records).hasSize(100);
        assertThat(records.get(99)).isEqualTo("99 after-49=v");
    }

    // ------------------------------------------------------------------ helpers

    private boolean allCaughtUp(final String stream) throws Exception
    {
        return admin.streamStatus(stream).stream()
            .allMatch(shard -> shard.leader() != null && shard.replicas().stream()
            .allMatch(replica -> replica.error() == null && replica.lagRecords() == 0));
    }

    private String leaderOf(final String stream, final int shard) throws Exception
    {
        return admin.streamStatus(stream).get(shard).leader();
    }

    /** Every record of one shard, linearizably, as "offset key=value". */
    private List<String> readAll(final String stream, final int shard) throws Exception
    {
        final List<String> records = new ArrayList<>();
        try (Consumer consumer = Consumer.create(consumerConfig()))
        {
            consumer.assign(stream, shard);
            consumer.seekToEnd();
            final long end = consumer.position(shard);
            consumer.seek(shard, 0);
            while (consumer.position(shard) < end)
            {
                final ConsumerBatch batch = consumer.poll(Duration.ofSeconds(5));
                while (batch.nextRecord())
                {
                    records.add(batch.record().offset() + " " + new String(batch.record().keyBytes(), UTF_8) + "="
                        + batch.record().valueAsString());
                }
            }
        }
        return records;
    }

    /** Appends one item, resending after NOT_LEADER answers (which store nothing) to the leader they name. */
    private static AppendOutcome appendFollowingTheLeader(final NodeLinks links, final ShardChannel channel,
        final byte[] item)
        throws Exception
    {
        // NOT_LEADER is followed (at most a few times); BUSY (a new shard's leader not ready yet, or a full
        // queue: nothing was stored) is retried with a backoff until a deadline, as the producer does.
        AppendOutcome outcome = null;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int notLeader = 0;
        while (true)
        {
            final CompletableFuture<AppendOutcome> reply = channel.append(item);
            links.flush();
            outcome = reply.get(30, TimeUnit.SECONDS);
            if (outcome.status() == AppendStatus.NOT_LEADER && ++notLeader < 4)
            {
                continue;
            }
            if (outcome.status() != AppendStatus.BUSY || System.nanoTime() > deadlineNs)
            {
                return outcome;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));   // backoff, as the producer's
        }
    }

    /** A factory whose channels are wrapped by {@code wrap}, flushing through to {@code real}. */
    private static ShardChannel.Factory forwarding(final ShardChannel.Factory real,
        final Function<ShardChannel, ShardChannel> wrap)
    {
        return new ShardChannel.Factory()
        {
            @Override
            public ShardChannel open(final StreamInfo.ShardInfo shard)
            {
                return wrap.apply(real.open(shard));
            }

            @Override
            public void flush()
            {
                real.flush();
            }
        };
    }

    /** A channel that forwards everything; tests override what they intercept. */
    private static class ForwardingChannel implements ShardChannel
    {
        private final ShardChannel target;

        ForwardingChannel(final ShardChannel target)
        {
            this.target = target;
        }

        @Override
        public CompletableFuture<AppendOutcome> append(final byte[] item)
        {
            return target.append(item);
        }

        @Override
        public CompletableFuture<ReadOutcome> read(final long fromOffset, final int maxBytes, final int waitMs,
            final String replica, final long minIndex)
        {
            return target.read(fromOffset, maxBytes, waitMs, replica, minIndex);
        }

        @Override
        public String leader()
        {
            return target.leader();
        }

        @Override
        public void close()
        {
            target.close();
        }
    }
}
