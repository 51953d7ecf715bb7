package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Disk faults on a stopped follower (one shard, RF 3, every node its own JVM): its Chronicle
 * file truncated, bits flipped in its Chronicle file, its Raft segment truncated; then a restart.
 * The node must either refuse to start naming the problem, or start and end up serving exactly
 * the leader's bytes; it never serves different bytes. Seeded: {@code -Dtributary.seed=N} replays.
 *
 * <p>The corruption mirrors jepsen's {@code DiskFault} (raft cannot depend on jepsen): offsets are
 * drawn within the used bytes, since both kinds of file are preallocated with zeros.
 */
class DiskFaultRecoveryTest
{
    @TempDir
    Path dir;

    private enum Fault
    {
        CHRONICLE_TRUNCATE, CHRONICLE_FLIP_BITS, RAFT_SEGMENT_TRUNCATE
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aFollowerWithADamagedFileRepairsItselfOrRefusesToStartAndNeverServesOtherBytes() throws Exception
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime());
        System.out.println("DiskFaultRecoveryTest seed " + seed + " (replay: -Dtributary.seed=" + seed + ")");
        final Random random = new Random(seed);
        // Longer election timeouts than the default 1-2 s: on a loaded 2-core machine a leader otherwise loses its
        // role while the test picks a follower to damage.
        try (RunningCluster running = RunningCluster.builder(dir)
            .config("raft.election.timeout.min.ms", "2000").config("raft.election.timeout.max.ms", "4000").start())
        {
            final LocalCluster cluster = running.processes();
            final MetadataClient metadata = running.metadata();
            running.createStream("disk", 1, 3);
            try (ShardTestClient shard = new ShardTestClient(metadata, "disk", 0))
            {
                int written = write(shard, 0, 60);
                for (final Fault fault : Fault.values())
                {
                    written = write(shard, written, 1); // the client learns the current leader from the reply
                    final String leader = shard.leader();
                    final String victim = cluster.nodeIds().stream().filter(id -> !id.equals(leader))
                        .skip(random.nextInt(2)).findFirst().orElseThrow();
                    LocalCluster.await("replicas equal before " + fault, 60_000,
                        () -> ShardFaultTest.sameChecksum(shard, leader, victim));
                    final boolean clean = random.nextBoolean();
                    if (clean)
                    {
                        assertThat(cluster.stop(victim)).as("clean stop of %s", victim).isZero();
                    }
                    else
                    {
                        cluster.kill(victim);
                    }
                    final String what = damage(cluster.dataDir(victim), shard, fault, random);
                    System.out.println(fault + " on " + victim + " (" + (clean ? "clean stop" : "kill -9") + "): "
                        + what);
                    written = write(shard, written, 20);
                    restartAndCheck(cluster, shard, victim, fault + ": " + what);
                }
            }
        }
    }

    /** Damage that no local replay can repair: the copy must come from the peers. */
    enum Unrepairable
    {
        /**
         * The Jepsen disk nemesis cut a stopped replica's first Raft segment ({@code log_0-0}) short of
         * its only entry: Ratis loaded a log beginning at index 1, its apply loop then spun forever on
         * entry 0, and the replica, elected with its up-to-date tail, led a shard that never answered.
         */
        RAFT_LOG_HEAD_CUT,
        /**
         * The first closed Raft segment cut in half: Ratis loads part of it, finds the next segment
         * starting past a gap and fails the group's start without naming the group.
         */
        RAFT_SEGMENT_CUT_BEFORE_ANOTHER,
        /** The shard log cut deep inside, after a Raft snapshot purged the entries that could rebuild it. */
        SHARD_LOG_CUT_AFTER_SNAPSHOT
    }

    /**
     * Issue #14, point 3: a node whose copy of a shard cannot be rebuilt locally used to refuse to
     * start. It starts, sets that copy aside under {@code quarantine/}, and the controller's
     * membership audit takes it out of the group and brings it back as a new member that copies
     * the shard from its peers, until it serves exactly the leader's bytes.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Unrepairable.class)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aCopyDamagedBeyondLocalRepairIsSetAsideAndRebuiltFromThePeers(final Unrepairable damage) throws Exception
    {
        // 1 MiB segments and 60 KiB entries: the first segment is closed after about 17 entries, whenever
        // the nodes stop (a clean stop does not always close the open segment). A snapshot every 10 entries
        // for the shard-log case, so the Raft log no longer holds what the shard log held.
        try (RunningCluster running = RunningCluster.builder(dir)
            .config("raft.election.timeout.min.ms", "2000").config("raft.election.timeout.max.ms", "4000")
            .config("raft.log.segment.bytes", Integer.toString(1 << 20))
            .config("raft.log.preallocated.bytes", Integer.toString(256 << 10))
            .config("replica.audit.interval.ms", "1000")
            .config("snapshot.auto.entries", damage == Unrepairable.SHARD_LOG_CUT_AFTER_SNAPSHOT ? "10" : "100000")
            .config("raft.log.purge.gap", "1").start())
        {
            final LocalCluster cluster = running.processes();
            final MetadataClient metadata = running.metadata();
            running.createStream("head", 1, 3);
            try (ShardTestClient shard = new ShardTestClient(metadata, "head", 0))
            {
                final String large = "x".repeat(20 << 10);
                for (int b = 0; b < 30; b++)
                {
                    final ShardTestClient.AppendReply reply =
                        shard.append(ShardTestClient.batch(-1, -1, large, large, large + b));
                    assertThat(reply.isStored()).as("batch %d: %s", b, reply).isTrue();
                }
                final String leader = shard.leader();
                final String victim = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst()
                    .orElseThrow();
                LocalCluster.await("replicas equal", 60_000, () -> ShardFaultTest.sameChecksum(shard, leader, victim));
                final String group = shard.group.getGroupId().getUuid().toString();
                if (damage == Unrepairable.SHARD_LOG_CUT_AFTER_SNAPSHOT)
                {
                    final Path sm = cluster.dataDir(victim).resolve("raft").resolve(group).resolve("sm");
                    LocalCluster.await("a Raft snapshot on " + victim, 60_000, () -> hasFiles(sm));
                }
                cluster.kill(victim);
                final String what = switch (damage)
                {
                    case RAFT_LOG_HEAD_CUT -> cutFirstRaftSegment(cluster.dataDir(victim), group, 12);
                    case RAFT_SEGMENT_CUT_BEFORE_ANOTHER -> cutFirstRaftSegment(cluster.dataDir(victim), group, -1);
                    case SHARD_LOG_CUT_AFTER_SNAPSHOT -> cutShardLog(cluster.dataDir(victim), group);
                };
                System.out.println(damage + " on " + victim + ": " + what);
                write(shard, 0, 5);

                cluster.start(victim);
                final Path quarantine = cluster.dataDir(victim).resolve("quarantine");
                assertThat(hasFiles(quarantine)).as("%s set its copy aside under %s", victim, quarantine).isTrue();
                try (Stream<Path> aside = Files.list(quarantine))
                {
                    assertThat(aside.map(p -> p.getFileName().toString())).allMatch(name -> name.startsWith(group));
                }
                final String leaderNow = shard.leader() == null ? leader : shard.leader();
                final Path log = dir.resolve(victim + ".log");
                try
                {
                    LocalCluster.await(victim + " rebuilt from its peers", 90_000,
                        () -> ShardFaultTest.sameChecksum(shard, leaderNow, victim));
                }
                catch (final AssertionError e)
                {
                    throw new AssertionError(e.getMessage() + "; log of " + victim + ":\n" + LocalCluster.tail(log), e);
                }
                write(shard, 5, 5);
                LocalCluster.await(victim + " follows new writes", 60_000, () ->
                    ShardFaultTest.sameChecksum(shard, leaderNow, victim));
            }
        }
    }

    private static boolean hasFiles(final Path folder)
    {
        try (Stream<Path> files = Files.list(folder))
        {
            return files.findAny().isPresent();
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    /** Cuts the first closed segment to {@code length} bytes, or to half its size if {@code length} is negative. */
    private static String cutFirstRaftSegment(final Path dataDir, final String group, final long length)
        throws IOException
    {
        final Path groupDir = dataDir.resolve("raft").resolve(group);
        final List<Path> closed;
        final List<String> listing;
        try (Stream<Path> walk = Files.walk(groupDir))
        {
            listing = walk.map(f -> groupDir.relativize(f) + " " + f.toFile().length()).toList();
        }
        try (Stream<Path> walk = Files.walk(groupDir))
        {
            closed = walk.filter(f -> f.getFileName().toString().matches("log_0-\\d+")).toList();
        }
        assertThat(closed).as("the first segment, closed at 1 MiB, under %s: %s", groupDir, listing).hasSize(1);
        // 12 bytes: the segment's header and a few bytes of its first entry.
        final long cut = length >= 0 ? length : Files.size(closed.get(0)) / 2;
        try (FileChannel channel = FileChannel.open(closed.get(0), StandardOpenOption.WRITE))
        {
            channel.truncate(cut);
        }
        return closed.get(0) + " cut to " + cut + " bytes";
    }

    private static String cutShardLog(final Path dataDir, final String group) throws IOException
    {
        final Path shardDir = dataDir.resolve("shards").resolve(group);
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(shardDir))
        {
            files = walk.filter(f -> f.toString().endsWith(".cq4")).filter(f -> usedLength(f) > 0).sorted().toList();
        }
        assertThat(files).as("queue files under %s", shardDir).isNotEmpty();
        final Path file = files.get(0);
        final long used = usedLength(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(used / 3);  // a cut through many excerpts: recovery refuses it as damage, not a torn tail
        }
        return file + " cut to " + used / 3 + " of " + used + " used bytes";
    }

    private void restartAndCheck(final LocalCluster cluster, final ShardTestClient shard, final String victim,
        final String what)
        throws Exception
    {
        final Path log = dir.resolve(victim + ".log");
        try
        {
            cluster.start(victim);
        }
        catch (final IOException e)
        {
            System.out.println(victim + " refused to start after " + what + ":\n" + LocalCluster.tail(log));
            assertThat(e.getMessage()).as("the refusal names the problem").containsIgnoringCase("corrupt");
            throw new AssertionError("refusal handled but the test cannot go on without " + victim + ": " + what, e);
        }
        final String leader = shard.leader();
        final long[] leaderSum = shard.checksum(leader);
        try
        {
            LocalCluster.await(victim + " equals the leader after " + what, 60_000,
                () -> ShardFaultTest.sameChecksum(shard, leader, victim));
        }
        catch (final AssertionError e)
        {
            throw new AssertionError(e.getMessage() + "; leader " + Arrays.toString(leaderSum) + ", log of " + victim
                + ":\n" + LocalCluster.tail(log), e);
        }
        System.out.println(victim + " repaired after " + what);
    }

    private static int write(final ShardTestClient shard, final int from, final int batches) throws IOException
    {
        for (int b = from; b < from + batches; b++)
        {
            final ShardTestClient.AppendReply reply =
                shard.append(ShardTestClient.batch(-1, -1, "a" + b, "b" + b, "c" + b));
            assertThat(reply.isStored()).as("batch %d: %s", b, reply).isTrue();
        }
        return from + batches;
    }

    private static String damage(final Path dataDir, final ShardTestClient shard, final Fault fault,
        final Random random)
        throws IOException
    {
        final String group = shard.group.getGroupId().getUuid().toString();
        final boolean chronicle = fault != Fault.RAFT_SEGMENT_TRUNCATE;
        final Path root = chronicle ? dataDir.resolve("shards").resolve(group) : dataDir.resolve("raft").resolve(group);
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(root))
        {
            files = walk.filter(f -> chronicle ? f.toString().endsWith(".cq4")
                : f.getFileName().toString().matches("log_inprogress_\\d+|log_\\d+-\\d+"))
                .filter(f -> usedLength(f) > 0).sorted().toList();
        }
        assertThat(files).as("files to damage under %s", root).isNotEmpty();
        final Path file = files.get(files.size() - 1);
        final long used = usedLength(file);
        if (fault == Fault.CHRONICLE_FLIP_BITS)
        {
            final StringBuilder at = new StringBuilder();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                for (int i = 0, bits = 1 + random.nextInt(8); i < bits; i++)
                {
                    final long offset = used / 2 + random.nextLong(used - used / 2);
                    final ByteBuffer one = ByteBuffer.allocate(1);
                    channel.read(one, offset);
                    one.put(0, (byte)(one.get(0) ^ (1 << random.nextInt(8)))).clear();
                    channel.write(one, offset);
                    at.append(' ').append(offset);
                }
            }
            return file + " bits flipped at" + at + " (used " + used + ")";
        }
        // Random length in the tail half: a truncation deep into the file and a torn tail are both covered over seeds.
        final long length = used / 2 + random.nextLong(used - used / 2);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(length);
        }
        return file + " truncated to " + length + " (used " + used + ")";
    }

    private static long usedLength(final Path file)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] == 0)
            {
                end--;
            }
            return end;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
