package io.tributary.engine;

import io.tributary.engine.internal.MonotonicWallClock;
import io.tributary.format.AppendStatus;

import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordFlyweight;

import static io.tributary.format.RecordBatchDescriptor.*;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.tributary.format.Checksums;
import io.tributary.engine.format.ControlRecordDescriptor;
import io.tributary.engine.internal.LogState;
import io.tributary.engine.internal.ProducerTable.ProducerState;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One shard's log: record batches stored verbatim, one Chronicle Queue excerpt each, with
 * dense offsets assigned on append, an offset index, a key index and a producer table.
 *
 * <p>Thread-safety: every public method takes the log's lock, so one writer and any number of
 * readers may share it; a read copies under the lock. Appends are meant for a single writer
 * (a Raft state machine), reads may come from any thread.
 *
 * <p>Durability: an append returns once the batch is in the mapped file, so it survives the
 * death of the process (kill -9), not the loss of the machine; the Raft log above this engine
 * is the write-ahead log that is fsynced. {@link #forceWritten()} (called by a {@link WriteBehind})
 * writes the stored batches back to the disk a little at a time.
 */
public final class ShardLog implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(ShardLog.class.getName());
    /** Written by {@link #close()}, consumed and deleted by the next open. */
    public static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown.snapshot";

    private final ShardLogConfig config;
    private final SingleChronicleQueue queue;
    private final Int2ObjectHashMap<File> cycleFiles = new Int2ObjectHashMap<>();
    private final ExcerptAppender appender;
    private ExcerptTailer tailer;
    final LogState state;

    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final UnsafeBuffer header = new UnsafeBuffer(new byte[HEADER_LENGTH]);
    private final UnsafeBuffer control = new UnsafeBuffer(new byte[ControlRecordDescriptor.LENGTH]);
    private final PointerBytesStore source = new PointerBytesStore();
    private RecoveryReport recoveryReport;
    /** What {@link CutQueueFile} deleted before the queue opened, or null. */
    private final String cutFile;
    private boolean closed;
    // Guarded by this: the last excerpt whose file forceWritten has forced (-1: none yet), and its raft index.
    private long forcedExcerptIndex = -1;
    // Guarded by this: batches below it are counted in a state installed from another replica (installBase); -1: none.
    private long installedNextOffset = -1;
    private long forcedRaftIndex;
    // Serializes forceWritten callers; never taken while holding this.
    private final Object forcing = new Object();
    // Guarded by forcing: the name of the newest queue file the last forceWritten forced (null: none yet).
    private String forcedNewestFile;

    private ShardLog(final ShardLogConfig config)
    {
        this.config = config.validate();
        this.state = new LogState(config.maxProducers());
        try
        {
            // Before Chronicle opens the files: it would wait for the dead writer of a cut file (CutQueueFile says
            // why).
            this.cutFile = CutQueueFile.deleteIfCut(config.directory());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot check the newest queue file of " + config.directory() + ": "
                + e.getMessage(), e);
        }
        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(config.directory())
            .rollCycle(config.rollCycle())
            .storeFileListener(new CycleFileListener());
        final MonotonicWallClock clock = new MonotonicWallClock(
            config.timeProvider() != null ? config.timeProvider() : SystemTimeProvider.INSTANCE);
        builder.timeProvider(clock);
        this.queue = builder.build();
        try
        {
            final int newestCycle = queue.lastCycle();
            if (newestCycle != Integer.MIN_VALUE)
            {
                // The wall clock may be behind the newest file (it jumped back, or the node ran ahead before a
                // restart).
                clock.holdAtLeast(queue.epoch() + (long)newestCycle * config.rollCycle().lengthInMillis());
            }
            this.appender = queue.createAppender();
            this.appender.singleThreadedCheckDisabled(true);
            this.tailer = newTailer();
        }
        catch (final Throwable t) // a damaged file: release the mapped queue before reporting it
        {
            queue.close();
            throw t;
        }
    }

    /** Opens (creating if needed) the log in {@code config.directory()}, recovering from the queue files alone. */
    public static ShardLog open(final ShardLogConfig config)
    {
        return open(config, null);
    }

    /**
     * Opens the log, restoring state from {@code snapshot} (may be null) and replaying only the
     * excerpts after it. Drops and reports a torn or corrupt tail; fails with
     * {@link CorruptLogException} on corruption before the tail.
     */
    public static ShardLog open(final ShardLogConfig config, final EngineSnapshot snapshot)
    {
        final ShardLog log;
        try
        {
            log = new ShardLog(config);
        }
        catch (final IllegalArgumentException e)
        {
            throw e;
        }
        // Chronicle also throws undeclared checked ones (StreamCorruptedException
        catch (final Exception | AssertionError e)
            // for a damaged header) and, under -ea, its own assertions on damaged files
        {
            throw new CorruptLogException("cannot open the queue files of shard log " + config.directory() + ": " + e
                + ". The files are damaged; restore this replica from its peers", e);
        }
        try
        {
            final EngineSnapshot start = snapshot != null ? snapshot : log.takeCleanShutdownSnapshot();
            log.recoveryReport = new LogRecovery(log).recover(start).alsoDropped(log.cutFile);
            log.deleteCleanShutdownSnapshot();
            if (log.recoveryReport.droppedSomething())
            {
                LOG.log(System.Logger.Level.WARNING, "shard log " + config.directory() + ": " + log.recoveryReport);
            }
            return log;
        }
        catch (final RuntimeException e)
        {
            log.close();
            throw e;
        }
    }

    private Path cleanShutdownFile()
    {
        return config.directory().resolve(CLEAN_SHUTDOWN_FILE);
    }

    /**
     * The snapshot written by the last clean close, if any: it makes open fast (nothing to
     * replay) and lets open notice queue files truncated since (its last excerpt must still be
     * there). A damaged one is ignored: the queue alone is enough to recover.
     */
    private EngineSnapshot takeCleanShutdownSnapshot()
    {
        final Path file = cleanShutdownFile();
        if (!Files.exists(file))
        {
            return null;
        }
        try
        {
            return EngineSnapshot.read(file);
        }
        catch (final IOException | CorruptSnapshotException e)
        {
            LOG.log(System.Logger.Level.WARNING, "ignoring clean-shutdown snapshot of " + config.directory() + ": "
                + e.getMessage() + "; recovering from the queue files alone");
            return null;
        }
    }

    private void deleteCleanShutdownSnapshot()
    {
        try
        {
            // Gone before the first append, so a later crash can never pair it with newer files.
            Files.deleteIfExists(cleanShutdownFile());
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot delete " + cleanShutdownFile() + ": " + e.getMessage(), e);
        }
    }

    ExcerptTailer newTailer()
    {
        final ExcerptTailer created = queue.createTailer();
        created.singleThreadedCheckDisabled(true);
        return created;
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    ShardLogConfig config()
    {
        return config;
    }

    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    public AppendResult append(final DirectBuffer buffer, final int offset, final int length, final long raftIndex,
        final AppendResult result)
    {
        return append(buffer, offset, length, raftIndex, null, result);
    }

    /**
     * Validates a batch, checks idempotence and the optional condition, assigns its base offset
     * and stores it with {@code raftIndex} (0 when not under Raft). Stores nothing unless the
     * result is {@link AppendStatus#APPENDED}. The source buffer is not modified.
     */
    public synchronized AppendResult append(final DirectBuffer buffer, final int offset, final int length,
        final long raftIndex, final AppendCondition condition, final AppendResult result)
    {
        ensureOpen();
        if (raftIndex < 0)
        {
            throw new IllegalArgumentException("raftIndex must be >= 0 (0: not under Raft), got " + raftIndex);
        }
        final String invalid = BatchValidator.validate(buffer, offset, length, config.maxBatchBytes(),
            config.maxKeyBytes());
        if (invalid != null)
        {
            return result.fail(AppendStatus.INVALID_BATCH, AppendResult.NONE, AppendResult.NONE, invalid);
        }
        if (raftIndex != 0 && raftIndex <= state.lastRaftIndex)
        {
            return result.fail(AppendStatus.ALREADY_APPLIED, state.lastRaftIndex + 1, raftIndex,
                "raft index " + raftIndex + " is not above the last stored one, " + state.lastRaftIndex);
        }
        batch.wrap(buffer, offset);
        if (!AppendChecks.checkProducer(state, batch, result)
            || !AppendChecks.checkCondition(state, condition, result)
            || !AppendChecks.checkKeyLimit(state, batch, config.maxKeys(), result))
        {
            return result;
        }
        final long baseOffset = state.nextOffset;
        final long excerptIndex = store(buffer, offset, length, baseOffset, raftIndex);
        apply(batch, excerptIndex, raftIndex);
        return result.set(AppendStatus.APPENDED, baseOffset,
            RecordBatchDescriptor.lastOffset(baseOffset, batch.recordCount()));
    }

    /**
     * Stores a batch exactly as another replica stored it (catching up from a leader): its base
     * offset must be this log's next offset and its raft index above the last one; both
     * checksums must hold. Updates every index like an append. Returns false, storing nothing,
     * when the batch's raft index is not above this log's (already held).
     *
     * @throws CorruptLogException when the batch fails its checks or leaves a gap in the offsets.
     */
    public synchronized boolean appendStored(final DirectBuffer buffer, final int offset, final int length)
    {
        ensureOpen();
        final String problem = BatchValidator.verifyStored(buffer, offset, length, config.maxBatchBytes());
        if (problem != null)
        {
            throw new CorruptLogException("replicated batch", -1, "a batch received from another replica is damaged: "
                + problem);
        }
        batch.wrap(buffer, offset);
        if (batch.raftIndex() <= state.lastRaftIndex)
        {
            return false;
        }
        if (batch.baseOffset() != state.nextOffset)
        {
            throw new CorruptLogException("replicated batch", -1,
                "a batch received from another replica starts at offset "
                + batch.baseOffset() + " but this log's next offset is " + state.nextOffset);
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                writeFrom(dc.wire().bytes(), buffer, offset, length);
            }
            catch (final RuntimeException | Error e)
            {
                dc.rollbackOnClose();
                throw e;
            }
        }
        apply(batch, appender.lastIndexAppended(), batch.raftIndex());
        return true;
    }

    private long store(final DirectBuffer buffer, final int offset, final int length, final long baseOffset,
        final long raftIndex)
    {
        header.putBytes(0, buffer, offset, CRC_OFFSET);
        header.putLong(BASE_OFFSET_OFFSET, baseOffset);
        header.putLong(RAFT_INDEX_OFFSET, raftIndex);
        header.putInt(HEADER_CRC_OFFSET, Checksums.crc32c(header, 0, HEADER_CRC_COVERED_LENGTH));
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                final Bytes<?> bytes = dc.wire().bytes();
                bytes.write(header.byteArray(), 0, CRC_OFFSET);
                writeFrom(bytes, buffer, offset + CRC_OFFSET, length - CRC_OFFSET);
            }
            catch (final RuntimeException | Error e)
            {
                dc.rollbackOnClose();
                throw e;
            }
        }
        return appender.lastIndexAppended();
    }

    private void writeFrom(final Bytes<?> bytes, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            final int arrayOffset = (int)(buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET);
            bytes.write(array, arrayOffset + offset, length);
        }
        else
        {
            source.set(buffer.addressOffset() + offset, length);
            bytes.write(source, 0L, (long)length);
        }
    }

    /** Updates the in-memory state for a stored batch; used by append and recovery alike. */
    void apply(final RecordBatchFlyweight stored, final long excerptIndex, final long raftIndex)
    {
        final long baseOffset = state.nextOffset;
        if (state.offsetIndex.isEmpty() && state.nextOffset == state.firstOffset)
        {
            state.firstOffset = baseOffset;
        }
        state.offsetIndex.add(baseOffset, excerptIndex, stored.batchLength());
        if (baseOffset < installedNextOffset)
        {
            // Installed from another replica's state, which already counts this batch's keys and producer.
            state.nextOffset = baseOffset + stored.recordCount();
            state.lastRaftIndex = raftIndex;
            state.lastExcerptIndex = excerptIndex;
            return;
        }
        stored.rewind();
        while (stored.nextRecord())
        {
            final RecordFlyweight record = stored.record();
            if (record.keyLength() >= 0)
            {
                state.keyIndex.put(stored.buffer(), record.keyOffset(), record.keyLength(), baseOffset
                    + record.offsetDelta());
            }
        }
        if (stored.producerId() != NO_PRODUCER_ID)
        {
            state.producers.onAppended(stored.producerId(), stored.producerEpoch(), stored.baseSequence(),
                stored.recordCount(), baseOffset);
        }
        state.nextOffset = baseOffset + stored.recordCount();
        if (raftIndex != 0)
        {
            state.lastRaftIndex = raftIndex;
        }
        state.lastExcerptIndex = excerptIndex;
    }

    /**
     * Copies whole batches, starting with the one that contains {@code fromOffset}, into
     * {@code dst} at {@code dstOffset}: as many as fit in {@code maxBytes}, and always the first
     * one if it fits the buffer, so a reader makes progress. Each batch is copied once from the
     * mapped file and verified (checksums, offsets) in the destination before it counts.
     *
     * @return bytes copied; 0 when {@code fromOffset} is the next offset to be written.
     * @throws OffsetOutOfRangeException below the first retained offset or past the next one.
     * @throws CorruptLogException when a stored batch fails its checks; nothing corrupt is returned.
     */
    public synchronized int read(final long fromOffset, final MutableDirectBuffer dst, final int dstOffset,
        final int maxBytes)
    {
        ensureOpen();
        if (fromOffset == state.nextOffset)
        {
            return 0;
        }
        final int first = state.offsetIndex.find(fromOffset, state.nextOffset);
        if (first < 0)
        {
            throw new OffsetOutOfRangeException(fromOffset, state.firstOffset, state.nextOffset);
        }
        int written = 0;
        for (int i = first; i < state.offsetIndex.size(); i++)
        {
            final int length = state.offsetIndex.batchLength(i);
            if (written > 0 && written + length > maxBytes)
            {
                break;
            }
            if (dstOffset + written + length > dst.capacity())
            {
                if (written == 0)
                {
                    throw new IllegalArgumentException("the batch at offset " + state.offsetIndex.baseOffset(i) + " is "
                        + length + " bytes but the read buffer has " + (dst.capacity() - dstOffset)
                        + " bytes free; use a buffer of at least maxBatchBytes (" + config.maxBatchBytes() + ")");
                }
                break;
            }
            copyBatch(i, dst, dstOffset + written);
            written += length;
        }
        return written;
    }

    /**
     * The bytes {@link #read} would copy now for the same {@code fromOffset} and {@code maxBytes}
     * into a large enough buffer (0 when {@code fromOffset} is the next offset to be written), so
     * a caller can size its buffer to the data rather than to the largest possible read. Batches
     * appended in between only make {@link #read} stop at the buffer's end.
     *
     * @throws OffsetOutOfRangeException below the first retained offset or past the next one.
     */
    public synchronized int readLength(final long fromOffset, final int maxBytes)
    {
        ensureOpen();
        if (fromOffset == state.nextOffset)
        {
            return 0;
        }
        final int first = state.offsetIndex.find(fromOffset, state.nextOffset);
        if (first < 0)
        {
            throw new OffsetOutOfRangeException(fromOffset, state.firstOffset, state.nextOffset);
        }
        int length = 0;
        for (int i = first; i < state.offsetIndex.size(); i++)
        {
            final int batchLength = state.offsetIndex.batchLength(i);
            if (length > 0 && length + batchLength > maxBytes)
            {
                break;
            }
            length += batchLength;
        }
        return length;
    }

    private void copyBatch(final int position, final MutableDirectBuffer dst, final int at)
    {
        try
        {
            copyVerifiedBatch(position, dst, at);
        }
        catch (final CorruptLogException e)
        {
            resetTailer();
            throw e;
        }
        catch (final RuntimeException e)
        {
            // Damaged Chronicle headers or indexes surface as Chronicle's own exceptions.
            resetTailer();
            throw new CorruptLogException("cannot read the batch at offset " + state.offsetIndex.baseOffset(position)
                + " from " + config.directory() + ": " + e, e);
        }
    }

    private void resetTailer()
    {
        tailer.close();
        tailer = newTailer();
    }

    private void copyVerifiedBatch(final int position, final MutableDirectBuffer dst, final int at)
    {
        final long excerptIndex = state.offsetIndex.excerptIndex(position);
        final long expectedBase = state.offsetIndex.baseOffset(position);
        final int expectedLength = state.offsetIndex.batchLength(position);
        if (tailer.index() != excerptIndex && !tailer.moveToIndex(excerptIndex))
        {
            throw new CorruptLogException(String.valueOf(tailer.currentFile()), -1, "excerpt 0x"
                + Long.toHexString(excerptIndex) + " holding offset " + expectedBase + " is missing from the queue");
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            final Bytes<?> bytes = dc.wire() == null ? null : dc.wire().bytes();
            final long position0 = bytes == null ? -1 : bytes.readPosition();
            if (!dc.isPresent() || bytes.readRemaining() != expectedLength)
            {
                throw corrupt(position0, "excerpt 0x" + Long.toHexString(excerptIndex) + " for offset " + expectedBase
                    + " is " + (dc.isPresent() ? bytes.readRemaining() + " bytes" : "absent")
                    + ", expected a batch of " + expectedLength + " bytes");
            }
            copyOut(bytes, position0, dst, at, expectedLength);
            final String problem = BatchValidator.verifyStored(dst, at, expectedLength, config.maxBatchBytes());
            final long base = dst.getLong(at + BASE_OFFSET_OFFSET);
            if (problem != null || base != expectedBase)
            {
                throw corrupt(position0, "batch for offset " + expectedBase + " in excerpt 0x"
                    + Long.toHexString(excerptIndex)
                    + " is corrupt: " + (problem != null ? problem : "it has base offset " + base));
            }
        }
    }

    private static void copyOut(final Bytes<?> bytes, final long position, final MutableDirectBuffer dst, final int at,
        final int length)
    {
        final byte[] array = dst.byteArray();
        if (array != null)
        {
            bytes.readPosition(position);
            bytes.read(array, (int)(dst.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + at, length);
        }
        else
        {
            bytes.nativeRead(position, dst.addressOffset() + at, length);
        }
    }

    CorruptLogException corrupt(final long position, final String message)
    {
        return new CorruptLogException(String.valueOf(tailer.currentFile()), position, message);
    }

    /** Last offset of {@code key} in this shard, or -1 when the shard has no record with it. */
    public synchronized long lastOffsetOf(final DirectBuffer key, final int offset, final int length)
    {
        ensureOpen();
        return state.keyIndex.get(key, offset, length);
    }

    public long lastOffsetOf(final byte[] key)
    {
        return lastOffsetOf(new UnsafeBuffer(key), 0, key.length);
    }

    /**
     * Reads the latest record of {@code key}: copies its batch into {@code dst} at 0 and leaves
     * {@code view} positioned on the record. Returns false when the shard has no record with
     * that key.
     *
     * @throws OffsetOutOfRangeException when retention has deleted the key's latest record.
     */
    public synchronized boolean readLatest(final DirectBuffer key, final int offset, final int length,
        final MutableDirectBuffer dst, final RecordBatchFlyweight view)
    {
        final long recordOffset = lastOffsetOf(key, offset, length);
        if (recordOffset < 0)
        {
            return false;
        }
        final int position = state.offsetIndex.find(recordOffset, state.nextOffset);
        if (position < 0)
        {
            throw new OffsetOutOfRangeException(recordOffset, state.firstOffset, state.nextOffset);
        }
        copyBatch(position, dst, 0);
        view.wrap(dst, 0);
        while (view.nextRecord())
        {
            if (view.record().offset() == recordOffset)
            {
                return true;
            }
        }
        throw new IllegalStateException("key index points at offset " + recordOffset + " which its batch ["
            + view.baseOffset() + ", " + view.lastOffset() + "] does not hold");
    }

    /**
     * Voids every batch after {@code offset} (for recovery: the Raft log decides what stays).
     * {@code offset} must end a batch, or be firstOffset - 1 to void everything retained. Writes
     * one control excerpt, then rebuilds the in-memory state by rescanning the queue.
     */
    public synchronized void truncateAfter(final long offset)
    {
        ensureOpen();
        if (offset >= state.lastOffset())
        {
            if (offset > state.lastOffset())
            {
                throw new IllegalArgumentException("cannot truncate after offset " + offset + ": the last offset is "
                    + state.lastOffset());
            }
            return;
        }
        if (state.offsetIndex.isEmpty())
        {
            throw new IllegalArgumentException("cannot truncate after offset " + offset + ": the shard retains no batch"
                + " (next offset " + state.nextOffset + ")");
        }
        final int keep = offset < state.firstOffset ? 0 : state.offsetIndex.find(offset, state.nextOffset) + 1;
        if (offset < state.firstOffset - 1 || (keep > 0 && nextBase(keep - 1) - 1 != offset))
        {
            throw new IllegalArgumentException("cannot truncate after offset " + offset + ": it does not end a batch"
                + " (first retained offset " + state.firstOffset + "); truncate at a batch boundary");
        }
        final long voidFrom = state.offsetIndex.excerptIndex(keep);
        // Entries from the first voided batch's raft index on must be applied again.
        final long lastRaftIndex = keep > 0 ? raftIndexOfBatch(keep - 1) : Math.max(0, raftIndexOfBatch(0) - 1);
        writeControl(voidFrom, offset + 1, lastRaftIndex);
        state.clear();
        recoveryReport = new LogRecovery(this).recover(null);
    }

    private long nextBase(final int position)
    {
        return position + 1 < state.offsetIndex.size() ? state.offsetIndex.baseOffset(position + 1) : state.nextOffset;
    }

    private long raftIndexOfBatch(final int position)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[state.offsetIndex.batchLength(position)]);
        copyBatch(position, copy, 0);
        return copy.getLong(RAFT_INDEX_OFFSET);
    }

    /** Appends a truncation marker; returns the excerpt index Chronicle gave it. */
    long writeControl(final long voidFromExcerptIndex, final long nextOffset, final long lastRaftIndex)
    {
        control.putInt(ControlRecordDescriptor.LENGTH_OFFSET, ControlRecordDescriptor.LENGTH);
        control.putShort(ControlRecordDescriptor.MAGIC_OFFSET, ControlRecordDescriptor.MAGIC);
        control.putByte(ControlRecordDescriptor.VERSION_OFFSET, ControlRecordDescriptor.CURRENT_VERSION);
        control.putByte(ControlRecordDescriptor.TYPE_OFFSET, ControlRecordDescriptor.TYPE_TRUNCATE);
        control.putLong(ControlRecordDescriptor.VOID_FROM_EXCERPT_INDEX_OFFSET, voidFromExcerptIndex);
        control.putLong(ControlRecordDescriptor.NEXT_OFFSET_OFFSET, nextOffset);
        control.putLong(ControlRecordDescriptor.LAST_RAFT_INDEX_OFFSET, lastRaftIndex);
        control.putInt(ControlRecordDescriptor.RESERVED_OFFSET, 0);
        control.putInt(ControlRecordDescriptor.CRC_OFFSET,
            Checksums.crc32c(control, 0, ControlRecordDescriptor.CRC_OFFSET));
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(control.byteArray(), 0, ControlRecordDescriptor.LENGTH);
        }
        return appender.lastIndexAppended();
    }

    /**
     * Deletes whole rolled files, oldest first, while the shard is over its byte limit or a
     * file's newest record is older than the age limit, and never a file holding an offset at
     * or above {@code keepFromOffset} (the snapshot point) or the file being written.
     */
    public RetentionResult enforceRetention(final long nowMs, final long keepFromOffset)
    {
        return enforceRetention(nowMs, keepFromOffset, config.retentionBytes(), config.retentionMs());
    }

    /** As {@link #enforceRetention(long, long)} with limits given by the caller (a stream's, set at run time). */
    public synchronized RetentionResult enforceRetention(final long nowMs, final long keepFromOffset,
        final long retentionBytes,
        final long retentionMs)
    {
        ensureOpen();
        final List<String> deleted = new ArrayList<>();
        long deletedBytes = 0;
        final int currentCycle = queue.cycle();
        while (state.offsetIndex.size() > 0)
        {
            final int cycle = queue.rollCycle().toCycle(state.offsetIndex.excerptIndex(0));
            final int batchesInCycle = countBatchesInCycle(cycle);
            final boolean lastFile = batchesInCycle == state.offsetIndex.size();
            final long cycleEndOffset = lastFile ? state.nextOffset : state.offsetIndex.baseOffset(batchesInCycle);
            if (cycle >= currentCycle || lastFile || cycleEndOffset > keepFromOffset
                || !retentionWants(nowMs, batchesInCycle, retentionBytes, retentionMs))
            {
                break;
            }
            deletedBytes += deleteCycle(cycle, batchesInCycle, cycleEndOffset, deleted);
        }
        return new RetentionResult(deleted, deletedBytes, state.firstOffset);
    }

    private int countBatchesInCycle(final int cycle)
    {
        int count = 0;
        while (count < state.offsetIndex.size() && queue.rollCycle()
            .toCycle(state.offsetIndex.excerptIndex(count)) == cycle)
        {
            count++;
        }
        return count;
    }

    private boolean retentionWants(final long nowMs, final int batchesInCycle, final long retentionBytes,
        final long retentionMs)
    {
        if (retentionBytes >= 0 && state.offsetIndex.retainedBytes() > retentionBytes)
        {
            return true;
        }
        if (retentionMs < 0)
        {
            return false;
        }
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[state.offsetIndex.batchLength(batchesInCycle - 1)]);
        copyBatch(batchesInCycle - 1, copy, 0);
        return copy.getLong(LAST_TIMESTAMP_OFFSET) < nowMs - retentionMs;
    }

    private long deleteCycle(final int cycle, final int batches, final long newFirstOffset, final List<String> deleted)
    {
        final File file;
        synchronized (cycleFiles)
        {
            file = cycleFiles.get(cycle);
        }
        if (file == null)
        {
            throw new IllegalStateException("no file is known for cycle " + cycle + " of " + config.directory());
        }
        long bytes = 0;
        for (int i = 0; i < batches; i++)
        {
            bytes += state.offsetIndex.batchLength(i);
        }
        tailer.close();
        try
        {
            Files.deleteIfExists(file.toPath());
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("retention could not delete " + file + ": " + e.getMessage(), e);
        }
        finally
        {
            queue.refreshDirectoryListing();
            tailer = newTailer();
        }
        synchronized (cycleFiles)
        {
            cycleFiles.remove(cycle);
        }
        state.offsetIndex.dropFirst(batches);
        state.firstOffset = newFirstOffset;
        deleted.add(file.getPath());
        return bytes;
    }

    /** Captures the engine state under the lock (memory copies only); write it with {@link EngineSnapshot#write}. */
    public synchronized EngineSnapshot snapshot()
    {
        ensureOpen();
        requireInstalled();
        return encodeSnapshot();
    }

    /**
     * The state another replica needs to continue this log from its first retained offset
     * ({@link #installBase}): offsets, producers, keys and key horizon, without the offset index
     * (which names this replica's own files).
     */
    public synchronized EngineSnapshot baseState()
    {
        ensureOpen();
        requireInstalled();
        return encodeSnapshot(false);
    }

    /**
     * Makes this empty log continue another replica's, whose retention has deleted the start of
     * the shard: takes {@code base}'s producers, keys and key horizon (as of its next offset N),
     * and starts at its first retained offset F. The batches [F, N) must follow, in order, through
     * {@link #appendStored}; they are stored without counting them again. The log is complete,
     * and may be snapshotted, once its next offset reaches N ({@link #installing()} is false).
     */
    public synchronized void installBase(final EngineSnapshot base)
    {
        ensureOpen();
        if (!state.offsetIndex.isEmpty() || state.nextOffset != 0 || state.lastRaftIndex != 0)
        {
            throw new IllegalStateException("installBase needs an empty log; " + config.directory() + " holds offsets "
                + state.firstOffset + ".." + state.lastOffset() + " (raft index " + state.lastRaftIndex + ")");
        }
        final byte[] bytes = base.toBytes();
        state.decode(new UnsafeBuffer(bytes), bytes.length);
        installedNextOffset = state.nextOffset;
        state.offsetIndex.clear();
        state.nextOffset = state.firstOffset;
        state.lastRaftIndex = 0;
        state.lastExcerptIndex = -1;
    }

    /** True while an installed base still waits for the batches it counts ({@link #installBase}). */
    public synchronized boolean installing()
    {
        return state.nextOffset < installedNextOffset;
    }

    private void requireInstalled()
    {
        if (state.nextOffset < installedNextOffset)
        {
            throw new IllegalStateException(config.directory()
                + " is still installing another replica's state: it holds"
                + " offsets up to " + state.nextOffset + " of the " + installedNextOffset + " that state counts");
        }
    }

    private EngineSnapshot encodeSnapshot()
    {
        return encodeSnapshot(true);
    }

    /** The state as snapshot bytes; without the offset index for another replica ({@link #baseState}). */
    private EngineSnapshot encodeSnapshot(final boolean withBatches)
    {
        final long length = state.encodedLength(withBatches);
        if (length > Integer.MAX_VALUE - 16)
        {
            throw new IllegalStateException("engine state of " + length + " bytes is too large for one snapshot; "
                + "lower maxKeys or retain fewer batches");
        }
        final byte[] bytes = new byte[(int)length];
        final int written = state.encode(new UnsafeBuffer(bytes), withBatches);
        if (written != length)
        {
            throw new IllegalStateException("snapshot encoding wrote " + written + " bytes, expected " + length);
        }
        return new EngineSnapshot(bytes);
    }

    public synchronized long lastOffset()
    {
        return state.lastOffset();
    }

    public synchronized long nextOffset()
    {
        return state.nextOffset;
    }

    /** First offset still retained; equals {@link #nextOffset()} when the shard holds no batch. */
    public synchronized long firstOffset()
    {
        return state.offsetIndex.isEmpty() ? state.nextOffset : state.firstOffset;
    }

    public synchronized long lastRaftIndex()
    {
        return state.lastRaftIndex;
    }

    public synchronized int batchCount()
    {
        return state.offsetIndex.size();
    }

    public synchronized long retainedBytes()
    {
        return state.offsetIndex.retainedBytes();
    }

    public synchronized int keyCount()
    {
        return state.keyIndex.size();
    }

    /** Keys whose latest record lies below this offset are no longer indexed; 0 before any was dropped. */
    public synchronized long keyHorizon()
    {
        return state.keyHorizon;
    }

    /**
     * Drops from the key index every key whose latest record lies below {@code horizon}, and
     * returns how many. Such a key then has no record as far as {@link #lastOffsetOf} and append
     * conditions are concerned (expected last offset -1), exactly as if it had never been written.
     * Retention deletes files on each replica at its own pace, so the caller must apply the same
     * horizon at the same point of the shard's history on every replica (a replicated command):
     * the key index decides conditional appends and the key limit, which must not diverge.
     * A horizon at or below the current one changes nothing; one past the next offset is capped
     * there (every key is then dropped).
     */
    public synchronized int dropKeysBefore(final long horizon)
    {
        ensureOpen();
        final long capped = Math.min(horizon, state.nextOffset);
        if (capped <= state.keyHorizon)
        {
            return 0;
        }
        state.keyHorizon = capped;
        return state.keyIndex.removeBelow(capped);
    }

    /** Producer state for tests and tools: {epoch, lastSequence}, or null when unknown. */
    public synchronized int[] producerState(final long producerId)
    {
        final ProducerState producer = state.producers.get(producerId);
        return producer == null ? null : new int[] {producer.epoch(), producer.lastSequence()};
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("shard log " + config.directory() + " is closed");
        }
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (recoveryReport != null)
        {
            try
            {
                encodeSnapshot().write(cleanShutdownFile());
            }
            catch (final IOException | RuntimeException e)
            {
                LOG.log(System.Logger.Level.WARNING, "could not write the clean-shutdown snapshot of "
                    + config.directory() + " (" + e.getMessage() + "); the next open recovers from the queue files");
            }
        }
        tailer.close();
        appender.close();
        queue.close();
    }

    @Override
    public String toString()
    {
        return "shard log " + config.directory();
    }

    /** Forces one queue file's data to the disk. */
    @FunctionalInterface
    public interface FileForcer
    {
        void force(Path file) throws IOException;
    }

    /** The forcer of {@link #forceWritten()}: {@code fdatasync} through a read-only channel of the file. */
    public static final FileForcer FDATASYNC = file ->
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel.force(false);
        }
    };

    /**
     * Writes back and waits for ({@code fdatasync}) every queue file that holds batches stored since the
     * last call, without holding the log's lock during the I/O: appends and reads go on meanwhile.
     *
     * <p>Why: the engine writes through a mapped file, so the kernel otherwise keeps its pages dirty until
     * they expire ({@code vm.dirty_expire_centisecs}, 30 s by default) and then writes all of them at once.
     * On ext4 (ordered data) that burst of block allocations lands in the journal commit every Raft log
     * fsync waits for: 300 ms to seconds without an acknowledgement (the demo's stall 32 s after its load
     * started). Called every fraction of a second, each call writes back what a fraction of a second
     * stored.
     *
     * @return the raft index of the last batch covered: everything stored up to it is on the disk.
     * @throws IOException when a file could not be forced (nothing is counted as forced then).
     */
    public long forceWritten() throws IOException
    {
        return forceWritten(FDATASYNC);
    }

    /** As {@link #forceWritten()}, with the given way of forcing one file (tests record the calls). */
    public long forceWritten(final FileForcer forcer) throws IOException
    {
        synchronized (forcing)
        {
            final long lastExcerpt;
            final long lastRaftIndex;
            synchronized (this)
            {
                if (closed || state.lastExcerptIndex < 0 || state.lastExcerptIndex == forcedExcerptIndex)
                {
                    return forcedRaftIndex;
                }
                lastExcerpt = state.lastExcerptIndex;
                lastRaftIndex = state.lastRaftIndex;
            }
            // Everything captured above is in files that exist now. Queue file names sort as their cycles do, so
            // the files to force are the newest one forced last time (it may have grown) and every later one; the
            // first call forces every file, as an earlier process may have left pages dirty.
            final List<Path> files;
            try (Stream<Path> listing = Files.list(config.directory()))
            {
                files = listing.filter(f -> f.getFileName().toString().endsWith(SingleChronicleQueue.SUFFIX))
                    .filter(f -> forcedNewestFile == null || f.getFileName().toString()
                        .compareTo(forcedNewestFile) >= 0)
                    .sorted().toList();
            }
            for (final Path file : files)
            {
                try
                {
                    forcer.force(file);
                }
                catch (final NoSuchFileException e)
                {
                    // Retention deleted it meanwhile: nothing of it is left to keep.
                }
            }
            if (!files.isEmpty())
            {
                forcedNewestFile = files.get(files.size() - 1).getFileName().toString();
            }
            synchronized (this)
            {
                forcedExcerptIndex = Math.max(forcedExcerptIndex, lastExcerpt);
                forcedRaftIndex = Math.max(forcedRaftIndex, lastRaftIndex);
            }
            return lastRaftIndex;
        }
    }

    /** Remembers which file holds which cycle, for retention. */
    private final class CycleFileListener implements StoreFileListener
    {
        @Override
        public void onAcquired(final int cycle, final File file)
        {
            synchronized (cycleFiles)
            {
                cycleFiles.put(cycle, file);
            }
        }

        @Override
        public void onReleased(final int cycle, final File file)
        {
            // The file stays part of the log until retention deletes it.
        }
    }
}
