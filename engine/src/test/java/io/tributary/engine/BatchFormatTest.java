package io.tributary.engine;

import io.tributary.format.AppendStatus;

import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordFlyweight;
import io.tributary.format.RecordHeaders;

import static io.tributary.format.RecordBatchDescriptor.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import io.tributary.format.Checksums;
import io.tributary.format.RecordDescriptor;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random batches round-trip through builder, validator, ShardLog and flyweights (seeded
 * property test: replay with -Dtributary.seed=N), and every validation error is reported.
 */
@ExtendWith(ChronicleHygiene.class)
class BatchFormatTest
{
    private static final int MAX_KEY = 1024;

    @TempDir
    Path dir;

    record Header(String name, byte[] value)
    {
    }

    record Rec(long timestampMs, byte[] key, byte[] value, List<Header> headers)
    {
    }

    private static Rec randomRecord(final Random random)
    {
        final byte[] key = random.nextInt(5) == 0 ? null : randomBytes(random, random.nextInt(40));
        final byte[] value = random.nextInt(10) == 0 ? null
            : randomBytes(random, random.nextInt(random.nextBoolean() ? 50 : 3000));
        final List<Header> headers = new ArrayList<>();
        for (int h = random.nextInt(4); h > 0; h--)
        {
            headers.add(new Header("h" + random.nextInt(100), random.nextInt(4) == 0 ? null
                : randomBytes(random, random.nextInt(30))));
        }
        return new Rec(1_700_000_000_000L + random.nextInt(1_000_000) - 500_000, key, value, headers);
    }

