package io.tributary.jepsen.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.testing.Seeds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonLinesWriterTest
{

    @Test
    void writesTheDocumentedFormat() throws Exception
    {
        StringWriter out = new StringWriter();
        try (JsonLinesWriter writer = new JsonLinesWriter(out, () -> 123456L))
        {
            writer.record(3, RecordType.INVOKE, "write", "k1", 5L, null);
            writer.write(new HistoryRecord(0, 3, RecordType.INFO, "write", "k1", 5L, OptionalLong.of(123789),
                "timed-out"));
        }
        assertThat(out.toString()).isEqualTo(
            "{\"process\":3,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":5,\"time\":123456}\n"
                + "{\"process\":3,\"type\":\"info\",\"f\":\"write\",\"key\":\"k1\",\"value\":5,\"time\":123789,"
                + "\"error\":\"timed-out\"}\n");
    }

    @Test
    void randomRecordsRoundTrip() throws Exception
    {
        long seed = Seeds.base("JsonLinesWriterTest");
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++)
        {
            List<HistoryRecord> records = new ArrayList<>();
            long time = random.nextLong(1_000_000);
            boolean timed = random.nextBoolean();
            for (int i = 0; i < 1 + random.nextInt(30); i++)
            {
                time += random.nextInt(1000);
                records.add(new HistoryRecord(0, random.nextInt(100), RecordType.values()[random.nextInt(4)], "f"
                    + random.nextInt(3), randomValue(random, 1), randomValue(random, 2), timed ? OptionalLong.of(time)
                    : OptionalLong.empty(), random.nextInt(4) == 0 ? "e\"rr\n" + round : null));
            }
            StringWriter out = new StringWriter();
            JsonLinesWriter writer = new JsonLinesWriter(out, () -> 0);
            for (final HistoryRecord record : records)
            {
                writer.write(record);
            }
            List<HistoryRecord> back = new JsonLinesReader()
                .read(new BufferedReader(new StringReader(out.toString())), "w");
            List<HistoryRecord> unnumbered = back.stream().map(r -> r.withLine(0)).toList();
            assertThat(unnumbered).as("seed %d round %d", seed, round).isEqualTo(records);
        }
    }

    private static Object randomValue(final SplittableRandom random, final int depth)
    {
        switch (random.nextInt(depth > 0 ? 8 : 6))
        {
            case 0: return null;
            case 1: return random.nextLong();
            case 2: return "s\u00e9<\\/>" + random.nextInt(10);
            case 3: return random.nextBoolean();
            case 4: return random.nextInt(1000) / 8.0;
            case 5: return "";
            case 6: return Arrays.asList(randomValue(random, depth - 1), randomValue(random, depth - 1));
            default: return Map.of("a", random.nextLong());
        }
    }

    @Test
    void recordsAreStampedAndKeptInOrderAcrossThreads() throws Exception
    {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        JsonLinesWriter writer = new JsonLinesWriter(out, clock::incrementAndGet);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 4; p++)
        {
            long process = p;
            threads.add(new Thread(() ->
            {
                for (int i = 0; i < 250; i++)
                {
                    try
                    {
                        writer.record(process, RecordType.INVOKE, "read", null, null, null);
                        writer.record(process, RecordType.OK, "read", null, (long) i, null);
                    }
                    catch (final IOException e)
                    {
                        throw new UncheckedIOException(e);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        List<HistoryRecord> back = new JsonLinesReader()
            .read(new BufferedReader(new StringReader(out.toString())), "w");
        assertThat(back).hasSize(2000);
        assertThat(OperationPairer.pair(back, "w")).hasSize(1000).allMatch(op -> op.completion() == Completion.OK);
    }

    @Test
    void aRecordOlderThanTheLastIsRefused() throws Exception
    {
        JsonLinesWriter writer = new JsonLinesWriter(new StringWriter(), () -> 0);
        writer.write(HistoryRecord.of(0, RecordType.INVOKE, "read", null, null, 10));
        assertThatThrownBy(() -> writer.write(HistoryRecord.of(0, RecordType.OK, "read", null, 1L, 9)))
            .hasMessage("record time 9 ns is before the previous record's 10 ns; write records in the order they "
                + "happened");
    }
}
