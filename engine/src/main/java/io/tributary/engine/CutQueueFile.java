package io.tributary.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
 * its header document flagged not-complete, then the index documents, only then completes the header
 * ({@code createIndexThenUpdateHeader}), then writes the first excerpt. A process killed in between
 * leaves a file whose header is zero, or not complete (with or without index documents behind it), or
 * complete with no excerpt after it. Chronicle then waits its timeout (10 s) for the dead writer each
 * time it acquires that file (about eight times while a log opens: 80 s, seen in CI after a kill -9);
 * where it may write, it then renames the file to {@code .discard} and creates an empty one in its
 * place, whose write position of 0 read as damage once a later cycle closed it with an end-of-file
 * mark (CI: a 47 s open, then a replica declared damaged). Such a file holds no excerpt, so nothing
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
    /** Chronicle's end-of-file mark: meta-data, not complete, no length. */
    private static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    private static final byte[] INDEX_NAME = "index2index".getBytes(StandardCharsets.US_ASCII);
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
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            final int header = readWord(channel, 0, word);
            if (header == 0)
            {
                // Chronicle writes nothing before the header word: anything beyond the header's room is damage.
                return zeroBetween(channel, HEADER_ROOM_BYTES, WALK_LIMIT_BYTES) ? "its header was never written"
                    : null;
            }
            if (header == NOT_COMPLETE)
            {
                // The header's fields, then the index documents, are written before the header completes.
                final long indexAt = firstIndexDocument(channel);
                if (indexAt < 0)
                {
                    return zeroBetween(channel, HEADER_ROOM_BYTES, WALK_LIMIT_BYTES) ? "its header is not complete"
                        : null;
                }
                final String why = walkToFirstExcerpt(channel, indexAt, word);
                return why == null ? null : "its header is not complete; " + why;
            }
            if ((header & NOT_COMPLETE) != 0)
            {
                return null;   // not a header being written: damage, for recovery to report
            }
            final String why = walkToFirstExcerpt(channel, 4L + (header & LENGTH_MASK), word);
            return why == null ? null : "its header is complete; " + why;
        }
    }

    /**
     * Whether a queue file holds no complete data excerpt: what it holds (header, index documents, an
     * end-of-file mark) a crash or Chronicle's own recovery can leave without any append.
     */
    static boolean holdsNoExcerpt(final Path file) throws IOException
    {
        return whyCut(file) != null;
    }

    /**
     * Walks the meta-data documents from {@code position} to the first data excerpt.
     *
     * @return why no excerpt follows (a zero word, a document still being written, an end-of-file mark
     * with nothing after it), or null when a complete excerpt does, or the bytes are not what Chronicle
     * writes (for recovery to judge).
     */
    private static String walkToFirstExcerpt(final FileChannel channel, final long from, final ByteBuffer word)
        throws IOException
    {
        final long fileBytes = channel.size();
        long position = from;
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
                return documents + " index document(s) are complete and nothing follows them";
            }
            if (document == NOT_COMPLETE)
            {
                // A writer's mark on the document it was writing (Chronicle sets the flags only at the end).
                return "the document at byte " + position + ", after " + documents
                    + " index document(s), is not complete";
            }
            if (document == END_OF_DATA)
            {
                // Chronicle's end-of-file mark, or a meta-data document started and never finished: both
                // the same word. Nothing may follow either; anything that does is damage.
                return zeroBetween(channel, position + 4, Math.min(fileBytes, position + 4 + HEADER_ROOM_BYTES))
                    ? "an end-of-file mark follows " + documents + " index document(s), with no excerpt before it"
                        : null;
            }
            if ((document & NOT_COMPLETE) != 0)
            {
                return null;   // damage: for recovery to judge
            }
            if ((document & META_DATA) == 0)
            {
                return null;   // a complete excerpt: the file holds data
            }
            position += 4L + (document & LENGTH_MASK);
        }
        return null;
    }

    /**
     * Where the first index document ({@code index2index}) starts in a file whose header is not complete:
     * its name is found within the header's room and its header word is the aligned one before it; -1
     * when it is not there yet.
     */
    private static long firstIndexDocument(final FileChannel channel) throws IOException
    {
        final ByteBuffer room = ByteBuffer.allocate((int)HEADER_ROOM_BYTES);
        while (room.hasRemaining() && channel.read(room, room.position()) > 0)
        {
            // read on: a short read is not the end
        }
        final byte[] bytes = room.array();
        final int limit = room.position();
        for (int at = 8; at + INDEX_NAME.length <= limit; at++)
        {
            if (startsWith(bytes, at, INDEX_NAME))
            {
                // Binary wire: the document's header word, an event-name byte, a length byte, the name.
                return (at - 6) & ~3;
            }
        }
        return -1;
    }

    private static boolean startsWith(final byte[] bytes, final int at, final byte[] part)
    {
        for (int i = 0; i < part.length; i++)
        {
            if (bytes[at + i] != part[i])
            {
                return false;
            }
        }
        return true;
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

    private static int readWord(final FileChannel channel, final long position, final ByteBuffer word)
        throws IOException
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