    private static byte[] randomBytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void randomBatchesRoundTripThroughTheLog()
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime());
        System.out.println("BatchFormatTest seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        final Random random = new Random(seed);
        final List<Rec> written = new ArrayList<>();
        final AppendResult result = new AppendResult();
        final RecordHeaders headers = new RecordHeaders();
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(dir.resolve("log"))))
        {
            for (int b = 0; b < 300; b++)
            {
                final boolean direct = random.nextBoolean();
                final MutableDirectBuffer buffer = direct
                    ? new UnsafeBuffer(ByteBuffer.allocateDirect(1 + random.nextInt(64 << 10)))
                    : new UnsafeBuffer(new byte[1 + random.nextInt(64 << 10)]);
                if (buffer.capacity() < HEADER_LENGTH + RecordDescriptor.MIN_RECORD_LENGTH)
                {
                    continue;
                }
                final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
                final int wanted = 1 + random.nextInt(50);
                for (int r = 0; r < wanted; r++)
                {
                    final Rec rec = randomRecord(random);
                    headers.clear();
                    rec.headers().forEach(h -> headers.add(h.name(), h.value()));
                    final boolean added;
                    try
                    {
                        added = builder.tryAppend(rec.timestampMs(), rec.key(), rec.value(), headers);
                    }
                    catch (final IllegalArgumentException tooLarge)
                    {
                        assertThat(tooLarge).hasMessageContaining("can never fit");
                        continue;
                    }
                    if (!added)
                    {
                        break;
                    }
                    written.add(rec);
                }
                if (builder.isEmpty())
                {
                    continue;
                }
                final int length = builder.build();
                assertThat(BatchValidator.validate(buffer, 0, length, 1 << 20, MAX_KEY)).isNull();
                log.append(buffer, 0, length, 0, result);
                assertThat(result.status()).as("seed %d: %s", seed, result).isEqualTo(AppendStatus.APPENDED);
            }
            assertThat(readAll(log)).as("seed %d", seed).hasSameSizeAs(written);
            final List<Rec> read = readAll(log);
            for (int i = 0; i < written.size(); i++)
            {
                assertSame(written.get(i), read.get(i), "seed " + seed + " record " + i);
            }
        }
    }

    private static void assertSame(final Rec expected, final Rec actual, final String where)
    {
        assertThat(actual.timestampMs()).as(where).isEqualTo(expected.timestampMs());
        assertThat(actual.key()).as(where).isEqualTo(expected.key());
        assertThat(actual.value()).as(where).isEqualTo(expected.value());
        assertThat(actual.headers()).as(where).hasSameSizeAs(expected.headers());
        for (int h = 0; h < expected.headers().size(); h++)
        {
            assertThat(actual.headers().get(h).name()).isEqualTo(expected.headers().get(h).name());
            assertThat(actual.headers().get(h).value()).isEqualTo(expected.headers().get(h).value());
        }
    }

    private static List<Rec> readAll(final ShardLog log)
    {
        final List<Rec> records = new ArrayList<>();
        final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
        final RecordBatchFlyweight view = new RecordBatchFlyweight();
        long next = 0;
        while (next < log.nextOffset())
        {
            final int length = log.read(next, dst, 0, 1 << 18);
            for (int at = 0; at < length; at += view.batchLength())
            {
                view.wrap(dst, at);
                while (view.nextRecord())
                {
                    final RecordFlyweight record = view.record();
                    assertThat(record.offset()).isEqualTo(next++);
                    final List<Header> headers = new ArrayList<>();
                    while (record.nextHeader())
                    {
                        headers.add(new Header(record.headerName(), record.headerValueBytes()));
                    }
                    records.add(new Rec(record.timestampMs(), record.keyBytes(), record.valueBytes(), headers));
                }
            }
        }
        return records;
    }

    private static UnsafeBuffer validBatch()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
        builder.tryAppend(1L, "key".getBytes(), "value".getBytes(), new RecordHeaders().add("h", "x".getBytes()));
        builder.tryAppend(2L, "key2".getBytes(), "value2".getBytes());
        return new UnsafeBuffer(Arrays.copyOf(buffer.byteArray(), builder.build()));
    }

    /** Applies a change, reseals both CRCs (so only the change is wrong), and validates. */
    private static String invalidAfter(final Consumer<UnsafeBuffer> change, final boolean reseal)
    {
        final UnsafeBuffer batch = validBatch();
        change.accept(batch);
        if (reseal)
        {
            batch.putInt(CRC_OFFSET, Checksums.crc32c(batch, CRC_COVERED_START, batch.capacity() - CRC_COVERED_START));
            batch.putInt(HEADER_CRC_OFFSET, Checksums.crc32c(batch, 0, HEADER_CRC_COVERED_LENGTH));
        }
        return BatchValidator.validate(batch, 0, batch.capacity(), 1 << 20, MAX_KEY);
    }

    @Test
    void everyValidationErrorIsReportedWithWhatAndWhere()
    {
        assertThat(invalidAfter(b -> { }, false)).isNull();
        assertThat(invalidAfter(b -> b.putShort(MAGIC_OFFSET, (short)0x1234), true)).contains("bad magic 0x1234");
        assertThat(invalidAfter(b -> b.putByte(VERSION_OFFSET, (byte)9), true)).contains("unsupported batch version 9");
        assertThat(invalidAfter(b -> b.putInt(BATCH_LENGTH_OFFSET, 99), true))
            .contains("batchLength field says 99 bytes");
        assertThat(invalidAfter(b -> b.putInt(RECORD_COUNT_OFFSET, 0), true)).contains("record count 0 is impossible");
        assertThat(invalidAfter(b -> b.putInt(RECORD_COUNT_OFFSET, 1), true)).contains("the 1 records end at byte");
        assertThat(invalidAfter(b -> b.putInt(RECORD_COUNT_OFFSET, 3), true)).contains("record 2 at byte");
        assertThat(invalidAfter(b -> b.putByte(b.capacity() - 1, (byte)7), false)).contains("batch body CRC mismatch");
        assertThat(invalidAfter(b -> b.putLong(BASE_OFFSET_OFFSET, 7), false)).contains("batch header CRC mismatch");
        assertThat(invalidAfter(b -> b.putShort(ATTRIBUTES_OFFSET, (short)2), true)).contains("compression codec");
        assertThat(invalidAfter(b -> b.putInt(BODY_RESERVED_OFFSET, 1), true)).contains("reserved field");
        assertThat(invalidAfter(b -> b.putInt(RECORDS_OFFSET + RecordDescriptor.OFFSET_DELTA_OFFSET, 5), true))
            .contains("offsetDelta 5, expected 0");
        assertThat(invalidAfter(b -> b.putInt(RECORDS_OFFSET, 5000), true))
            .contains("record 0 at byte 72 has length 5000");
        assertThat(invalidAfter(b -> b.putInt(RECORDS_OFFSET + RecordDescriptor.KEY_LENGTH_OFFSET, 2000), true))
            .contains("key length 2000").contains("maxKeyBytes");
        assertThat(invalidAfter(b -> b.putInt(RECORDS_OFFSET + RecordDescriptor.KEY_OFFSET + 3, 900), true))
            .contains("value length 900 is invalid or runs past the record's end");
        assertThat(invalidAfter(b -> b.putInt(RECORDS_OFFSET + RecordDescriptor.KEY_OFFSET + 3 + 4 + 5, -3), true))
            .contains("impossible header count -3");
        assertThat(invalidAfter(b ->
        {
            b.putLong(PRODUCER_ID_OFFSET, 5);
            b.putShort(PRODUCER_EPOCH_OFFSET, (short)0);
            b.putInt(BASE_SEQUENCE_OFFSET, Integer.MAX_VALUE);
        }, true)).contains("sequence overflow");
        assertThat(BatchValidator.validate(new UnsafeBuffer(new byte[10]), 0, 10, 1 << 20, MAX_KEY))
            .contains("shorter than");
        final UnsafeBuffer batch = validBatch();
        assertThat(BatchValidator.validate(batch, 0, batch.capacity(), 100, MAX_KEY))
            .contains("exceeds the limit of 100 bytes");
    }

    @Test
    void invalidBatchesAreRejectedByTheLogWithoutStoringAnything()
    {
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(dir.resolve("log"))))
        {
            final UnsafeBuffer batch = validBatch();
            batch.putByte(batch.capacity() - 1, (byte)1);
            final AppendResult result = new AppendResult();
            log.append(batch, 0, batch.capacity(), 0, result);
            assertThat(result.status()).isEqualTo(AppendStatus.INVALID_BATCH);
            assertThat(result.message()).contains("CRC mismatch");
            assertThat(log.nextOffset()).isEqualTo(0);
            assertThatThrownBy(() -> log.append(validBatch(), 0, validBatch().capacity(), -1, result))
                .hasMessageContaining("raftIndex must be >= 0");
        }
    }

    @Test
    void builderRejectsRecordsThatCanNeverFitAndStartsANewBatchWhenFull()
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(new UnsafeBuffer(new byte[200])).reset();
        assertThatThrownBy(() -> builder.tryAppend(0, null, new byte[500])).hasMessageContaining("can never fit");
        assertThat(builder.tryAppend(0, null, new byte[60])).isTrue();
        assertThat(builder.tryAppend(0, null, new byte[60])).as("full").isFalse();
        assertThat(builder.recordCount()).isEqualTo(1);
        assertThatThrownBy(() -> new RecordBatchBuilder(new UnsafeBuffer(new byte[200])).reset().build())
            .hasMessageContaining("empty batch");
        assertThatThrownBy(() -> new ShardLogConfig().directory(dir).maxKeyBytes(0).validate())
            .hasMessageContaining("maxKeyBytes is 0");
    }
}
