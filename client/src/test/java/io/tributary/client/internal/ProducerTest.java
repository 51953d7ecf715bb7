package io.tributary.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.tributary.client.AppendRejectedException;
import io.tributary.client.BufferFullException;
import io.tributary.client.ConditionalResult;
import io.tributary.client.OutcomeUnknownException;
import io.tributary.client.ProducerConfig;
import io.tributary.client.RecordMetadata;
import io.tributary.client.RecordTooLargeException;
import io.tributary.client.UnknownStreamException;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.engine.ShardLog;
import io.tributary.protocol.ShardRing;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer against in-process shards (real engine, real wire protocol) with injected
 * faults: ordering, idempotent retries, refusals, giving up, back-pressure, flush and close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProducerTest
{
    @TempDir
    Path dir;

    private FakeCluster cluster;
    private final List<ProducerImpl> producers = new ArrayList<>();

    @BeforeEach
    void start()
    {
        cluster = new FakeCluster(dir);
    }

    @AfterEach
    void stop() throws Exception
    {
        producers.forEach(ProducerImpl::close);
        cluster.close();
    }

    private static ProducerConfig config()
    {
        return new ProducerConfig().metadataPeers("m@127.0.0.1:1").requestTimeoutMs(1_000).lingerMs(2).batchBytes(4096)
            .retryBackoffMs(1).retryBackoffMaxMs(5);
    }

    private ProducerImpl producer(final ProducerConfig config)
    {
        final ProducerImpl producer = new ProducerImpl(config, cluster.view(), cluster, cluster.allocateProducerId());
        producers.add(producer);
        return producer;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(UTF_8);
    }

    /** Every record of a shard's log, as "offset key=value". */
    static List<String> contents(final ShardLog log)
    {
        final List<String> records = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2 << 20]);
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        long next = log.firstOffset();
        while (next < log.nextOffset())
        {
            final int length = log.read(next, buffer, 0, 1 << 20);
            for (int at = 0; at < length; at += batch.batchLength())
            {
                batch.wrap(buffer, at);
                while (batch.nextRecord())
                {
                    records.add(batch.record().offset() + " " + new String(batch.record().keyBytes(), UTF_8) + "="
                        + batch.record().valueAsString());
                }
                next = batch.lastOffset() + 1;
            }
        }
        return records;
    }

    @Test
    void recordsOfAShardAreStoredOnceInSendOrderWithDenseOffsets() throws Exception
    {
        final List<FakeShard> shards = cluster.createStream("orders", 4);
        final ProducerImpl producer = producer(config());
        final ShardRing ring = new ShardRing("orders", 4);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 5_000; i++)
        {
            futures.add(producer.send("orders", bytes("k" + (i % 97)), bytes("v" + i)));
        }
        producer.flush();
        final List<List<String>> expected = new ArrayList<>();
        for (int s = 0; s < 4; s++)
        {
            expected.add(new ArrayList<>());
        }
        for (int i = 0; i < futures.size(); i++)
        {
            final RecordMetadata metadata = futures.get(i).get();
            final int shard = ring.shardFor(bytes("k" + (i % 97)));
            assertThat(metadata.shard()).isEqualTo(shard);
            assertThat(metadata.offset()).as("record %d", i).isEqualTo(expected.get(shard).size());
            expected.get(shard).add(metadata.offset() + " k" + (i % 97) + "=v" + i);
        }
        for (int s = 0; s < 4; s++)
        {
            assertThat(contents(shards.get(s).log())).isEqualTo(expected.get(s));
            assertThat(shards.get(s).maxOutstanding()).as("batches in flight on shard %d", s)
                .isLessThanOrEqualTo(ProducerConfig.MAX_IN_FLIGHT_IDEMPOTENT);
        }
        assertThat(producer.bufferedBytes()).isZero();
    }

    @Test
    void aLostReplyIsResentAndTheDuplicateGetsTheOriginalOffsets() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> request == 1 ? FakeShard.Fault.LOSE_REPLY : FakeShard.Fault.NONE);
        final ProducerImpl producer = producer(config().lingerMs(0));
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            futures.add(producer.send("s", bytes("k"), bytes("v" + i)));
            if (i % 100 == 99)
            {
                producer.flush();
            }
        }
        producer.flush();
        for (int i = 0; i < futures.size(); i++)
        {
            assertThat(futures.get(i).get().offset()).isEqualTo(i);
        }
        final List<String> stored = contents(shard.log());
        assertThat(stored).hasSize(300);
        for (int i = 0; i < 300; i++)
        {
            assertThat(stored.get(i)).isEqualTo(i + " k=v" + i);
        }
        assertThat(shard.appendRequests()).as("the lost reply's batch was sent twice").isGreaterThan(3);
    }

    @Test
    void aBatchAnsweredOutcomeUnknownIsResentAtOnceAndGetsItsOriginalOffsets() throws Exception
    {
        // A leader that steps down with the batch's entry pending answers OUTCOME_UNKNOWN (the new leader may commit
        // it). The first resend does not wait out the back-off, here a minute, longer than this test may run.
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> request == 0 ? FakeShard.Fault.ANSWER_UNKNOWN : FakeShard.Fault.NONE);
        final ProducerImpl producer = producer(config().lingerMs(0).retryBackoffMs(60_000).retryBackoffMaxMs(60_000));
        final RecordMetadata first = producer.send("s", bytes("k"), bytes("v0")).get(20, TimeUnit.SECONDS);
        final RecordMetadata second = producer.send("s", bytes("k"), bytes("v1")).get(20, TimeUnit.SECONDS);

        assertThat(first.offset()).as("stored once, by the first attempt").isZero();
        assertThat(second.offset()).isEqualTo(1);
        assertThat(contents(shard.log())).containsExactly("0 k=v0", "1 k=v1");
        assertThat(shard.appendRequests()).as("the first batch was sent twice").isEqualTo(3);
    }

    @Test
    void aResendAfterATimeoutDoesNotWaitForAMetadataQuorumThatDoesNotAnswer() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> request == 1 ? FakeShard.Fault.LOSE_REQUEST : FakeShard.Fault.NONE);
        // After the producer's first look, the metadata quorum hangs (its leader killed, say) for 30 s.
        final CountDownLatch quorumBack = new CountDownLatch(1);
        final AtomicInteger describes = new AtomicInteger();
        final MetadataView hanging = cluster.hangingAfterFirst(quorumBack, describes);
        final ProducerImpl producer = new ProducerImpl(config().lingerMs(0).deliveryTimeoutMs(20_000), hanging, cluster,
            cluster.allocateProducerId());
        producers.add(producer);
        try
        {
            assertThat(producer.send("s", bytes("k"), bytes("v0")).get(15, TimeUnit.SECONDS).offset()).isEqualTo(0);
            // Not a wait for a condition: the producer asks for a placement at most every 250 ms, and this test needs
            // the resend below to ask for one.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
            // Stored while the quorum still hangs: the lost request costs its timeout and a resend, not the outage.
            final RecordMetadata stored = producer.send("s", bytes("k"), bytes("v1")).get(15, TimeUnit.SECONDS);
            assertThat(stored.offset()).isEqualTo(1);
            assertThat(quorumBack.getCount()).as("the metadata quorum still hangs").isEqualTo(1);
            // The resend asks for the placement beside it, on the metadata thread: that call may start after the
            // resend was answered (it did, once, in a clean-clone CI run), so wait for it, bounded.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (describes.get() <= 1 && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(describes.get()).as("the resend asked for the placement again, beside it").isGreaterThan(1);
        }
        finally
        {
            quorumBack.countDown();
        }
    }

    @Test
    void aLostRequestAmongPipelinedBatchesIsResentInOrder() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> request == 3 || request == 9 ? FakeShard.Fault.LOSE_REQUEST : FakeShard.Fault.NONE);
        final ProducerImpl producer = producer(config().batchBytes(256));
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++)
        {
            futures.add(producer.send("s", bytes("key-" + (i % 10)), bytes("value-" + i)));
        }
        producer.flush();
        final List<String> stored = contents(shard.log());
        assertThat(stored).hasSize(2_000);
        for (int i = 0; i < 2_000; i++)
        {
            assertThat(futures.get(i).get().offset()).isEqualTo(i);
            assertThat(stored.get(i)).isEqualTo(i + " key-" + (i % 10) + "=value-" + i);
        }
    }

    @Test
    void aRefusedBatchFailsItsRecordsAndTheLaterBatchesTakeOverItsSequenceNumbers() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> request == 2 ? FakeShard.Fault.REFUSE : FakeShard.Fault.NONE);
        final ProducerImpl producer = producer(config().batchBytes(512));
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            futures.add(producer.send("s", bytes("k"), bytes("value-" + i)));
        }
        producer.flush();
        final List<String> expected = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < futures.size(); i++)
        {
            if (futures.get(i).isCompletedExceptionally())
            {
                refused++;
                assertThatThrownBy(futures.get(i)::get).cause().isInstanceOf(AppendRejectedException.class)
                    .hasMessageContaining("INVALID_BATCH").hasMessageContaining("fake shard refuses");
                continue;
            }
            assertThat(futures.get(i).get().offset()).isEqualTo(expected.size());
            expected.add(expected.size() + " k=value-" + i);
        }
        assertThat(refused).as("the records of exactly one batch").isBetween(1, 20);
        assertThat(contents(shard.log())).isEqualTo(expected);
    }

    @Test
    void aBatchGivenUpAsUnknownLetsTheLaterOnesContinueInANewEpoch() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        // Batch 1's first send is applied but its reply lost, and every resend is lost too: the producer gives up.
        shard.faults(request -> request >= 1 && request <= 3 ? (request == 1 ? FakeShard.Fault.LOSE_REPLY
            : FakeShard.Fault.LOSE_REQUEST) : FakeShard.Fault.NONE);
        final ProducerImpl producer = producer(config().lingerMs(0).retries(2));
        final CompletableFuture<RecordMetadata> first = producer.send("s", bytes("k"), bytes("a"));
        producer.flush();
        final CompletableFuture<RecordMetadata> second = producer.send("s", bytes("k"), bytes("b"));
        producer.flush();
        final CompletableFuture<RecordMetadata> third = producer.send("s", bytes("k"), bytes("c"));
        producer.flush();
        assertThat(first.get().offset()).isEqualTo(0);
        assertThatThrownBy(second::get).cause().isInstanceOf(OutcomeUnknownException.class)
            .hasMessageContaining("gave up").hasMessageContaining("may or may not be stored");
        assertThat(third.get().offset()).as("stored after the unknown one, in a new epoch").isEqualTo(2);
        assertThat(contents(shard.log())).containsExactly("0 k=a", "1 k=b", "2 k=c");
    }

    @Test
    void failFastBackPressureRefusesRecordsBeyondTheMemoryLimitAndAcceptsThemOnceFreed() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> FakeShard.Fault.HOLD);
        final ProducerImpl producer = producer(config().bufferMemoryBytes(4096).maxBatchBytes(4096).batchBytes(1024)
            .backPressure(ProducerConfig.BackPressure.FAIL_FAST));
        final byte[] value = new byte[400];
        final List<CompletableFuture<RecordMetadata>> accepted = new ArrayList<>();
        CompletableFuture<RecordMetadata> refused = null;
        for (int i = 0; i < 20 && refused == null; i++)
        {
            final CompletableFuture<RecordMetadata> future = producer.send("s", null, value);
            if (future.isCompletedExceptionally())
            {
                refused = future;
            }
            else
            {
                accepted.add(future);
            }
        }
        assertThat(refused).as("a record beyond 4096 buffered bytes is refused at once").isNotNull();
        assertThatThrownBy(refused::get).cause().isInstanceOf(BufferFullException.class)
            .hasMessageContaining("of 4096 bytes").hasMessageContaining("bufferMemoryBytes");
        assertThat(accepted).hasSizeBetween(8, 10);
        shard.faults(request -> FakeShard.Fault.NONE);
        shard.release();
        producer.flush();
        assertThat(producer.send("s", null, value).get(10, TimeUnit.SECONDS).offset()).isEqualTo(accepted.size());
    }

    @Test
    void blockingBackPressureWaitsForMemoryThenGivesUpAfterMaxBlock() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> FakeShard.Fault.HOLD);
        final ProducerImpl producer = producer(config().bufferMemoryBytes(4096).maxBatchBytes(4096).batchBytes(1024)
            .maxBlockMs(200));
        final byte[] value = new byte[1000];
        for (int i = 0; i < 4; i++)
        {
            assertThat(producer.send("s", null, value).isDone()).isFalse();
        }
        final long startNs = System.nanoTime();
        final CompletableFuture<RecordMetadata> blocked = producer.send("s", null, value);
        assertThat(System.nanoTime() - startNs).as("send waited for maxBlockMs").isGreaterThanOrEqualTo(
            TimeUnit.MILLISECONDS.toNanos(190));
        assertThatThrownBy(blocked::get).cause().isInstanceOf(BufferFullException.class)
            .hasMessageContaining("maxBlockMs = 200");

        final CompletableFuture<CompletableFuture<RecordMetadata>> waiting = CompletableFuture.supplyAsync(
            () -> producer.send("s", null, value));
        shard.faults(request -> FakeShard.Fault.NONE);
        shard.release();
        assertThat(waiting.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS).offset()).isEqualTo(4);
    }

    @Test
    void oversizeRecordsAndKeysAreRefusedAtSendWithSizeAndLimit()
    {
        cluster.createStream("s", 1);
        final ProducerImpl producer = producer(config().maxBatchBytes(8192));
        assertThatThrownBy(() -> producer.send("s", bytes("k"), new byte[9000]))
            .isInstanceOf(RecordTooLargeException.class)
            .hasMessageContaining("record of 9025 bytes").hasMessageContaining("8120 bytes (maxBatchBytes 8192");
        assertThatThrownBy(() -> producer.send("s", new byte[2000], bytes("v")))
            .isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("key of 2000 bytes exceeds maxKeyBytes = 1024");
        assertThat(producer.bufferedBytes()).isZero();
    }

    @Test
    void aRecordLargerThanBatchBytesTravelsAloneInABatchOfItsOwn() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        final ProducerImpl producer = producer(config().batchBytes(1024).maxBatchBytes(64 << 10));
        final CompletableFuture<RecordMetadata> small = producer.send("s", bytes("k"), bytes("small"));
        final CompletableFuture<RecordMetadata> large = producer.send("s", bytes("k"), new byte[50_000]);
        final CompletableFuture<RecordMetadata> after = producer.send("s", bytes("k"), bytes("after"));
        producer.flush();
        assertThat(List.of(small.get().offset(), large.get().offset(), after.get().offset()))
            .containsExactly(0L, 1L, 2L);
        assertThat(shard.log().batchCount()).isEqualTo(3);
    }

    @Test
    void anUnknownStreamFailsTheFutureWithTheKnownStreams() throws Exception
    {
        cluster.createStream("known", 1);
        final ProducerImpl producer = producer(config());
        final CompletableFuture<RecordMetadata> future = producer.send("nope", bytes("k"), bytes("v"));
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause()
            .isInstanceOf(UnknownStreamException.class).hasMessageContaining("unknown stream 'nope'")
            .hasMessageContaining("known");
        assertThat(producer.send("known", bytes("k"), bytes("v")).get(10, TimeUnit.SECONDS).offset()).isZero();
    }

    @Test
    void recordsWithoutKeyStickToOneShardPerBatchAndSpreadOverShards() throws Exception
    {
        final List<FakeShard> shards = cluster.createStream("s", 4);
        final ProducerImpl producer = producer(config().batchBytes(1024).lingerMs(1_000));
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 400; i++)
        {
            futures.add(producer.send("s", null, new byte[100]));
        }
        producer.flush();
        final Set<Integer> used = new HashSet<>();
        int runs = 1;
        for (int i = 0; i < futures.size(); i++)
        {
            used.add(futures.get(i).get().shard());
            if (i > 0 && futures.get(i).get().shard() != futures.get(i - 1).get().shard())
            {
                runs++;
            }
        }
        final int batches = shards.stream().mapToInt(shard -> shard.log().batchCount()).sum();
        assertThat(runs).as("the shard changes only between batches").isLessThanOrEqualTo(batches);
        assertThat(used).hasSizeGreaterThan(1);
    }

    @Test
    void conditionalAppendsReportAppendedOrTheExpectedAndFoundOffsets() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        final ProducerImpl producer = producer(config());
        final ConditionalResult first = producer.sendConditional("s", bytes("reg"), bytes("1"), -1)
            .get(10, TimeUnit.SECONDS);
        assertThat(first.appended()).isTrue();
        assertThat(first.offset()).isZero();
        assertThat(producer.send("s", bytes("other"), bytes("x")).get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
        final ConditionalResult conflict = producer.sendConditional("s", bytes("reg"), bytes("2"), -1)
            .get(10, TimeUnit.SECONDS);
        assertThat(conflict.appended()).isFalse();
        assertThat(conflict.expected()).isEqualTo(-1);
        assertThat(conflict.found()).isZero();
        assertThat(conflict.toString()).contains("expected last offset -1, found 0");
        final ConditionalResult second = producer.sendConditional("s", bytes("reg"), bytes("2"), 0)
            .get(10, TimeUnit.SECONDS);
        assertThat(second.appended()).isTrue();
        assertThat(second.offset()).isEqualTo(2);
        assertThat(producer.send("s", bytes("other"), bytes("y")).get(10, TimeUnit.SECONDS).offset()).isEqualTo(3);
        assertThat(contents(shard.log())).containsExactly("0 reg=1", "1 other=x", "2 reg=2", "3 other=y");
    }

    @Test
    void aConditionalAppendWhoseReplyIsLostIsReportedAsUnknownNotResent() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> request == 0 ? FakeShard.Fault.LOSE_REPLY : FakeShard.Fault.NONE);
        final ProducerImpl producer = producer(config());
        final CompletableFuture<ConditionalResult> future = producer.sendConditional("s", bytes("reg"), bytes("1"), -1);
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(OutcomeUnknownException.class);
        assertThat(shard.appendRequests()).isEqualTo(1);
        assertThat(contents(shard.log())).containsExactly("0 reg=1");
    }

    @Test
    void closeFailsWhatCannotBeDeliveredInTimeAsUnknownAndRefusesNewSends()
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> FakeShard.Fault.HOLD);
        final ProducerImpl producer = producer(config());
        final CompletableFuture<RecordMetadata> held = producer.send("s", bytes("k"), bytes("v"));
        producer.close(Duration.ofMillis(200));
        assertThatThrownBy(held::get).cause().isInstanceOf(OutcomeUnknownException.class)
            .hasMessageContaining("closed while a batch");
        assertThatThrownBy(() -> producer.send("s", bytes("k"), bytes("v"))).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
        assertThat(producer.bufferedBytes()).isZero();
    }

    @Test
    void randomFaultsNeverLoseReorderOrDuplicateAnAcknowledgedRecord() throws Exception
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime());
        System.out.println("randomFaults seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        final Random random = new Random(seed);
        for (int round = 0; round < 5; round++)
        {
            randomFaultRound(random, "r" + round, seed);
        }
    }

    private void randomFaultRound(final Random random, final String stream, final long seed) throws Exception
    {
        final List<FakeShard> shards = cluster.createStream(stream, 2);
        for (final FakeShard shard : shards)
        {
            final long shardSeed = random.nextLong();
            shard.faults(request ->
            {
                final int roll = new Random(shardSeed * 31 + request).nextInt(100);
                return roll < 5 ? FakeShard.Fault.LOSE_REPLY : roll < 10 ? FakeShard.Fault.LOSE_REQUEST
                    : FakeShard.Fault.NONE;
            });
            // Refusals depend on the records (not on the sequence numbers), as a real shard's do.
            shard.refuses(request -> Math.floorMod(Arrays.hashCode(Arrays.copyOfRange(request,
                request.length - 40, request.length)) ^ shardSeed, 100) < 3);
        }
        final ProducerImpl producer = producer(config().batchBytes(100 + random.nextInt(500)).retries(50)
            .maxInFlightPerShard(1 + random.nextInt(5)).lingerMs(random.nextInt(3)));
        final ShardRing ring = new ShardRing(stream, 2);
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++)
        {
            futures.add(producer.send(stream, bytes("k" + (i % 13)), bytes("v" + i)));
        }
        producer.flush();
        final List<List<String>> expected = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < futures.size(); i++)
        {
            if (futures.get(i).isCompletedExceptionally())
            {
                assertThatThrownBy(futures.get(i)::get).as("seed %d record %d", seed, i).cause()
                    .isInstanceOf(AppendRejectedException.class).hasMessageContaining("fake shard refuses");
                continue;
            }
            final RecordMetadata metadata = futures.get(i).get();
            assertThat(metadata.shard()).isEqualTo(ring.shardFor(bytes("k" + (i % 13))));
            final List<String> shard = expected.get(metadata.shard());
            assertThat(metadata.offset()).as("seed %d record %d", seed, i).isEqualTo(shard.size());
            shard.add(metadata.offset() + " k" + (i % 13) + "=v" + i);
        }
        for (int s = 0; s < 2; s++)
        {
            assertThat(contents(shards.get(s).log())).as("seed %d shard %d", seed, s).isEqualTo(expected.get(s));
        }
        assertThat(producer.bufferedBytes()).isZero();
    }

    @Test
    void aMovedShardIsFoundAgainThroughTheMetadata() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        final ProducerImpl producer = producer(config());
        assertThat(producer.send("s", bytes("k"), bytes("before")).get(10, TimeUnit.SECONDS).offset()).isZero();
        cluster.move("s", 0, Map.of("elsewhere", "127.0.0.1:2"));
        assertThat(producer.send("s", bytes("k"), bytes("after")).get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
        assertThat(contents(shard.log())).containsExactly("0 k=before", "1 k=after");
    }

    @Test
    void recordsForADeletedStreamFailPromptlyAndLaterSendsSayItIsUnknown() throws Exception
    {
        cluster.createStream("s", 1);
        final ProducerImpl producer = producer(config().retryBackoffMs(50).retryBackoffMaxMs(50).retries(1_000));
        producer.send("s", bytes("k"), bytes("v")).get(10, TimeUnit.SECONDS);
        cluster.delete("s");
        final CompletableFuture<RecordMetadata> orphan = producer.send("s", bytes("k"), bytes("lost"));
        assertThatThrownBy(() -> orphan.get(10, TimeUnit.SECONDS)).cause()
            .hasMessageContaining("the stream was deleted")
            .rootCause().isInstanceOf(UnknownStreamException.class);
        assertThatThrownBy(() -> producer.send("s", bytes("k"), bytes("later")).get(10, TimeUnit.SECONDS)).cause()
            .isInstanceOf(UnknownStreamException.class);
        assertThat(producer.bufferedBytes()).isZero();
    }

    @Test
    void withoutIdempotenceALostReplyMayStoreABatchTwice() throws Exception
    {
        final FakeShard shard = cluster.createStream("s", 1).get(0);
        shard.faults(request -> request == 0 ? FakeShard.Fault.LOSE_REPLY : FakeShard.Fault.NONE);
        final ProducerImpl producer = new ProducerImpl(config().idempotence(false), cluster.view(), cluster, -1);
        producers.add(producer);
        assertThat(producer.producerId()).isEqualTo(-1);
        assertThat(producer.send("s", bytes("k"), bytes("v")).get(10, TimeUnit.SECONDS).offset())
            .as("the resend's offset")
            .isEqualTo(1);
        assertThat(contents(shard.log())).containsExactly("0 k=v", "1 k=v");
    }

    @Test
    void rejectionStatusesCarryTheServerMessage()
    {
        final AppendRejectedException e = new AppendRejectedException("m", AppendStatus.KEY_LIMIT_REACHED, 1, 2);
        assertThat(e.status()).isEqualTo(AppendStatus.KEY_LIMIT_REACHED);
        assertThat(e.expected()).isEqualTo(1);
        assertThat(e.found()).isEqualTo(2);
    }
}
