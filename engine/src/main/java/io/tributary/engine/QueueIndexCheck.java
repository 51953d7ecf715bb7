package io.tributary.engine;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the positions a Chronicle queue file's header points at before Chronicle follows them.
 * <p>
 * Why: Chronicle trusts its header. With one flipped bit in {@code index2Index} (CorruptionTest found it)
 * a tailer's {@code moveToIndex} or the queue's {@code lastIndex()} maps chunk after chunk toward a bogus
 * position, or parses header bytes as an index, until the heap is gone: the node would die on bad input from
 * its own disk instead of reporting corruption. The header is read through Chronicle's own dump (its field
 * names, not byte offsets), and the index document it points at is checked in the file: a complete
 * meta-data document named {@code index2index}, inside the written part of the file.
 */
final class QueueIndexCheck
{
    private static final Pattern WRITE_POSITION = Pattern.compile("writePosition:\\s*\\[\\s*(-?\\d+)");
    private static final Pattern INDEX_TO_INDEX = Pattern.compile("index2Index:\\s*(-?\\d+)");
    /** Chronicle's document header word: 30 bits of length, then the meta-data and not-complete flags. */
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int META_DATA = 0x4000_0000;
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final byte[] INDEX_NAME = "index2index".getBytes(StandardCharsets.US_ASCII);
    private static final int NAME_SEARCH_BYTES = 16;

    private QueueIndexCheck()
    {
    }

    /**
     * @param file   the queue file
     * @param header Chronicle's dump of its header ({@code SingleChronicleQueueStore.dumpHeader()})
     * @return the header's write position: where the last excerpt Chronicle wrote begins (its header word), 0 when none
     * was
     * @throws CorruptLogException naming the file and the position when a pointer is impossible
     */
    static long check(final File file, final String header)
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "r"))
        {
            final long fileBytes = raf.length();
            final long headerEnd = 4L + (Integer.reverseBytes(raf.readInt()) & LENGTH_MASK);
            final long writePosition = value(file, header, WRITE_POSITION, "writePosition");
            // 0: no excerpt written yet. Chronicle leaves that in a file it recreates (a cut file renamed
            // to .discard, an empty one in its place); a zeroed position in a file with excerpts is damage.
            final boolean nothingWritten = writePosition == 0 && CutQueueFile.holdsNoExcerpt(file.toPath());
            if (!nothingWritten && (writePosition < headerEnd || writePosition > fileBytes))
            {
                throw new CorruptLogException(file.toString(), writePosition,
                    "the queue file's header says it was written" + " up to byte " + writePosition + ", outside its "
                    + fileBytes + " bytes (header ends at " + headerEnd
                    + "): the header is damaged. Restore this replica from its peers");
            }
            final long indexAt = value(file, header, INDEX_TO_INDEX, "index2Index");
            if (indexAt == 0)
            {
                return writePosition;   // no index written yet
            }
            if (indexAt < headerEnd || indexAt + 4 + INDEX_NAME.length > fileBytes)
            {
                throw damagedIndex(file, indexAt, "outside the file's " + fileBytes + " bytes past its header ("
                    + headerEnd + ")");
            }
            raf.seek(indexAt);
            final int word = Integer.reverseBytes(raf.readInt());
            final int length = word & LENGTH_MASK;
            if ((word & META_DATA) == 0 || (word & NOT_COMPLETE) != 0 || length < INDEX_NAME.length
                || indexAt + 4 + length > fileBytes)
            {
                throw damagedIndex(file, indexAt, "where no complete index document starts (header word 0x"
                    + Integer.toHexString(word) + ")");
            }
            final byte[] start = new byte[Math.min(NAME_SEARCH_BYTES, length)];
            raf.readFully(start);
            if (!contains(start, INDEX_NAME))
            {
                throw damagedIndex(file, indexAt, "where the document is not the index (" + length + " bytes)");
            }
            return writePosition;
        }
        catch (final IOException e)
        {
            throw new CorruptLogException("cannot read queue file " + file + " to check its header: " + e, e);
        }
    }

    private static CorruptLogException damagedIndex(final File file, final long indexAt, final String what)
    {
        return new CorruptLogException(file.toString(), indexAt, "the queue file's header points its index at byte "
            + indexAt + ", " + what + ": the header is damaged. Restore this replica from its peers");
    }

    private static long value(final File file, final String header, final Pattern pattern, final String name)
    {
        final Matcher matcher = pattern.matcher(header);
        if (!matcher.find())
        {
            throw new CorruptLogException(file.toString(), 0, "the queue file's header has no " + name
                + ": the header is damaged. Restore this replica from its peers");
        }
        return Long.parseLong(matcher.group(1));
    }

    private static boolean contains(final byte[] bytes, final byte[] part)
    {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++)
        {
            for (int j = 0; j < part.length; j++)
            {
                if (bytes[i + j] != part[j])
                {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
