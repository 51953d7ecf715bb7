package io.tributary.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.tributary.client.ConsumerBatch;
import io.tributary.client.ConsumerConfig;
import io.tributary.client.OffsetOutOfRangeException;
import io.tributary.client.ProducerConfig;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The consumer against in-process shards: positions, seeks inside a batch, out-of-range, long-poll. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsumerTest
{
    @TempDir
    Path dir;

    private FakeCluster cluster;
    private ProducerImpl producer;
    private ConsumerImpl consumer;
    private List<FakeShard> shards;

    @BeforeEach
    void start() throws Exception
    {
        cluster = new FakeCluster(dir);
        shards = cluster.createStream("s", 2);
        producer = new ProducerImpl(new ProducerConfig().metadataPeers("m@127.0.0.1:1").lingerMs(1).batchBytes(2048),
            cluster.view(), cluster, 1);
        consumer = new ConsumerImpl(new ConsumerConfig().metadataPeers("m@127.0.0.1:1").longPollMaxMs(50),
            cluster.view(),
            cluster);
    }

    @AfterEach
    void stop() throws Exception
    {
        consumer.close();
        producer.close();
        cluster.close();
    }

    private void produce(final int from, final int to) throws InterruptedException
    {
        for (int i = from; i < to; i++)
        {
            producer.send("s", ("k" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
        }
        producer.flush();
    }

    /** Polls until {@code count} records came (or the test times out); returns "shard/offset key=value". */
    private List<String> pollRecords(final int count)
    {
        final List<String> records = new ArrayList<>();
        while (records.size() < count)
        {
            final ConsumerBatch batch = consumer.poll(Duration.ofMillis(100));
            while (batch.nextRecord())
            {
                records.add(batch.shard() + "/" + batch.record().offset() + " "
                    + new String(batch.record().keyBytes(), UTF_8) + "=" + batch.record().valueAsString());
            }
        }
        return records;
    }

    @Test
    void aReadThatFailsInTransitIsRetriedWithoutWaitingForAMetadataQuorumThatDoesNotAnswer() throws Exception
    {
        produce(0, 20);
        final CountDownLatch quorumBack = new CountDownLatch(1);
        final AtomicInteger describes = new AtomicInteger();
        final MetadataView hanging = cluster.hangingAfterFirst(quorumBack, describes);
        shards.forEach(shard -> shard.readFaults(number -> number == 0));
        try (ConsumerImpl reader = new ConsumerImpl(new ConsumerConfig().metadataPeers("m@127.0.0.1:1")
            .longPollMaxMs(50)
            .retryBackoffMs(10), hanging, cluster))
        {
            reader.assign("s");
            int records = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (records < 20 && System.nanoTime() - deadlineNs < 0)
            {
                final ConsumerBatch batch = reader.poll(Duration.ofMillis(100));
                records += batch.recordCount();
            }
            assertThat(records).as("records read while the metadata quorum hangs (%d describes)", describes.get())
                .isEqualTo(20);
            assertThat(quorumBack.getCount()).isEqualTo(1);
        }
        finally
        {
            quorumBack.countDown();
        }
    }

    /**
     * A node that knows no leader yet (just restarted) answers NOT_LEADER naming none; the channel has
     * moved on to the next replica, so the read goes again at once rather than after the back-off (the
     * 100 ms stalls of linearizable reads after each restart in the Jepsen timelines).
     */
    @Test
    void aReadAnsweredNotLeaderWithoutALeaderGoesAgainAtOnce() throws Exception
    {
        produce(0, 20);
        shards.get(0).readsAnsweredNotLeaderWithoutALeader(number -> number == 0);
        try (ConsumerImpl reader = new ConsumerImpl(new ConsumerConfig().metadataPeers("m@127.0.0.1:1")
            .longPollMaxMs(50)
            .retryBackoffMs(60_000), cluster.view(), cluster))
        {
            reader.assign("s");
            int records = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (records < 20 && System.nanoTime() - deadlineNs < 0)
            {
                records += reader.poll(Duration.ofMillis(100)).recordCount();
            }
            assertThat(records).as("every record, long before the 60 s back-off").isEqualTo(20);
        }
    }

    /** ...but only the first in a row: when no replica knows a leader (an election), the reads back off. */
    @Test
    void aSecondNotLeaderWithoutALeaderInARowBacksOff() throws Exception
    {
        produce(0, 20);
        final FakeShard shard = shards.get(0);
        shard.readsAnsweredNotLeaderWithoutALeader(number -> true);
        try (ConsumerImpl reader = new ConsumerImpl(new ConsumerConfig().metadataPeers("m@127.0.0.1:1")
            .longPollMaxMs(50)
            .retryBackoffMs(60_000), cluster.view(), cluster))
        {
            reader.assign("s", 0);
            final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() - untilNs < 0)
            {
                reader.poll(Duration.ofMillis(50));
            }
            assertThat(shard.readRequests()).as("the first read, one more at once, then the back-off").isEqualTo(2);
        }
    }

    @Test
    void readsEveryRecordOfEveryShardOnceAndMovesPositions() throws Exception
    {
        produce(0, 500);
        consumer.assign("s");
        assertThat(consumer.assignment()).containsExactly(0, 1);
        final List<String> records = pollRecords(500);
        assertThat(records).hasSize(500).doesNotHaveDuplicates();
        assertThat(consumer.position(0) + consumer.position(1)).isEqualTo(500);
        assertThat(consumer.poll(Duration.ofMillis(50)).isEmpty()).as("nothing more").isTrue();
    }

    @Test
    void aSeekIntoTheMiddleOfABatchSkipsTheRecordsBeforeIt() throws Exception
    {
        produce(0, 200);
        consumer.assign("s", 0);
        assertThat(consumer.poll(Duration.ofSeconds(5)).isEmpty()).isFalse();
        consumer.seek(0, 7);
        final ConsumerBatch batch = consumer.poll(Duration.ofSeconds(5));
        assertThat(batch.nextRecord()).isTrue();
        assertThat(batch.record().offset()).isEqualTo(7);
        assertThat(batch.recordCount()).isEqualTo((int)(consumer.position(0) - 7));
        batch.rewind();
        int seen = 0;
        long expected = 7;
        while (batch.nextRecord())
        {
            assertThat(batch.record().offset()).isEqualTo(expected++);
            seen++;
        }
        assertThat(seen).isEqualTo(batch.recordCount());
    }

    @Test
    void aPositionPastTheEndIsOutOfRangeWithTheShardsOffsets() throws Exception
    {
        produce(0, 50);
        consumer.assign("s", 1);
        consumer.seekToEnd();
        final long next = consumer.position(1);
        consumer.seek(1, next + 10);
        assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(OffsetOutOfRangeException.class)
            .hasMessageContaining("offset " + (next + 10) + " is out of range")
                .hasMessageContaining("[0, " + next + ")")
            .satisfies(e -> assertThat(((OffsetOutOfRangeException)e).nextOffset()).isEqualTo(next));
        assertThat(consumer.position(1)).as("the position is kept").isEqualTo(next + 10);
        consumer.seekToBeginning();
        assertThat(consumer.position(1)).isZero();
    }

    @Test
    void aConsumerAtTheEndGetsNewRecordsThroughLongPolls() throws Exception
    {
        consumer.assign("s");
        assertThat(consumer.poll(Duration.ofMillis(100)).isEmpty()).isTrue();
        produce(0, 10);
        assertThat(pollRecords(10)).hasSize(10);
    }

    @Test
    void unassignedShardsAndUnknownShardsAreClearErrors()
    {
        assertThatThrownBy(() -> consumer.poll(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("assign");
        assertThatThrownBy(() -> consumer.assign("s", 5)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("shards [0, 2); shard 5 does not exist");
    }
}
