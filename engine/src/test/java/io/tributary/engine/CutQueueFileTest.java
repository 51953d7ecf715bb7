package io.tributary.engine;

import static io.tributary.engine.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tributary.format.AppendStatus;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A crash while Chronicle creates a cycle's file (at the first append of a new hour) leaves the newest
 * file cut: its header zero or not complete, or its write position never set. Before the fix the next
 * open waited 10 s per file acquisition for the dead writer (about 80 s, CI's FaultSwitchDetectionTest
 * after a kill -9) and then declared the replica damaged. Each state here is the one found in files
 * left by a real kill -9 in the middle of a first append (the byte patterns were read from them).
 */
@ExtendWith(ChronicleHygiene.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CutQueueFileTest
{
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int END_OF_DATA = 0xC000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int BATCHES_IN_FIRST_FILE = 5;

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(1_800_000_000_000L);
    private final AppendResult result = new AppendResult();

    /** How the newest file was left by the crash. */
    enum Cut
    {
        /** Created and mapped; the header word never written. */
        HEADER_NEVER_WRITTEN,
        /** The header word marked not complete, its fields half written, nothing after it. */
        HEADER_NOT_COMPLETE,
        /** Header and index documents complete, the write position still 0, no excerpt. */
        INDEXES_WRITTEN_NO_EXCERPT,
        /**
         * The header word still not complete, the index documents written behind it: Chronicle completes the
         * header only after its indexes (CI, seed 11: the next open waited 47 s, then Chronicle renamed the file).
         */
        HEADER_NOT_COMPLETE_INDEXES_WRITTEN,
        /** The header word not complete, the second index document's content written but not its header word. */
        HEADER_NOT_COMPLETE_INDEX_BEING_WRITTEN,
        /** Header and index documents complete, then an end-of-file mark, no excerpt. */
        END_OF_FILE_MARK_AFTER_INDEXES,
        /** The first excerpt's header word still marked not complete by its writer. */
        FIRST_EXCERPT_NOT_COMPLETE
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Cut.class)
    void aNewestFileWhoseCreationWasCutIsDeletedAndTheLogOpensAtOnceWithEveryExcerptBeforeIt(final Cut cut)
        throws IOException
    {
        final Path newest = twoFilesTheSecondWithOneExcerpt();
        cutShort(newest, cut);

        final long startNs = System.nanoTime();
        try (ShardLog log = ShardLog.open(config()))
        {
            final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            // Not a speed goal: before the fix this open took about 80 s or failed; any wait for a writer is 10 s.
            assertThat(openMs).as("open waited for a dead writer").isLessThan(9_000);
            assertThat(log.nextOffset()).as("the excerpts of the complete file").isEqualTo(BATCHES_IN_FIRST_FILE);
            assertThat(log.recoveryReport().droppedTail()).contains("cut short by a crash");
            assertThat(newest).doesNotExist();
            append(log, "after the crash");
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.nextOffset()).isEqualTo(BATCHES_IN_FIRST_FILE + 1);
            assertThat(log.recoveryReport().droppedSomething()).as(log.recoveryReport().toString()).isFalse();
            final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 16]);
            assertThat(log.read(BATCHES_IN_FIRST_FILE, dst, 0, dst.capacity())).isPositive();
        }
    }

    @Test
    void aNewestFileWithACompleteExcerptIsKept() throws IOException
    {
        final Path newest = twoFilesTheSecondWithOneExcerpt();
        assertThat(CutQueueFile.whyCut(newest)).isNull();
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.nextOffset()).isEqualTo(BATCHES_IN_FIRST_FILE + 1);
            assertThat(newest).exists();
        }
    }

    @Test
    void aHeaderWordThatNoWriterLeavesIsDamageNotACutAndTheFileIsKept() throws IOException
    {
        final Path newest = twoFilesTheSecondWithOneExcerpt();
        // Not complete with a length: no writer leaves that (the flag goes with the length, at once).
        putInt(newest, 0, NOT_COMPLETE | 0xC1);
        assertThat(CutQueueFile.whyCut(newest)).isNull();
        // Zeroed header with the file's documents still behind it: damage, not a file being created.
        putInt(newest, 0, 0);
        assertThat(CutQueueFile.whyCut(newest)).isNull();
    }

    @Test
    void anEndOfFileMarkWithBytesBehindItIsDamageNotACut() throws IOException
    {
        final Path newest = twoFilesTheSecondWithOneExcerpt();
        final long headerEnd = 4L + (getInt(newest, 0) & LENGTH_MASK);
        final long excerptAt = firstExcerptPosition(newest, headerEnd);
        // The excerpt's header word overwritten by the mark: its body is still behind it.
        putInt(newest, excerptAt, END_OF_DATA);
        assertThat(CutQueueFile.whyCut(newest)).isNull();
    }

    @Test
    void aHeaderNotCompleteWithAnExcerptBehindItsIndexesIsDamageNotACut() throws IOException
    {
        final Path newest = twoFilesTheSecondWithOneExcerpt();
        putInt(newest, 0, NOT_COMPLETE);
        assertThat(CutQueueFile.whyCut(newest)).isNull();
    }

    /**
     * CI, seed 11: a file Chronicle recreated empty (write position 0, an end-of-file mark) and which is no
     * longer the newest was reported as a damaged header, and the replica as lost.
     */
    @Test
    void anEmptyFileChronicleRecreatedBetweenTwoFilesWithExcerptsOpensWithNothingDropped() throws IOException
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            for (int i = 0; i < BATCHES_IN_FIRST_FILE; i++)
            {
                append(log, "first file " + i);
            }
            clock.advanceMillis(2 * SettableClock.HOUR_MS);
            append(log, "third file");
        }
        Files.delete(dir.resolve("shard").resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
        final List<Path> files = queueFiles();
        assertThat(files).hasSize(2);
        // The second hour's file, as Chronicle leaves it: a copy of the third's header and indexes, emptied.
        final Path second = files.get(1).resolveSibling(secondHourFileName(files.get(0), files.get(1)));
        Files.copy(files.get(1), second);
        toEmptyFileWithEndOfFileMark(second);

        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.recoveryReport().droppedSomething()).as(log.recoveryReport().toString()).isFalse();
            assertThat(log.nextOffset()).isEqualTo(BATCHES_IN_FIRST_FILE + 1);
            assertThat(second).exists();
            final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 16]);
            assertThat(log.read(BATCHES_IN_FIRST_FILE, dst, 0, dst.capacity())).isPositive();
        }
    }

    /** The hour between two hourly queue files' names ({@code yyyyMMdd-HHF.cq4}). */
    private static String secondHourFileName(final Path first, final Path third)
    {
        final DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyyMMdd-HH'F.cq4'");
        final LocalDateTime firstHour = LocalDateTime.parse(first.getFileName().toString(), format);
        final String name = format.format(firstHour.plusHours(1));
        assertThat(format.format(firstHour.plusHours(2))).isEqualTo(third.getFileName().toString());
        return name;
    }

    /** Five batches in one hour's file, one in the next hour's; closed as by a crash (no clean-shutdown snapshot). */
    private Path twoFilesTheSecondWithOneExcerpt() throws IOException
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            for (int i = 0; i < BATCHES_IN_FIRST_FILE; i++)
            {
                append(log, "first file " + i);
            }
            clock.advanceMillis(SettableClock.HOUR_MS);
            append(log, "second file");
        }
        Files.delete(dir.resolve("shard").resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
        final List<Path> files = queueFiles();
        assertThat(files).hasSize(2);
        return files.get(1);
    }

    private static void cutShort(final Path file, final Cut cut) throws IOException
    {
        final int headerWord = getInt(file, 0);
        final long headerEnd = 4L + (headerWord & LENGTH_MASK);
        final long excerptAt = firstExcerptPosition(file, headerEnd);
        switch (cut)
        {
            case HEADER_NEVER_WRITTEN -> zeroFrom(file, 0);
            case HEADER_NOT_COMPLETE ->
            {
                zeroFrom(file, headerEnd);
                putInt(file, 0, NOT_COMPLETE);
            }
            case INDEXES_WRITTEN_NO_EXCERPT ->
            {
                zeroFrom(file, excerptAt);
                zeroFirstLongEqualTo(file, headerEnd, excerptAt);   // the header's write position
            }
            case HEADER_NOT_COMPLETE_INDEXES_WRITTEN ->
            {
                zeroFrom(file, excerptAt);
                zeroFirstLongEqualTo(file, headerEnd, excerptAt);
                putInt(file, 0, NOT_COMPLETE);
            }
            case HEADER_NOT_COMPLETE_INDEX_BEING_WRITTEN ->
            {
                zeroFrom(file, excerptAt);
                zeroFirstLongEqualTo(file, headerEnd, excerptAt);
                putInt(file, secondDocumentPosition(file, headerEnd), 0);
                putInt(file, 0, NOT_COMPLETE);
            }
            case END_OF_FILE_MARK_AFTER_INDEXES -> toEmptyFileWithEndOfFileMark(file);
            case FIRST_EXCERPT_NOT_COMPLETE -> putInt(file, excerptAt, NOT_COMPLETE);
            default -> throw new IllegalArgumentException(cut.toString());
        }
    }

    /**
     * What Chronicle leaves where it found a file whose header never completed: it renames that file to
     * {@code .discard}, creates an empty one (header, index documents, write position 0) and, when a later
     * cycle is written, closes it with an end-of-file mark.
     */
    private static void toEmptyFileWithEndOfFileMark(final Path file) throws IOException
    {
        final long headerEnd = 4L + (getInt(file, 0) & LENGTH_MASK);
        final long excerptAt = firstExcerptPosition(file, headerEnd);
        zeroFrom(file, excerptAt);
        zeroFirstLongEqualTo(file, headerEnd, excerptAt);
        putInt(file, excerptAt, END_OF_DATA);
    }

    private static long secondDocumentPosition(final Path file, final long headerEnd) throws IOException
    {
        final long first = headerEnd + (-headerEnd & 3);
        final long second = first + 4 + (getInt(file, first) & LENGTH_MASK);
        return second + (-second & 3);
    }

    /** The first document after the index documents: every meta-data document is skipped. */
    private static long firstExcerptPosition(final Path file, final long headerEnd) throws IOException
    {
        long position = headerEnd;
        while (true)
        {
            position += -position & 3;
            final int word = getInt(file, position);
            assertThat(word).as("a complete document at %d", position).isNotZero();
            if ((word & 0x4000_0000) == 0)
            {
                return position;
            }
            position += 4L + (word & LENGTH_MASK);
        }
    }

    private static void zeroFirstLongEqualTo(final Path file, final long headerEnd, final long value) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer header = ByteBuffer.allocate((int)headerEnd).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(header, 0);
            for (int at = 4; at + 8 <= headerEnd; at++)
            {
                if (header.getLong(at) == value)
                {
                    channel.write(ByteBuffer.allocate(8), at);
                    return;
                }
            }
        }
        throw new AssertionError("no write position " + value + " in the header of " + file);
    }

    private static void zeroFrom(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final long size = channel.size();
            channel.truncate(position);
            channel.write(ByteBuffer.allocate(1), size - 1);   // same length, zeros (sparse) from position on
        }
    }

    private static int getInt(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(word, position);
            return word.getInt(0);
        }
    }

    private static void putInt(final Path file, final long position, final int value) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), position);
        }
    }

    private List<Path> queueFiles() throws IOException
    {
        try (Stream<Path> listing = Files.list(dir.resolve("shard")))
        {
            return listing.filter(f -> f.getFileName().toString().endsWith(SingleChronicleQueue.SUFFIX)).sorted()
                .toList();
        }
    }

    private ShardLogConfig config()
    {
        return new ShardLogConfig().directory(dir.resolve("shard")).timeProvider(clock);
    }

    private void append(final ShardLog log, final String value)
    {
        final UnsafeBuffer buffer = batch("k", value);
        log.append(buffer, 0, buffer.capacity(), 0, result);
        assertThat(result.status()).as(result.toString()).isEqualTo(AppendStatus.APPENDED);
    }
}
