package io.tributary.raft.node;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tributary.raft.shard.DamagedReplicaException;

/**
 * Which shard copy a failed start found damaged, and setting it aside: the group's Raft folder
 * and shard log move, together, to {@code quarantine/<group>-<millis>/} in the data folder (a
 * rename on the same disk; nothing is deleted, so an operator can still look at what broke).
 */
final class Quarantine
{
    /** Ratis names a group by the last 12 hex digits of its id: "n1@group-A00E1E1311F4". */
    private static final Pattern RATIS_GROUP = Pattern.compile("group-([0-9A-Fa-f]{12})");
    /** Ratis's gap check: "... but the next log segment log-142_243 started at 142" (or log_inprogress_142). */
    private static final Pattern NEXT_SEGMENT =
        Pattern.compile("next log segment (log-(\\d+)_(\\d+)|log_inprogress_(\\d+)) started at");
    private static final Pattern UUID_TEXT =
        Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Quarantine()
    {
    }

    /**
     * The group whose stored copy made the start fail, or null if the failure is not damage to one
     * group's storage: a {@link DamagedReplicaException}, or Ratis's own checks of a group's log
     * (a gap between segments, a checksum, a corrupt entry) naming a group that has a folder under
     * {@code raftDir}.
     */
    static UUID damagedGroup(final Throwable error, final Path raftDir)
    {
        for (Throwable cause = error; cause != null; cause = cause.getCause())
        {
            if (cause instanceof DamagedReplicaException damaged)
            {
                return damaged.groupId();
            }
        }
        if (NodeMain.damagedStorage(error) == null)
        {
            return null;
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause())
        {
            final String message = String.valueOf(cause.getMessage());
            final String rafts = raftDir.toString() + "/";
            final int under = message.indexOf(rafts);
            if (under >= 0)
            {
                final Matcher full = UUID_TEXT.matcher(message.substring(under + rafts.length()));
                if (full.lookingAt() && Files.isDirectory(raftDir.resolve(full.group())))
                {
                    return UUID.fromString(full.group());
                }
            }
            final Matcher gap = NEXT_SEGMENT.matcher(message);
            if (gap.find())
            {
                // Ratis names no group here, only a segment: the group whose folder holds that segment file.
                final String file = gap.group(4) != null ? "log_inprogress_" + gap.group(4) : "log_" + gap.group(2)
                    + "-" + gap.group(3);
                final UUID group = groupHolding(raftDir, file);
                if (group != null)
                {
                    return group;
                }
            }
            final Matcher named = RATIS_GROUP.matcher(message);
            while (named.find())
            {
                final UUID group = groupEndingWith(raftDir, named.group(1).toLowerCase(Locale.ROOT));
                if (group != null)
                {
                    return group;
                }
            }
        }
        return null;
    }

    /** The one group whose {@code current/} folder holds a file of that name, or null if none or several. */
    private static UUID groupHolding(final Path raftDir, final String fileName)
    {
        try (Stream<Path> groups = Files.list(raftDir))
        {
            final List<UUID> holding = groups.filter(g -> UUID_TEXT.matcher(g.getFileName().toString()).matches())
                .filter(g -> Files.exists(g.resolve("current").resolve(fileName)))
                .map(g -> UUID.fromString(g.getFileName().toString())).toList();
            return holding.size() == 1 ? holding.get(0) : null;
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    private static UUID groupEndingWith(final Path raftDir, final String last12)
    {
        try (Stream<Path> groups = Files.list(raftDir))
        {
            return groups.map(p -> p.getFileName().toString()).filter(name -> UUID_TEXT.matcher(name).matches()
                && name.endsWith(last12)).map(UUID::fromString).findFirst().orElse(null);
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    /** Moves the group's Raft folder and shard log under {@code quarantine/}; returns where they went. */
    static Path setAside(final Path dataDir, final UUID group) throws IOException
    {
        final Path aside = dataDir.resolve("quarantine").resolve(group + "-" + System.currentTimeMillis());
        Files.createDirectories(aside);
        final Path raft = dataDir.resolve("raft").resolve(group.toString());
        final Path shard = dataDir.resolve("shards").resolve(group.toString());
        if (Files.exists(raft))
        {
            Files.move(raft, aside.resolve("raft"));
            force(raft.getParent());
        }
        if (Files.exists(shard))
        {
            Files.move(shard, aside.resolve("shards"));
            force(shard.getParent());
        }
        force(aside);
        return aside;
    }

    /** The rename is durable once its folder is forced: a crash must not bring the damaged copy back. */
    private static void force(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
