package io.tributary.engine;

import io.tributary.format.RecordBatchFlyweight;

import static io.tributary.format.RecordBatchDescriptor.*;

import io.tributary.format.Checksums;
import io.tributary.engine.format.ControlRecordDescriptor;
import io.tributary.engine.internal.LogState;

import java.io.File;
import java.util.Arrays;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Rebuilds a shard's state from its queue on open. Two passes over the excerpts after the
 * snapshot point (or all of them): the first classifies each excerpt and applies truncation
 * markers, so that the second applies only live batches and never has to undo anything.
 *
 * <p>A batch that fails its checks is dropped, and reported, only when no live batch follows it
 * (a torn or corrupt tail: it was never acknowledged). Anywhere else it is corruption of
 * acknowledged data, and open fails naming the file and position. Cost: reads every byte after
 * the snapshot point once (CRC32C at memory speed) plus a header pass; no snapshot means the
 * whole queue.
 */
final class LogRecovery
{
    private static final long KIND_BATCH = 0;
    private static final long KIND_BAD = 1;
    private static final long KIND_CONTROL = 2;
    private static final long KIND_VOID = 3;

    private final ShardLog log;
    private final LogState state;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final LongArrayList excerpts = new LongArrayList();
    private final LongArrayList kinds = new LongArrayList();
    private final LongArrayList voidFromIndexes = new LongArrayList();
    /** The last queue file's header write position, read by {@link #checkIndexPointers}; -1 without files. */
    private long lastCycleWritePosition = -1;
    private String firstProblem;
    private long batchesScanned;
    private long bytesScanned;

    LogRecovery(final ShardLog log)
    {
        this.log = log;
        this.state = log.state;
    }

    RecoveryReport recover(final EngineSnapshot snapshot)
    {
        final long startNs = System.nanoTime();
        state.clear();
        if (snapshot != null)
        {
            restore(snapshot);
        }
        final long fromExcerpt = state.lastExcerptIndex;
        try (ExcerptTailer tailer = log.newTailer())
        {
            checkIndexPointers();
            classify(tailer, fromExcerpt);
            checkNothingMissing();
            checkWritePosition(tailer, fromExcerpt);
            if (!applyMarkers(fromExcerpt))
            {
                // A marker voids excerpts the snapshot already counted: replay the whole queue instead.
                return new LogRecovery(log).recover(null);
            }
            final String dropped = replay(tailer);
            return new RecoveryReport(batchesScanned, bytesScanned, fromExcerpt, snapshot != null, dropped,
                System.nanoTime() - startNs);
        }
        catch (final CorruptLogException e)
        {
            throw e;
        }
        catch (final RuntimeException | AssertionError e)
        {
            // Chronicle's own checks on a damaged file surface as AssertionError under -ea (StoreTailer.doToStart
            // on a truncated file) or as runtime exceptions without: both are corruption, reported as such.
            throw new CorruptLogException("cannot read the queue files of shard log " + log.config().directory()
                + ": " + e + ". The files are damaged; restore this replica from its peers", e);
        }
    }

    private void restore(final EngineSnapshot snapshot)
    {
        state.decode(snapshot.buffer(), snapshot.length());
        final long firstExcerpt = log.queue().firstIndex();
        int gone = 0;
        while (gone < state.offsetIndex.size() && state.offsetIndex.excerptIndex(gone) < firstExcerpt)
        {
            gone++;
        }
        if (gone > 0)
        {
            // Retention deleted files after the snapshot was taken.
            state.firstOffset = gone < state.offsetIndex.size() ? state.offsetIndex.baseOffset(gone) : state.nextOffset;
            state.offsetIndex.dropFirst(gone);
        }
    }

    /** Before anything follows a queue file's index (moveToIndex, lastIndex): QueueIndexCheck says why. */
    private void checkIndexPointers()
    {
        final SingleChronicleQueue queue = log.queue();
        final int firstCycle = queue.firstCycle();
        final int lastCycle = queue.lastCycle();
        if (firstCycle == Integer.MAX_VALUE || lastCycle == Integer.MIN_VALUE)
        {
            return;   // no queue files
        }
        for (final long cycle : queue.listCyclesBetween(firstCycle, lastCycle))
        {
            final SingleChronicleQueueStore store = queue.storeForCycle((int)cycle, queue.epoch(), false, null);
            if (store == null)
            {
                continue;
            }
            try
            {
                final long writePosition = QueueIndexCheck.check(store.file(), store.dumpHeader());
                if (cycle == lastCycle)
                {
                    lastCycleWritePosition = writePosition;
                }
            }
            finally
            {
                queue.closeStore(store);
            }
        }
    }

