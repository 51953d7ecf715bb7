package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tributary.engine.ChronicleHygiene;

import com.sun.management.ThreadMXBean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

/**
 * Runs each benchmark body a few times directly, not through JMH, so `mvn test` proves the
 * benchmarks work without spending benchmark time; and checks the runner's JVM flags.
 */
@ExtendWith(ChronicleHygiene.class)
class BenchmarkSmokeTest
{
    @TempDir
    Path dir;

    @Test
    void appendBodyAppendsEveryParameterCombinationAndDeletesItsLog()
    {
        for (final int recordBytes : new int[] {100, 1024})
        {
            for (final int batchRecords : new int[] {1, 16, 256})
            {
                final EngineAppend bench = new EngineAppend();
                bench.recordBytes = recordBytes;
                bench.batchRecords = batchRecords;
                bench.baseDir = dir.toString();
                bench.buildBatch();
                bench.openLog();
                final Throughput counters = new Throughput();
                counters.reset();
                bench.append(counters);
                final long lastOffset = bench.append(counters);
                bench.deleteLog();

                assertThat(lastOffset).isEqualTo(2L * batchRecords - 1);
                assertThat(counters.records).isEqualTo(2L * batchRecords);
                assertThat(counters.payloadMB).isCloseTo(2.0 * batchRecords * recordBytes / 1e6,
                    within(1e-9));
                assertThat(counters.storedMB * 1e6).isCloseTo(2.0 * BenchLogs.batchBytes(batchRecords, recordBytes),
                    within(1e-3));
                assertThat(dir).isEmptyDirectory();
            }
        }
    }

    @Test
    void batchesHaveTheDocumentedSize()
    {
        assertThat(BenchLogs.buildBatch(1, 100).capacity()).isEqualTo(72 + 24 + 100);
        assertThat(BenchLogs.buildBatch(256, 1024).capacity()).isEqualTo(72 + 256 * (24 + 1024));
    }

    @Test
    void readBodiesScanEveryRecordOfThePrefilledLog()
    {
        final EngineRead bench = new EngineRead();
        bench.baseDir = dir.toString();
        bench.prefillBatches = 5;
        bench.prefill();
        try
        {
            final int records = 5 * EngineRead.RECORDS_PER_BATCH;
            final Throughput batches = new Throughput();
            final long bytes = bench.scanBatches(batches);
            assertThat(bytes).isEqualTo(5L * BenchLogs.batchBytes(EngineRead.RECORDS_PER_BATCH,
                EngineRead.RECORD_BYTES));
            assertThat(batches.records).isEqualTo(records);

            final Throughput each = new Throughput();
            final long valueBytes = bench.scanRecords(each);
            assertThat(valueBytes).isEqualTo((long)records * (EngineRead.RECORD_BYTES - BenchLogs.KEY_BYTES));
            assertThat(each.records).isEqualTo(records);
            assertThat(each.payloadMB).isEqualTo(batches.payloadMB);
        }
        finally
        {
            bench.deleteLog();
        }
        assertThat(dir).isEmptyDirectory();
    }

    /**
     * The target "reads allocate 0 bytes per record once warm", checked without JMH: scans a small
     * log until a window of scans allocates nothing at all (JIT warm-up takes well under a second),
     * and fails if that never happens before the deadline, as it would if the path allocated per record.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readsAllocateNothingOnceWarm()
    {
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final EngineRead bench = new EngineRead();
        bench.baseDir = dir.toString();
        bench.prefillBatches = 16;
        bench.prefill();
        try
        {
            final Throughput counters = new Throughput();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long allocatedBytes = -1;
            while (allocatedBytes != 0 && System.nanoTime() < deadlineNs)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++)
                {
                    bench.scanRecords(counters);
                }
                allocatedBytes = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertThat(allocatedBytes).as("bytes allocated by 200 warm scans of %d records",
                16 * EngineRead.RECORDS_PER_BATCH)
                .isZero();
        }
        finally
        {
            bench.deleteLog();
        }
    }

    @Test
    void projectJvmFlagsReachEveryForkBeforeTheCommandLinesOwn() throws Exception
    {
        final List<String> flags = BenchMain.projectJvmFlags();
        assertThat(flags)
            .contains("--add-opens=java.base/java.util.zip=ALL-UNNAMED", "-Dchronicle.announcer.disable=true")
            .noneMatch(flag -> flag.contains("${"));

        final Options options = BenchMain.options(
            new CommandLineOptions("EngineAppend", "-p", "batchRecords=256", "-jvmArgsAppend", "-Dmine=1"));
        final List<String> append = List.copyOf(options.getJvmArgsAppend().get());
        assertThat(append).startsWith(flags.toArray(new String[0])).endsWith("-Dmine=1");
        assertThat(options.getIncludes()).containsExactly("EngineAppend");
        assertThat(options.getParameter("batchRecords").get()).containsExactly("256");
    }
}
