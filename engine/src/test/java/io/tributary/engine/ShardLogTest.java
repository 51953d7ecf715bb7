package io.tributary.engine;

import io.tributary.format.AppendStatus;

import io.tributary.format.RecordBatchFlyweight;

import static io.tributary.engine.Batches.batch;
import static io.tributary.engine.Batches.bytes;
import static io.tributary.engine.Batches.idempotentBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(ChronicleHygiene.class)
class ShardLogTest
{
    @TempDir
    Path dir;

    private final AppendResult result = new AppendResult();

    private ShardLogConfig config()
    {
        return new ShardLogConfig().directory(dir.resolve("shard"));
    }

    private static long append(final ShardLog log, final UnsafeBuffer batch, final AppendResult result)
    {
        log.append(batch, 0, batch.capacity(), 0, result);
        assertThat(result.status()).as(result.toString()).isEqualTo(AppendStatus.APPENDED);
        return result.baseOffset();
    }

    static List<String> readValues(final ShardLog log, final long from)
    {
        final List<String> values = new ArrayList<>();
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 20]);
        final RecordBatchFlyweight view = new RecordBatchFlyweight();
        long next = from;
        while (next < log.nextOffset())
        {
            final int length = log.read(next, dst, 0, 4096);
            int at = 0;
            while (at < length)
            {
                view.wrap(dst, at);
                while (view.nextRecord())
                {
                    if (view.record().offset() >= next)
                    {
                        values.add(view.record().offset() + "=" + view.record().valueAsString());
                    }
                }
                next = view.lastOffset() + 1;
                at += view.batchLength();
            }
        }
        return values;
    }

    @Test
    void assignsDenseOffsetsAndReadsBackAcrossReopen()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.lastOffset()).isEqualTo(-1);
            assertThat(append(log, batch("k", "a", "b", "c"), result)).isEqualTo(0);
            assertThat(result.lastOffset()).isEqualTo(2);
            assertThat(append(log, batch(null, "d"), result)).isEqualTo(3);
            assertThat(append(log, batch("j", "e", "f"), result)).isEqualTo(4);
            assertThat(log.lastOffset()).isEqualTo(5);
            assertThat(readValues(log, 0)).containsExactly("0=a", "1=b", "2=c", "3=d", "4=e", "5=f");
            assertThat(readValues(log, 1)).containsExactly("1=b", "2=c", "3=d", "4=e", "5=f");
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.recoveryReport().droppedSomething()).isFalse();
            assertThat(log.lastOffset()).isEqualTo(5);
            assertThat(log.firstOffset()).isEqualTo(0);
            assertThat(readValues(log, 4)).containsExactly("4=e", "5=f");
            assertThat(log.lastOffsetOf(bytes("k"))).isEqualTo(2);
            assertThat(log.lastOffsetOf(bytes("j"))).isEqualTo(5);
            assertThat(append(log, batch("k", "g"), result)).isEqualTo(6);
            assertThat(log.lastOffsetOf(bytes("k"))).isEqualTo(6);
        }
    }

    @Test
    void readReturnsWholeBatchesWithinMaxBytesButAlwaysTheFirst()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            final UnsafeBuffer big = batch("k", "x".repeat(3000));
            append(log, big, result);
            append(log, batch("k", "y"), result);
            final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 16]);
            assertThat(log.read(0, dst, 0, 10)).isEqualTo(big.capacity());
            assertThat(log.read(0, dst, 0, 1 << 16)).isGreaterThan(big.capacity());
            assertThat(log.read(2, dst, 0, 1)).isEqualTo(0);
            // readLength tells the size of the same read, so a reader can allocate exactly that.
            assertThat(log.readLength(0, 10)).isEqualTo(big.capacity());
            assertThat(log.readLength(0, 1 << 16)).isEqualTo(log.read(0, dst, 0, 1 << 16));
            assertThat(log.readLength(2, 1)).isEqualTo(0);
            final UnsafeBuffer exact = new UnsafeBuffer(new byte[log.readLength(0, 1 << 16)]);
            assertThat(log.read(0, exact, 0, 1 << 16)).isEqualTo(exact.capacity());
            assertThatThrownBy(() -> log.readLength(3, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertThatThrownBy(() -> log.read(3, dst, 0, 100)).isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessageContaining("offset 3 is out of range");
            final UnsafeBuffer tiny = new UnsafeBuffer(new byte[100]);
            assertThatThrownBy(() -> log.read(0, tiny, 0, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("read buffer has 100 bytes free");
        }
    }

    @Test
    void idempotentProducerDuplicatesGapsAndEpochs()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, idempotentBatch(7, (short)0, 0, "k", "a", "b"), result);
            append(log, idempotentBatch(7, (short)0, 2, "k", "c"), result);
            final UnsafeBuffer retry = idempotentBatch(7, (short)0, 0, "k", "a", "b");
            log.append(retry, 0, retry.capacity(), 0, result);
            assertThat(result.status()).isEqualTo(AppendStatus.DUPLICATE);
            assertThat(result.baseOffset()).isEqualTo(0);
            assertThat(result.lastOffset()).isEqualTo(1);
            assertThat(log.nextOffset()).isEqualTo(3);

            final UnsafeBuffer gap = idempotentBatch(7, (short)0, 5, "k", "z");
            log.append(gap, 0, gap.capacity(), 0, result);
            assertThat(result.status()).isEqualTo(AppendStatus.SEQUENCE_GAP);
            assertThat(result.expected()).isEqualTo(3);
            assertThat(result.found()).isEqualTo(5);

            final UnsafeBuffer outOfOrder = idempotentBatch(7, (short)0, 1, "k", "z");
            log.append(outOfOrder, 0, outOfOrder.capacity(), 0, result);
            assertThat(result.status()).isEqualTo(AppendStatus.OUT_OF_ORDER_SEQUENCE);

            append(log, idempotentBatch(7, (short)1, 0, "k", "new epoch"), result);
            final UnsafeBuffer stale = idempotentBatch(7, (short)0, 3, "k", "zombie");
            log.append(stale, 0, stale.capacity(), 0, result);
            assertThat(result.status()).isEqualTo(AppendStatus.STALE_EPOCH);
            assertThat(result.expected()).isEqualTo(1);
            assertThat(result.found()).isEqualTo(0);

            final UnsafeBuffer unknown = idempotentBatch(8, (short)0, 4, "k", "late");
            log.append(unknown, 0, unknown.capacity(), 0, result);
            assertThat(result.status()).isEqualTo(AppendStatus.UNKNOWN_PRODUCER);
            assertThat(log.nextOffset()).isEqualTo(4);
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            final UnsafeBuffer retry = idempotentBatch(7, (short)1, 0, "k", "new epoch");
            log.append(retry, 0, retry.capacity(), 0, result);
            assertThat(result.status()).as("the producer table survives reopen").isEqualTo(AppendStatus.DUPLICATE);
            assertThat(result.baseOffset()).isEqualTo(3);
        }
    }

    @Test
    void conditionalAppendOnShardAndKey()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            final AppendCondition condition = new AppendCondition();
            final UnsafeBuffer first = batch("k", "v1");
            log.append(first, 0, first.capacity(), 0, condition.clear().expectShardLastOffset(-1)
                .expectKeyLastOffset(bytes("k"), -1), result);
            assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);

            final UnsafeBuffer second = batch("k", "v2");
            log.append(second, 0, second.capacity(), 0, condition.clear().expectShardLastOffset(5), result);
            assertThat(result.status()).isEqualTo(AppendStatus.SHARD_CONDITION_FAILED);
            assertThat(result.expected()).isEqualTo(5);
            assertThat(result.found()).isEqualTo(0);
            assertThat(result.message()).contains("expected the shard's last offset to be 5 but it is 0");

            log.append(second, 0, second.capacity(), 0, condition.clear().expectKeyLastOffset(bytes("k"), -1), result);
            assertThat(result.status()).isEqualTo(AppendStatus.KEY_CONDITION_FAILED);
            assertThat(result.found()).isEqualTo(0);
            log.append(second, 0, second.capacity(), 0, condition.clear().expectKeyLastOffset(bytes("other"), 0),
                result);
            assertThat(result.status()).isEqualTo(AppendStatus.KEY_CONDITION_FAILED);
            assertThat(result.found()).isEqualTo(-1);
            assertThat(log.nextOffset()).as("failed conditions append nothing").isEqualTo(1);

            log.append(second, 0, second.capacity(), 0, condition.clear().expectKeyLastOffset(bytes("k"), 0), result);
            assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);

            final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 16]);
            final RecordBatchFlyweight view = new RecordBatchFlyweight();
            final UnsafeBuffer key = new UnsafeBuffer(bytes("k"));
            assertThat(log.readLatest(key, 0, key.capacity(), dst, view)).isTrue();
            assertThat(view.record().valueAsString()).isEqualTo("v2");
            assertThat(view.record().offset()).isEqualTo(1);
            final UnsafeBuffer missing = new UnsafeBuffer(bytes("missing"));
            assertThat(log.readLatest(missing, 0, missing.capacity(), dst, view)).isFalse();
        }
    }

    @Test
    void keyLimitIsEnforcedExactly()
    {
        try (ShardLog log = ShardLog.open(config().maxKeys(3)))
        {
            append(log, batch("a", "1"), result);
            append(log, batch("b", "1", "2", "3"), result);
            final UnsafeBuffer sameKeys = batch("a", "1", "2", "3", "4");
            append(log, sameKeys, result);
            append(log, batch("c", "1"), result);
            final UnsafeBuffer tooMany = batch("d", "1");
            log.append(tooMany, 0, tooMany.capacity(), 0, result);
            assertThat(result.status()).isEqualTo(AppendStatus.KEY_LIMIT_REACHED);
            assertThat(result.message()).contains("maxKeys = 3");
            assertThat(log.keyCount()).isEqualTo(3);
        }
    }

    @Test
    void raftIndexReplayIsSkipped()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            final UnsafeBuffer a = batch("k", "a");
            log.append(a, 0, a.capacity(), 10, result);
            assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);
            log.append(a, 0, a.capacity(), 10, result);
            assertThat(result.status()).isEqualTo(AppendStatus.ALREADY_APPLIED);
            log.append(a, 0, a.capacity(), 12, result);
            assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);
            assertThat(log.lastRaftIndex()).isEqualTo(12);
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.lastRaftIndex()).isEqualTo(12);
        }
    }

    @Test
    void truncateAfterVoidsLaterBatchesDurably()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, batch("k", "a", "b"), result);
            append(log, batch("j", "c"), result);
            append(log, idempotentBatch(3, (short)0, 0, "k", "d", "e"), result);
            assertThatThrownBy(() -> log.truncateAfter(0)).hasMessageContaining("does not end a batch");
            log.truncateAfter(2);
            assertThat(log.lastOffset()).isEqualTo(2);
            assertThat(log.lastOffsetOf(bytes("k"))).as("key index rolled back").isEqualTo(1);
            assertThat(log.producerState(3)).as("producer table rolled back").isNull();
            assertThat(append(log, batch("k", "f"), result)).isEqualTo(3);
            assertThat(readValues(log, 0)).containsExactly("0=a", "1=b", "2=c", "3=f");
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(readValues(log, 0)).containsExactly("0=a", "1=b", "2=c", "3=f");
            log.truncateAfter(-1);
            assertThat(log.nextOffset()).isEqualTo(0);
            assertThat(append(log, batch("k", "g"), result)).isEqualTo(0);
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(readValues(log, 0)).containsExactly("0=g");
        }
    }
}
