package io.tributary.engine;

import io.tributary.format.AppendStatus;

import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordBatchFlyweight;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import net.openhft.chronicle.core.io.AbstractCloseable;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bit flips and truncations at random places (seeded) in the queue files of a closed log.
 * Every case must end one of three ways, and never with wrong data returned:
 * open fails with {@link CorruptLogException}; open drops and reports a corrupt tail and every
 * batch before it reads back intact; or every read of the damaged batch fails with
 * {@link CorruptLogException} while the others read back intact. A case where the damage lands
 * in bytes no batch depends on (padding, unused index slots) must read back every batch intact.
 * Replay with -Dtributary.seed=N.
 */
@ExtendWith(ChronicleHygiene.class)
class CorruptionTest
{
    private static final int BATCHES = 300;
    private static final int CASES = 120;

    @TempDir
    Path dir;

    @Test
    void bitFlipsAndTruncationsOfACleanlyClosedLog() throws IOException
    {
        run(false);
    }

    /**
     * Without the clean-shutdown snapshot (as after kill -9) open replays the whole queue. Only
     * bit flips here: a file cut short after a crash looks like a crash before those appends, and
     * only the Raft log above the engine can tell the two apart.
     */
    @Test
    void bitFlipsOfALogThatWasNotClosedCleanly() throws IOException
    {
        run(true);
    }

