package io.tributary.raft.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Ratis counts as flushed, against what a force (fsync) could have made durable, observed on the
 * log's own file channels in a child JVM ({@link RaftLogFlushProbe}): a follower acknowledges, and a
 * leader commits, up to the flush index, so in {@code durability=fsync} it must never pass a completed
 * force.
 */
class RaftLogFlushTest
{
    private static final Pattern RESULT = Pattern.compile(
        "RESULT mode=(\\S+) forcedThroughIndex=(\\d+) writtenThroughIndex=(\\d+) flushIndex=(-?\\d+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void withTheNodesSettingsTheFlushIndexNeverPassesACompletedForce() throws Exception
    {
        final long[] result = probe("node-fsync");
        assertThat(result[2]).as("flush index after the first held force completed (forced through %d)", result[0])
            .isEqualTo(result[0]);
    }

    /**
     * WRITE-PATH.md's claim, checked: Ratis 3.3's async flush reads the last written index when the
     * force completes, so entries written during the force count as flushed. If this starts failing,
     * Ratis changed: re-read SegmentedRaftLogWorker.asyncFlushOutStream before enabling async flush.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void ratisAsyncFlushCountsEntriesWrittenDuringTheForceAsFlushed() throws Exception
    {
        final long[] result = probe("async-flush");
        assertThat(result[1]).as("entries written while the force was held").isEqualTo(10);
        assertThat(result[2]).as("flush index after one force that covered entries through %d", result[0])
            .isGreaterThan(result[0]).isEqualTo(result[1]);
    }

    /** Runs the probe and returns {forcedThroughIndex, writtenThroughIndex, flushIndex}. */
    private long[] probe(final String mode) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-ea");
        command.add("-Djava.nio.file.spi.DefaultFileSystemProvider=" + PassThroughFileSystemProvider.class.getName());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RaftLogFlushProbe.class.getName());
        command.add(dir.resolve(mode).toString());
        command.add(mode);
        final Path outputFile = dir.resolve(mode + ".out");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(outputFile.toFile()).start();
        final boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final String output = Files.readString(outputFile, StandardCharsets.UTF_8);
        assertThat(ended).as("probe ended within 60 s; its output:\n%s", output).isTrue();
        assertThat(process.exitValue()).as("probe exit status; its output:\n%s", output).isZero();
        final Matcher matcher = RESULT.matcher(output);
        assertThat(matcher.find()).as("a RESULT line in:\n%s", output).isTrue();
        assertThat(matcher.group(1)).isEqualTo(mode);
        System.out.println("RaftLogFlushTest: " + matcher.group());
        return new long[] {Long.parseLong(matcher.group(2)), Long.parseLong(matcher.group(3)),
            Long.parseLong(matcher.group(4))};
    }
}