    /** Pass 1: read each excerpt's header, remember its kind. */
    private void classify(final ExcerptTailer tailer, final long fromExcerpt)
    {
        position(tailer, fromExcerpt);
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long length = bytes.readRemaining();
                excerpts.addLong(dc.index());
                if (length == ControlRecordDescriptor.LENGTH && isControl(bytes))
                {
                    kinds.addLong(KIND_CONTROL);
                    voidFromIndexes.addLong(view.getLong(ControlRecordDescriptor.VOID_FROM_EXCERPT_INDEX_OFFSET));
                    continue;
                }
                voidFromIndexes.addLong(-1);
                final boolean sane = length >= HEADER_LENGTH && length <= log.config().maxBatchBytes();
                if (sane)
                {
                    view.wrap(bytes.addressForRead(bytes.readPosition(), (int)length), (int)length);
                }
                kinds.addLong(sane && BatchValidator.verifyHeader(view, 0, (int)length, log.config()
                    .maxBatchBytes()) == null ? KIND_BATCH : KIND_BAD);
            }
        }
    }

    /**
     * Chronicle's header counts what was written; a truncated or damaged file can read short of
     * it. Lost acknowledged data must never pass for an empty tail.
     */
    private void checkNothingMissing()
    {
        final long lastIndex = log.queue().lastIndex();
        final long lastSeen = excerpts.isEmpty() ? state.lastExcerptIndex : excerpts.getLong(excerpts.size() - 1);
        if (lastIndex > lastSeen)
        {
            throw new CorruptLogException(String.valueOf(log.queue().file()), -1,
                "the queue's header says excerpts up to 0x"
                + Long.toHexString(lastIndex) + " were written but only up to 0x" + Long.toHexString(lastSeen)
                + " can be read: a queue file was truncated or damaged. Restore this replica from its peers");
        }
        if (lastSeen < 0 && hasQueueFiles())
        {
            throw new CorruptLogException(String.valueOf(log.queue().file()), -1, "the folder holds queue files but "
                + "no excerpt can be read from them: they were truncated or damaged. Restore this replica from its "
                + "peers");
        }
    }

    /**
     * Chronicle appends after the excerpt its header's write position points at. A cut through
     * several excerpts (a crash, a damaged disk) can leave that position beyond the last excerpt a
     * read reaches, past a hole of zeros; what is appended there is never read back (a read stops
     * at the first zero header). The last readable excerpt must be the one the header points at.
     */
    private void checkWritePosition(final ExcerptTailer tailer, final long fromExcerpt)
    {
        final long lastExcerpt = excerpts.isEmpty() ? fromExcerpt : excerpts.getLong(excerpts.size() - 1);
        if (lastExcerpt < 0)
        {
            return;
        }
        final SingleChronicleQueue queue = log.queue();
        final int cycle = queue.rollCycle().toCycle(lastExcerpt);
        if (cycle != queue.lastCycle())
        {
            return;   // the last file holds no excerpt yet (a roll): Chronicle starts it afresh
        }
        seek(tailer, lastExcerpt);
        final long headerPosition;
        try (DocumentContext dc = tailer.readingDocument())
        {
            headerPosition = dc.isPresent() ? dc.wire().bytes().readPosition() - 4 : -1;
        }
        final long writePosition = lastCycleWritePosition;
        if (headerPosition >= 0 && writePosition > headerPosition)
        {
            throw new CorruptLogException(String.valueOf(tailer.currentFile()), writePosition,
                "the queue file's header says"
                + " its last excerpt starts at byte " + writePosition + " but the last one that can be read, 0x"
                + Long.toHexString(lastExcerpt) + ", starts at byte " + headerPosition
                    + ": excerpts between were cut or zeroed, and anything appended would land beyond a hole where "
                + "no read reaches. Restore this replica from its peers");
        }
    }

    private boolean hasQueueFiles()
    {
        final File[] files = log.queue().file().listFiles((d, name) -> name.endsWith(SingleChronicleQueue.SUFFIX));
        return files != null && Arrays.stream(files).anyMatch(f -> f.length() > 0);
    }

    private void position(final ExcerptTailer tailer, final long fromExcerpt)
    {
        if (fromExcerpt < 0)
        {
            tailer.toStart();
            return;
        }
        if (!tailer.moveToIndex(fromExcerpt))
        {
            throw new CorruptLogException(String.valueOf(log.queue().file()), -1, "the snapshot covers the queue up to"
                + " excerpt 0x" + Long.toHexString(fromExcerpt) + " but the queue does not have it: queue files are"
                + " missing; restore this replica from its peers");
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            final Bytes<?> bytes = dc.isPresent() ? dc.wire().bytes() : null;
            final long expectedBase = state.offsetIndex.isEmpty() ? -1
                : state.offsetIndex.baseOffset(state.offsetIndex.size() - 1);
            if (bytes == null || (expectedBase >= 0
                && bytes.readLong(bytes.readPosition() + BASE_OFFSET_OFFSET) != expectedBase))
            {
                throw new CorruptLogException(String.valueOf(tailer.currentFile()), -1, "the snapshot's last excerpt 0x"
                    + Long.toHexString(fromExcerpt) + " should hold the batch at offset " + expectedBase
                    + " but the queue holds something else there: the snapshot belongs to other queue files");
            }
        }
    }

    private boolean isControl(final Bytes<?> bytes)
    {
        view.wrap(bytes.addressForRead(bytes.readPosition(), ControlRecordDescriptor.LENGTH),
            ControlRecordDescriptor.LENGTH);
        return view.getShort(ControlRecordDescriptor.MAGIC_OFFSET) == ControlRecordDescriptor.MAGIC
            && view.getInt(ControlRecordDescriptor.CRC_OFFSET) == Checksums.crc32c(view, 0,
                ControlRecordDescriptor.CRC_OFFSET);
    }

    /** Marks the excerpts each truncation marker voids; false if one reaches back before the snapshot point. */
    private boolean applyMarkers(final long fromExcerpt)
    {
        for (int i = 0; i < excerpts.size(); i++)
        {
            if (kinds.getLong(i) != KIND_CONTROL)
            {
                continue;
            }
            final long voidFrom = voidFromIndexes.getLong(i);
            if (voidFrom <= fromExcerpt)
            {
                return false;
            }
            for (int j = i - 1; j >= 0 && excerpts.getLong(j) >= voidFrom; j--)
            {
                if (kinds.getLong(j) != KIND_CONTROL)
                {
                    kinds.setLong(j, KIND_VOID);
                }
            }
        }
        return true;
    }

    /** Pass 2: verify and apply every live batch in order. Returns what was dropped, or null. */
    private String replay(final ExcerptTailer tailer)
    {
        for (int i = 0; i < excerpts.size(); i++)
        {
            final long kind = kinds.getLong(i);
            if (kind == KIND_VOID)
            {
                continue;
            }
            if (kind == KIND_CONTROL)
            {
                applyControl(tailer, excerpts.getLong(i));
                continue;
            }
            final String problem = kind == KIND_BAD ? "header fails its checks"
                : replayBatch(tailer, excerpts.getLong(i));
            if (problem != null)
            {
                return dropTailOrFail(tailer, i, problem);
            }
        }
        return null;
    }

    private String replayBatch(final ExcerptTailer tailer, final long excerptIndex)
    {
        seek(tailer, excerptIndex);
        try (DocumentContext dc = tailer.readingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            final int length = (int)bytes.readRemaining();
            view.wrap(bytes.addressForRead(bytes.readPosition(), length), length);
            final String problem = BatchValidator.verifyStored(view, 0, length, log.config().maxBatchBytes());
            if (problem != null)
            {
                firstProblem = where(tailer, bytes.readPosition(), excerptIndex) + problem;
                return firstProblem;
            }
            batch.wrap(view, 0);
            final boolean first = state.offsetIndex.isEmpty() && state.nextOffset == state.firstOffset;
            if (!first && batch.baseOffset() != state.nextOffset)
            {
                return where(tailer, bytes.readPosition(), excerptIndex) + "batch has base offset " + batch.baseOffset()
                    + " but the previous batch ends before " + state.nextOffset
                        + ": batches are missing or out of order";
            }
            if (batch.raftIndex() != 0 && batch.raftIndex() <= state.lastRaftIndex)
            {
                return where(tailer, bytes.readPosition(), excerptIndex) + "batch has raft index " + batch.raftIndex()
                    + ", not above the previous " + state.lastRaftIndex;
            }
            if (first)
            {
                state.firstOffset = batch.baseOffset();
                state.nextOffset = batch.baseOffset();
            }
            log.apply(batch, excerptIndex, batch.raftIndex());
            batchesScanned++;
            bytesScanned += length;
            return null;
        }
    }

    private void applyControl(final ExcerptTailer tailer, final long excerptIndex)
    {
        seek(tailer, excerptIndex);
        try (DocumentContext dc = tailer.readingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            final long nextOffset = bytes.readLong(bytes.readPosition() + ControlRecordDescriptor.NEXT_OFFSET_OFFSET);
            final long lastRaftIndex = bytes.readLong(bytes.readPosition()
                + ControlRecordDescriptor.LAST_RAFT_INDEX_OFFSET);
            if (nextOffset != state.nextOffset && !state.offsetIndex.isEmpty())
            {
                throw new CorruptLogException(String.valueOf(tailer.currentFile()), bytes.readPosition(),
                    "truncation marker" + " says the next offset is " + nextOffset
                    + " but the surviving batches end before " + state.nextOffset);
            }
            if (state.offsetIndex.isEmpty())
            {
                state.firstOffset = nextOffset;
                state.nextOffset = nextOffset;
            }
            state.lastRaftIndex = lastRaftIndex;
            state.lastExcerptIndex = excerptIndex;
        }
    }

    private String dropTailOrFail(final ExcerptTailer tailer, final int badPosition, final String problem)
    {
        for (int j = badPosition + 1; j < excerpts.size(); j++)
        {
            if (kinds.getLong(j) == KIND_BATCH || kinds.getLong(j) == KIND_BAD)
            {
                throw new CorruptLogException(String.valueOf(tailer.currentFile()), -1,
                    "corrupt batch before the end of"
                    + " the log, at excerpt 0x" + Long.toHexString(excerpts.getLong(badPosition)) + " (after offset "
                    + state.lastOffset() + "): " + describe(tailer, badPosition, problem)
                    + ". Acknowledged data is damaged; restore this replica from its peers");
            }
        }
        final String dropped = "excerpt 0x" + Long.toHexString(excerpts.getLong(badPosition)) + " after offset "
            + state.lastOffset() + ": " + describe(tailer, badPosition, problem);
        final long lastReadable = excerpts.getLong(excerpts.size() - 1);
        final long marker = log.writeControl(excerpts.getLong(badPosition), state.nextOffset, state.lastRaftIndex);
        checkMarkerReadable(tailer, lastReadable, marker, dropped);
        return dropped;
    }

    /**
     * A tail cut through several excerpts can leave Chronicle's header pointing past a hole of
     * zeros: the appender then writes after the hole, where no tailer ever reaches (a read stops
     * at the first zero header), and every batch appended from then on would be acknowledged by
     * this replica's state machine and unreadable. The marker must be the next excerpt after the
     * last one the scan read, and readable there; otherwise the file is damaged past repair here.
     */
    private void checkMarkerReadable(final ExcerptTailer tailer, final long lastReadable, final long marker,
        final String dropped)
    {
        boolean readable = marker == lastReadable + 1 && tailer.moveToIndex(marker);
        if (readable)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                readable = dc.isPresent() && dc.index() == marker && dc.wire().bytes()
                    .readRemaining() == ControlRecordDescriptor.LENGTH;
            }
        }
        if (!readable)
        {
            throw new CorruptLogException(String.valueOf(log.queue().file()), -1, "the damaged tail (" + dropped
                + ") cannot be" + " cut off: the truncation marker went to excerpt 0x" + Long.toHexString(marker)
                + " but the last readable" + " excerpt is 0x" + Long.toHexString(lastReadable)
                + ", and what is appended there cannot be read back (the"
                + " queue's header points past a hole). Restore this replica from its peers");
        }
    }

    private String describe(final ExcerptTailer tailer, final int position, final String problem)
    {
        if (firstProblem != null && problem == firstProblem)
        {
            return problem;
        }
        seek(tailer, excerpts.getLong(position));
        try (DocumentContext dc = tailer.readingDocument())
        {
            final long at = dc.isPresent() ? dc.wire().bytes().readPosition() : -1;
            return where(tailer, at, excerpts.getLong(position)) + problem;
        }
    }

    private static String where(final ExcerptTailer tailer, final long position, final long excerptIndex)
    {
        return "in " + tailer.currentFile() + " at byte " + position + " (excerpt 0x" + Long.toHexString(excerptIndex)
            + "): ";
    }

    private static void seek(final ExcerptTailer tailer, final long excerptIndex)
    {
        if (tailer.index() != excerptIndex && !tailer.moveToIndex(excerptIndex))
        {
            throw new CorruptLogException(String.valueOf(tailer.currentFile()), -1,
                "excerpt 0x" + Long.toHexString(excerptIndex) + " seen in the first pass cannot be found again");
        }
    }
}
