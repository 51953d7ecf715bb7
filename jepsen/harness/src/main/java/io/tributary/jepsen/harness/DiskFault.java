package io.tributary.jepsen.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Disk faults on a stopped node: truncates, or flips bits in, one of its Chronicle queue files or
 * Raft log segments. Deterministic given the {@link Random} (candidates are visited in path order).
 *
 * <p>Layout of a node's data directory (NodeConfig {@code data.dir}):
 * <pre>
 *   raft/&lt;group uuid&gt;/current/log_inprogress_&lt;first index&gt;   Ratis segment being written
 *   raft/&lt;group uuid&gt;/current/log_&lt;first&gt;-&lt;last&gt;             closed Ratis segment
 *   raft/&lt;group uuid&gt;/current/raft-meta, sm/...                 term and vote, snapshots (not targeted)
 *   shards/&lt;group uuid&gt;/&lt;cycle&gt;.cq4                             Chronicle queue file of a shard
 *   shards/&lt;group uuid&gt;/metadata.cq4t                           Chronicle's table store (not targeted)
 *   quarantine/&lt;group uuid&gt;-&lt;millis&gt;/...                       a damaged copy the node set aside (not
 * targeted)
 * </pre>
 * Both kinds of file are preallocated: Chronicle maps sparse files far larger than what is
 * written, and Ratis pads segments with zeros. A fault aimed at the file's length would land in
 * padding and change nothing, so offsets are drawn within the <em>used</em> length: up to the last
 * non-zero byte.
 *
 * <p>Only for stopped nodes: a running node maps these files and would not see a consistent fault.
 * Not thread-safe (the {@link Random} is the caller's).
 */
public final class DiskFault
{
    /** What was done to the file. */
    public enum Kind
    {
        /** Cut to a random length within the used bytes. */
        TRUNCATE,
        /** Cut the last 1..{@value #TAIL_CUT_BYTES_MAX} used bytes: a torn final write. */
        CUT_TAIL,
        /** Flip 1..{@value #FLIP_BITS_MAX} random bits in the tail half of the used bytes, where recent data is. */
        FLIP_BITS
    }

    public static final int TAIL_CUT_BYTES_MAX = 512;
    public static final int FLIP_BITS_MAX = 8;
    private static final Pattern RAFT_SEGMENT = Pattern.compile("log_inprogress_\\d+|log_\\d+-\\d+");
    private static final int SCAN_CHUNK_BYTES = 1 << 20;

    private DiskFault()
    {
    }

    /** A Chronicle queue file ({@code *.cq4}; not the {@code .cq4t} table store). */
    public static boolean isChronicleFile(final Path file)
    {
        return file.getFileName().toString().endsWith(".cq4");
    }

    /** A Ratis log segment, open ({@code log_inprogress_N}) or closed ({@code log_N-M}). */
    public static boolean isRaftSegment(final Path file)
    {
        return RAFT_SEGMENT.matcher(file.getFileName().toString()).matches();
    }

    /** Every Chronicle queue file and Raft log segment under {@code dataDir} holding data, in path order. */
    public static List<Path> candidates(final Path dataDir)
    {
        final TreeSet<Path> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(dataDir))
        {
            // Not the copies a node set aside (quarantine/): they are no longer read, so damage there would test
            // nothing.
            walk.filter(Files::isRegularFile).filter(f -> isChronicleFile(f) || isRaftSegment(f))
                .filter(f -> !dataDir.relativize(f).startsWith("quarantine")).forEach(files::add);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot list the data directory " + dataDir + " (is the node stopped?)", e);
        }
        final List<Path> withData = new ArrayList<>();
        for (final Path file : files)
        {
            if (usedLength(file) > 0)
            {
                withData.add(file);
            }
        }
        return withData;
    }

    /**
     * Damages one file among {@link #candidates} with a random kind of fault.
     *
     * @return one line: the file, the kind, and the offsets or lengths involved.
     * @throws IllegalArgumentException if there is no candidate (no data written yet).
     */
    public static String inject(final Path dataDir, final Random random)
    {
        return inject(candidates(dataDir), random);
    }

    /** Damages one of {@code files} (e.g. only one shard's, or only Raft segments) with a random kind of fault. */
    public static String inject(final List<Path> files, final Random random)
    {
        if (files.isEmpty())
        {
            throw new IllegalArgumentException("no Chronicle queue file or Raft log segment with data to damage");
        }
        final Path file = files.get(random.nextInt(files.size()));
        final Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        return apply(file, kind, random);
    }

    /** Applies {@code kind} to {@code file}; returns the one-line description. */
    public static String apply(final Path file, final Kind kind, final Random random)
    {
        return switch (kind)
        {
            case TRUNCATE -> truncate(file, random);
            case CUT_TAIL -> cutTail(file, random);
            case FLIP_BITS -> flipBits(file, 1 + random.nextInt(FLIP_BITS_MAX), random);
        };
    }

    /** Truncates the file to a random length in [0, used length). */
    public static String truncate(final Path file, final Random random)
    {
        final long used = requireUsed(file);
        return truncateTo(file, Kind.TRUNCATE, random.nextLong(used), used);
    }

    /** Cuts the last 1..{@value #TAIL_CUT_BYTES_MAX} used bytes (all of them if fewer). */
    public static String cutTail(final Path file, final Random random)
    {
        final long used = requireUsed(file);
        final long cut = 1 + random.nextInt((int)Math.min(used, TAIL_CUT_BYTES_MAX));
        return truncateTo(file, Kind.CUT_TAIL, used - cut, used);
    }

    /** Flips {@code bits} distinct random bits at offsets in [used / 2, used). */
    public static String flipBits(final Path file, final int bits, final Random random)
    {
        if (bits < 1)
        {
            throw new IllegalArgumentException("bits is " + bits + "; flip at least 1");
        }
        final long used = requireUsed(file);
        final long from = used / 2;
        final long span = used - from;
        final TreeSet<Long> bitPositions = new TreeSet<>();
        while (bitPositions.size() < Math.min(bits, span * 8))
        {
            bitPositions.add(from * 8 + random.nextLong(span * 8));
        }
        final StringBuilder where = new StringBuilder();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            for (final long bit : bitPositions)
            {
                final long offset = bit >>> 3;
                one.clear();
                readFully(channel, one, offset);
                final byte before = one.get(0);
                final byte after = (byte)(before ^ (1 << (int)(bit & 7)));
                one.clear();
                one.put(0, after);
                channel.write(one, offset);
                where.append(where.length() == 0 ? "" : ",").append(offset).append(':').append(bit & 7);
            }
            channel.force(true);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot flip bits in " + file, e);
        }
        return file + " " + Kind.FLIP_BITS + " " + bitPositions.size() + " bits at byte:bit " + where + " (used length "
            + used + ")";
    }

    private static String truncateTo(final Path file, final Kind kind, final long length, final long used)
    {
        assert length >= 0 : length;
        assert length < used : length + " >= " + used;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final long size = channel.size();
            channel.truncate(length);
            channel.force(true);
            return file + " " + kind + " to " + length + " bytes (used length " + used + ", file length " + size + ")";
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot truncate " + file + " to " + length, e);
        }
    }

    private static long requireUsed(final Path file)
    {
        final long used = usedLength(file);
        if (used == 0)
        {
            throw new IllegalArgumentException(file + " holds no data (only zeros): nothing to damage");
        }
        return used;
    }

    /** Offset of the last non-zero byte + 1, scanning back from the end in chunks; 0 for a file of zeros. */
    public static long usedLength(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer chunk = ByteBuffer.allocate(SCAN_CHUNK_BYTES);
            long end = channel.size();
            while (end > 0)
            {
                final long start = Math.max(0, end - SCAN_CHUNK_BYTES);
                chunk.clear().limit((int)(end - start));
                readFully(channel, chunk, start);
                for (int i = chunk.limit() - 1; i >= 0; i--)
                {
                    if (chunk.get(i) != 0)
                    {
                        return start + i + 1;
                    }
                }
                end = start;
            }
            return 0;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, at);
            if (read < 0)
            {
                throw new IOException("unexpected end of file at " + at);
            }
            at += read;
        }
    }
}