    /**
     * A crash-like cut through the last few excerpts of the queue file, at every depth up to a few
     * excerpts (found by the Jepsen disk nemesis: the queue's header still counted the cut excerpts,
     * the truncation marker and every later append went after a hole of zeros where no read reaches,
     * and the replica served CORRUPT for data it had acknowledged). Open either refuses the files, or
     * drops the torn tail so that what is appended next reads back, after a reopen too.
     */
    @Test
    void aCutThroughTheLastExcerptsNeverHidesLaterAppends() throws IOException
    {
        final Path pristine = dir.resolve("pristine");
        final List<String> expected = new ArrayList<>();
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(pristine)))
        {
            // Small batches (about 100 bytes, as the Jepsen workload's), so a cut of a few hundred bytes spans several.
            final AppendResult result = new AppendResult();
            for (int b = 0; b < 120; b++)
            {
                expected.add("v" + b);
                final UnsafeBuffer batch = Batches.batch("key", "v" + b);
                log.append(batch, 0, batch.capacity(), 0, result);
            }
        }
        Files.delete(pristine.resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
        int refused = 0;
        int dropped = 0;
        for (int cut = 1; cut <= 520; cut += 7)
        {
            final Path damaged = dir.resolve("cut" + cut);
            copy(pristine, damaged);
            final String damage = cutTail(damaged, cut);
            final long recovered;
            try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(damaged)))
            {
                recovered = log.nextOffset();
                if (log.recoveryReport().droppedSomething())
                {
                    dropped++;
                }
                final AppendResult result = new AppendResult();
                for (int b = 0; b < 20; b++)
                {
                    final UnsafeBuffer batch = Batches.batch("after", "after-" + b);
                    log.append(batch, 0, batch.capacity(), 0, result);
                    assertThat(result.status()).as(damage).isEqualTo(AppendStatus.APPENDED);
                }
            }
            catch (final CorruptLogException e)
            {
                refused++;
                IoUtil.delete(damaged.toFile(), false);
                continue;
            }
            try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(damaged)))
            {
                assertThat(log.nextOffset()).as(damage).isEqualTo(recovered + 20);
                final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 16]);
                final RecordBatchFlyweight view = new RecordBatchFlyweight();
                for (long next = log.firstOffset(); next < log.nextOffset(); next = view.lastOffset() + 1)
                {
                    log.read(next, dst, 0, 1);
                    view.wrap(dst, 0);
                    view.nextRecord();
                    final String value = new String(view.record().valueBytes(), StandardCharsets.UTF_8);
                    assertThat(value).as("offset %d after %s", next, damage)
                        .isEqualTo(next < recovered ? expected.get((int)next) : "after-" + (next - recovered));
                }
            }
            IoUtil.delete(damaged.toFile(), false);
        }
        System.out.println("CorruptionTest tail cuts: " + refused + " refused, " + dropped + " dropped a torn tail");
        assertThat(dropped).as("some cuts leave a torn last batch that is dropped").isPositive();
    }

    /** Cuts the queue file {@code bytes} short of its used length, as a crash in the middle of writes would. */
    private static String cutTail(final Path log, final int bytes) throws IOException
    {
        final Path file;
        try (Stream<Path> list = Files.list(log))
        {
            file = list.filter(p -> p.toString().endsWith(".cq4")).sorted().findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final long used = usedLength(raf);
            raf.setLength(used - bytes);
            return "cut " + file.getFileName() + " to " + (used - bytes) + " of " + used + " used bytes";
        }
    }

    private void run(final boolean crashed) throws IOException
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime());
        System.out.println("CorruptionTest seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Path pristine = dir.resolve("pristine");
        final List<String> expected = fill(pristine);
        final Outcomes outcomes = new Outcomes();
        for (int c = 0; c < CASES; c++)
        {
            final Path damaged = dir.resolve("case" + c);
            copy(pristine, damaged);
            if (crashed)
            {
                Files.delete(damaged.resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
            }
            final String damage = damage(damaged, random, !crashed && c % 4 == 3);
            // Printed before the check: a damage that kills the JVM (an allocation sized by a flipped length)
            // must still name itself.
            System.out.println("CorruptionTest case " + c + ": " + damage);
            final int openFailedBefore = outcomes.openFailed;
            check(damaged, expected, damage + " (seed " + seed + ", case " + c + ")", outcomes);
            checkNothingLeft(outcomes.openFailed > openFailedBefore, damage + " (seed " + seed + ", case " + c + ")");
            IoUtil.delete(damaged.toFile(), false);
        }
        System.out.println("CorruptionTest " + (crashed ? "crashed" : "clean") + " outcomes: " + outcomes);
        assertThat(outcomes.openFailed + outcomes.tailDropped + outcomes.readFailed)
            .as("most damage must be detected: %s", outcomes).isGreaterThan(CASES / 2);
    }

    private static List<String> fill(final Path path)
    {
        final List<String> values = new ArrayList<>();
        final AppendResult result = new AppendResult();
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(path)))
        {
            for (int b = 0; b < BATCHES; b++)
            {
                final String[] batchValues = new String[1 + b % 5];
                for (int r = 0; r < batchValues.length; r++)
                {
                    batchValues[r] = "batch" + b + "-record" + r + "-" + "v".repeat((b * 13 + r) % 200);
                    values.add(batchValues[r]);
                }
                final UnsafeBuffer batch = Batches.batch("key" + (b % 10), batchValues);
                log.append(batch, 0, batch.capacity(), 0, result);
                assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);
            }
        }
        return values;
    }

    /** Flips one bit, or truncates, inside the written part of a queue file. */
    private static String damage(final Path log, final Random random, final boolean truncate) throws IOException
    {
        final List<Path> files;
        try (Stream<Path> list = Files.list(log))
        {
            files = list.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
        final Path file = files.get(random.nextInt(files.size()));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final long used = usedLength(raf);
            final long position = (long)(random.nextDouble() * used);
            if (truncate)
            {
                raf.setLength(position);
                return "truncated " + file.getFileName() + " to " + position + " of " + used + " used bytes";
            }
            raf.seek(position);
            final int original = raf.read();
            final int bit = 1 << random.nextInt(8);
            raf.seek(position);
            raf.write(original ^ bit);
            return "flipped bit " + Integer.numberOfTrailingZeros(bit) + " at byte " + position + " of " + used
                + " used bytes in " + file.getFileName();
        }
    }

    /** Offset just past the last non-zero byte: the file is sparse and preallocated. */
    private static long usedLength(final RandomAccessFile raf) throws IOException
    {
        final byte[] chunk = new byte[1 << 16];
        for (long end = raf.length(); end > 0; end -= chunk.length)
        {
            final long start = Math.max(0, end - chunk.length);
            raf.seek(start);
            raf.readFully(chunk, 0, (int)(end - start));
            for (int i = (int)(end - start) - 1; i >= 0; i--)
            {
                if (chunk[i] != 0)
                {
                    return start + i + 1;
                }
            }
        }
        return 0;
    }

    /**
     * After each case, everything the log opened is closed. One exception, not ours: when Chronicle's own store
     * constructor fails on a damaged file header (a bit flipped in its indexing fields), the value references it
     * had already bound stay registered and nothing can close them (seed 71585496994825, case 114: a
     * {@code BinaryLongReference} from {@code SCQIndexing.<init>}). The open then failed with
     * {@code CorruptLogException} and this log holds nothing; such leftovers are forgotten (tracing restarted)
     * rather than failing every later case. A log that opened must close everything.
     */
    private static void checkNothingLeft(final boolean openFailed, final String damage)
    {
        AbstractCloseable.waitForCloseablesToClose(100);
        try
        {
            AbstractCloseable.assertCloseablesClosed();
        }
        catch (final AssertionError e)
        {
            if (!openFailed)
            {
                throw new AssertionError("Chronicle resources left open after " + damage, e);
            }
            AbstractCloseable.disableCloseableTracing();
            AbstractCloseable.enableCloseableTracing();
        }
    }

    private static void check(final Path path, final List<String> expected, final String damage,
        final Outcomes outcomes)
    {
        final ShardLog log;
        try
        {
            log = ShardLog.open(new ShardLogConfig().directory(path));
        }
        catch (final CorruptLogException e)
        {
            assertThat(e.getMessage()).as(damage).containsAnyOf(path.toString(), "queue files");
            outcomes.openFailed++;
            return;
        }
        try (log)
        {
            final boolean dropped = log.recoveryReport().droppedSomething();
            final int readFailures = readAll(log, expected, damage);
            if (dropped)
            {
                outcomes.tailDropped++;
            }
            else if (readFailures > 0)
            {
                outcomes.readFailed++;
            }
            else
            {
                assertThat(log.nextOffset()).as("undetected loss after %s", damage).isEqualTo(expected.size());
                outcomes.harmless++;
            }
            if (!dropped)
            {
                assertThat(log.nextOffset()).as("no batch lost silently after %s", damage).isEqualTo(expected.size());
            }
        }
    }

    /** Reads batch by batch; every batch returned must be exactly what was written. */
    private static int readAll(final ShardLog log, final List<String> expected, final String damage)
    {
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 16]);
        final RecordBatchFlyweight view = new RecordBatchFlyweight();
        int failures = 0;
        long next = log.firstOffset();
        while (next < log.nextOffset())
        {
            try
            {
                log.read(next, dst, 0, 1);
            }
            catch (final CorruptLogException e)
            {
                failures++;
                next = skipBatch(log, next);
                continue;
            }
            view.wrap(dst, 0);
            assertThat(view.baseOffset()).as(damage).isEqualTo(next);
            while (view.nextRecord())
            {
                final String value = new String(view.record().valueBytes(), StandardCharsets.UTF_8);
                assertThat(value).as("corrupt data returned after %s", damage)
                    .isEqualTo(expected.get((int)view.record().offset()));
            }
            next = view.lastOffset() + 1;
        }
        return failures;
    }

    /** The batch after the one holding {@code offset}: offsets of a failed batch are known from the index alone. */
    private static long skipBatch(final ShardLog log, final long offset)
    {
        long probe = offset + 1;
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 16]);
        while (probe < log.nextOffset())
        {
            try
            {
                log.read(probe, dst, 0, 1);
                final long base = dst.getLong(RecordBatchDescriptor.BASE_OFFSET_OFFSET);
                if (base > offset)
                {
                    return base;
                }
            }
            catch (final CorruptLogException e)
            {
                // still inside the damaged batch
            }
            probe++;
        }
        return probe;
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> list = Files.list(from))
        {
            for (final Path file : list.toList())
            {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    private static final class Outcomes
    {
        int openFailed;
        int tailDropped;
        int readFailed;
        int harmless;

        @Override
        public String toString()
        {
            return "open failed " + openFailed + ", tail dropped " + tailDropped + ", read failed " + readFailed
                + ", harmless " + harmless;
        }
    }
}
