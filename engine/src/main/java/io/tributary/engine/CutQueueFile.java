package io.tributary.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * Finds, before Chronicle opens a shard's queue, a newest queue file whose creation a crash cut short,
 * and deletes it.
 *
 * <p>Why: Chronicle creates a cycle's file at the first write into that cycle: it maps the file, writes
 * its header document (flagged not-complete until done), then the index documents, then the first
 * excerpt. A process killed in between leaves a file whose header is zero, not complete, or complete
 * with no excerpt after it. Chronicle then waits its timeout (10 s) for the dead writer each time it
 * acquires that file (about eight times while a log opens: 80 s, seen in CI after a kill -9) and
 * fails, and a complete header whose write position was never set reads as damage: either way the
 * replica was declared damaged and rebuilt from its peers. Such a file holds no excerpt, so nothing
 * in it was ever appended, let alone acknowledged: an append returns only after its excerpt is
 * complete. Deleting it loses nothing, and the next append creates the file again.
 *
 * <p>Only the newest file can be cut this way (older files were complete before a newer one was
 * created). A file in which any complete data excerpt is found is never touched: damage there is for
 * {@link LogRecovery} to report.
 */
final class CutQueueFile
{
    /** Chronicle's document header word: 30 bits of length, then the meta-data and not-complete flags. */
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int META_DATA = 0x4000_0000;
    private static final int NOT_COMPLETE = 0x8000_0000;
    /** How far to walk the meta-data documents (header, index2index, the first index) before giving up. */
    private static final long WALK_LIMIT_BYTES = 4L << 20;
    private static final int WALK_LIMIT_DOCUMENTS = 16;
    /** A queue file's header document is under 1 KiB; a header being written never reaches past this. */
    private static final long HEADER_ROOM_BYTES = 4L << 10;

    private CutQueueFile()
    {
    }

    /**
     * Deletes the newest queue file of {@code directory} if its creation was cut short.
     *
     * @return what was deleted and why, or null when nothing was.
     * @throws IOException when the folder or the file cannot be read, or the file cannot be deleted.
     */
    static String deleteIfCut(final Path directory) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            return null;
        }
        final Path newest;
        try (Stream<Path> listing = Files.list(directory))
        {
            // Queue file names sort as their cycles do.
            newest = listing.filter(f -> f.getFileName().toString().endsWith(SingleChronicleQueue.SUFFIX))
                .max(Path::compareTo).orElse(null);
        }
        if (newest == null)
        {
            return null;
        }
        final String why = whyCut(newest);
        if (why == null)
        {
            return null;
        }
        Files.delete(newest);
        return "deleted queue file " + newest.getFileName() + ": its creation was cut short by a crash (" + why
            + "), so it held no excerpt";
    }

    /** Why the file counts as cut (a complete data excerpt is nowhere in it), or null when it does not. */
    static String whyCut(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long fileBytes = channel.size();
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            final int header = readWord(channel, 0, word);
            if (header == 0 || header == NOT_COMPLETE)
            {
                // Chronicle writes nothing else before the header is complete: anything beyond it is damage.
                return zeroBetween(channel, HEADER_ROOM_BYTES, WALK_LIMIT_BYTES)
                    ? (header == 0 ? "its header was never written" : "its header is not complete") : null;
            }
            if ((header & NOT_COMPLETE) != 0)
            {
                return null;   // not a header being written: damage, for recovery to report
            }
            long position = 4L + (header & LENGTH_MASK);
            for (int documents = 0; documents < WALK_LIMIT_DOCUMENTS && position < WALK_LIMIT_BYTES; documents++)
            {
                position += -position & 3;   // Chronicle aligns every document header to 4 bytes
                if (position + 4 > fileBytes)
                {
                    return null;   // not a file Chronicle created: leave it to recovery
                }
                final int document = readWord(channel, position, word);
                if (document == 0)
                {
                    return "its header and " + documents + " index document(s) are complete, and nothing follows them";
                }
                if (document == NOT_COMPLETE)
                {
                    // A writer's mark on the document it was writing (Chronicle sets the flags only at the end).
                    return "the document at byte " + position + " after " + documents + " index document(s) is not complete";
                }
                if ((document & NOT_COMPLETE) != 0)
                {
                    return null;   // an end-of-file mark or damage: for recovery to judge
                }
                if ((document & META_DATA) == 0)
                {
                    return null;   // a complete excerpt: the file holds data
                }
                position += 4L + (document & LENGTH_MASK);
            }
            return null;
        }
    }

    private static boolean zeroBetween(final FileChannel channel, final long from, final long to) throws IOException
    {
        final ByteBuffer page = ByteBuffer.allocate(64 << 10);
        for (long position = from; position < to; position += page.capacity())
        {
            page.clear();
            final int read = channel.read(page, position);
            if (read < 0)
            {
                return true;
            }
            for (int i = 0; i < read; i++)
            {
                if (page.get(i) != 0)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static int readWord(final FileChannel channel, final long position, final ByteBuffer word) throws IOException
    {
        word.clear();
        while (word.hasRemaining())
        {
            if (channel.read(word, position + word.position()) < 0)
            {
                return 0;   // past the end: as the zeros of a sparse file
            }
        }
        return word.getInt(0);
    }
}
