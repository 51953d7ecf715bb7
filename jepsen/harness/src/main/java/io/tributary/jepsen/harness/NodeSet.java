package io.tributary.jepsen.harness;

import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.NodeConfigFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The node processes under test, one JVM each ({@code NodeMain}), started inside their network
 * ({@link Network#commandPrefix}). Knows which are running and which are paused, so faults can be
 * undone and everything is stopped at the end. A node's stderr goes to {@code <id>.log}, its stdout
 * (the READY line) to {@code <id>.out}, both in the run folder's {@code nodes/}.
 */
final class NodeSet implements AutoCloseable
{
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(90);

    private final Path dir;
    private final Network network;
    private final List<String> ids;
    private final int metadataNodes;
    private final Map<String, String> extraConfig;
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final Map<String, Boolean> paused = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> nodeOverrides = new LinkedHashMap<>();
    /** Wall-clock offsets (libfaketime's FAKETIME, e.g. "+300s") of nodes started with a skewed clock. */
    private final Map<String, String> clockOffsets = new LinkedHashMap<>();
    /** libfaketime, where Debian's faketime package puts it. */
    static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1");

    NodeSet(final Path dir, final Network network, final List<String> ids, final int metadataNodes,
        final Map<String, String> extraConfig) throws IOException
    {
        this.dir = Files.createDirectories(dir);
        this.network = network;
        this.ids = List.copyOf(ids);
        this.metadataNodes = metadataNodes;
        this.extraConfig = Map.copyOf(extraConfig);
    }

    /**
     * From the node's next start, its wall clock (CLOCK_REALTIME: {@code System.currentTimeMillis}, Chronicle's
     * roll cycles, retention by time) runs at this offset ({@code "+300s"}, {@code "-60s"}) through libfaketime;
     * the monotonic clock (Raft's timers, {@code System.nanoTime}) is left alone, as a skewed NTP would. Null
     * clears it.
     */
    synchronized void clockOffset(final String id, final String offset)
    {
        if (offset == null)
        {
            clockOffsets.remove(id);
        }
        else
        {
            clockOffsets.put(id, offset);
        }
    }

    /** Why a clock skew cannot be injected here, or null when it can. */
    static String clockSkewUnavailable()
    {
        return Files.isRegularFile(LIBFAKETIME) ? null : "no libfaketime at " + LIBFAKETIME
            + " (apt-get install faketime)";
    }

    /** A setting for one node only, applied from its next start (tests: a fault switch on one node). */
    synchronized void configure(final String id, final String key, final String value)
    {
        nodeOverrides.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(key, value);
    }

    List<String> ids()
    {
        return ids;
    }

    String address(final String id)
    {
        return network.host(id) + ":" + network.port(id);
    }

    /** The metadata quorum: the first {@code metadataNodes} nodes, id to host:port. */
    Map<String, String> metadataPeers()
    {
        final Map<String, String> peers = new LinkedHashMap<>();
        ids.stream().limit(metadataNodes).forEach(id -> peers.put(id, address(id)));
        return peers;
    }

    Path dataDir(final String id)
    {
        return dir.resolve(id);
    }

    Path logFile(final String id)
    {
        return dir.resolve(id + ".log");
    }

    synchronized boolean isRunning(final String id)
    {
        final Process process = running.get(id);
        return process != null && process.isAlive();
    }

    synchronized List<String> runningIds()
    {
        return ids.stream().filter(this::isRunning).toList();
    }

    private Path writeConfig(final String id) throws IOException
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("snapshot.auto.entries", "100000");
        settings.putAll(extraConfig);
        synchronized (this)
        {
            settings.putAll(nodeOverrides.getOrDefault(id, Map.of()));
        }
        final String peers = metadataPeers().entrySet().stream().map(e -> e.getKey() + "@" + e.getValue())
            .collect(Collectors.joining(","));
        return NodeConfigFile.write(dir.resolve(id + ".properties"), id, network.host(id), network.port(id),
            dataDir(id), peers, settings);
    }

    /**
     * Starts the node and waits until it prints READY (at most 90 s).
     *
     * @throws IOException if it exits first or never gets ready; the message has the end of its log.
     */
    void start(final String id) throws IOException
    {
        synchronized (this)
        {
            if (isRunning(id))
            {
                throw new IllegalStateException("node " + id + " is already running (pid " + running.get(id).pid()
                    + ")");
            }
        }
        final Path out = dir.resolve(id + ".out");
        final long readFrom = Files.exists(out) ? Files.size(out) : 0;
        final List<String> command = new ArrayList<>(network.commandPrefix(id));
        final String clockOffset;
        synchronized (this)
        {
            clockOffset = clockOffsets.get(id);
        }
        if (clockOffset != null)
        {
            command.addAll(List.of("env", "LD_PRELOAD=" + LIBFAKETIME, "FAKETIME=" + clockOffset,
                "FAKETIME_DONT_FAKE_MONOTONIC=1"));
        }
        final List<String> java = new ArrayList<>(LocalCluster.nodeJavaCommand(writeConfig(id)));
        // INFO where a run's story is told, the rest at WARN: the shard state machine (catch-ups from the leader,
        // installs of its base state), the node (the controller's every action), and Ratis's divisions (elections,
        // configurations, and why a follower refused appendEntries: a stalled shard is explained by those lines).
        java.add(1, "-Dorg.slf4j.simpleLogger.log.io.tributary.raft.shard=info");
        java.add(1, "-Dorg.slf4j.simpleLogger.log.io.tributary.raft.node=info");
        java.add(1, "-Dorg.slf4j.simpleLogger.log.org.apache.ratis.server.RaftServer$Division=info");
        command.addAll(java);
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(logFile(id).toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .start();
        synchronized (this)
        {
            running.put(id, process);
            paused.put(id, false);
        }
        final long deadlineNs = System.nanoTime() + START_TIMEOUT_NS;
        while (!readyLineAfter(out, readFrom))
        {
            if (!process.isAlive())
            {
                forget(id, process);
                throw new IOException("node " + id + " exited with code " + process.exitValue() + " while starting; "
                    + "the end of " + logFile(id) + ":\n" + LocalCluster.tail(logFile(id)));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                kill(id);
                throw new IOException("node " + id + " did not print READY within 90 s; the end of " + logFile(id)
                    + ":\n" + LocalCluster.tail(logFile(id)));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** One line on why a node did not start: its own "cannot start" lines if it printed them. */
    static String startFailure(final Exception e)
    {
        final String message = e.getMessage() == null ? e.toString() : e.getMessage();
        final StringBuilder reason = new StringBuilder();
        for (final String line : message.split("\n"))
        {
            if (line.contains(": cannot start: ") || line.contains("is damaged ("))
            {
                reason.append(reason.length() == 0 ? "" : " ").append(line.strip());
            }
        }
        return reason.length() > 0 ? reason.toString() : message.split("\n")[0];
    }

    /** A node that failed to start is not running: it must not be reported later as having exited on its own. */
    private synchronized void forget(final String id, final Process process)
    {
        if (running.get(id) == process)
        {
            running.remove(id);
            paused.remove(id);
        }
    }

    private static boolean readyLineAfter(final Path out, final long from)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(out);
            return new String(bytes, (int)Math.min(from, bytes.length), (int)Math.max(0, bytes.length - from),
                StandardCharsets.UTF_8).contains("READY");
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL (resuming it first if paused, so it dies at once) and waits for the exit. */
    void kill(final String id)
    {
        final Process process;
        synchronized (this)
        {
            process = running.remove(id);
            paused.remove(id);
        }
        if (process == null)
        {
            return;
        }
        process.destroyForcibly();
        signal(process, "CONT");
        try
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Nodes that exited without being killed (e.g. on a fatal transport error), with their exit codes; forgotten here.
     */
    synchronized Map<String, Integer> takeExited()
    {
        final Map<String, Integer> exited = new LinkedHashMap<>();
        for (final String id : ids)
        {
            final Process process = running.get(id);
            if (process != null && !process.isAlive())
            {
                exited.put(id, process.exitValue());
                running.remove(id);
                paused.remove(id);
            }
        }
        return exited;
    }

    /** SIGSTOP: the JVM freezes with its sockets open. */
    synchronized void pause(final String id)
    {
        final Process process = running.get(id);
        if (process != null && signal(process, "STOP"))
        {
            paused.put(id, true);
        }
    }

    /** SIGCONT for a paused node. */
    synchronized void resume(final String id)
    {
        final Process process = running.get(id);
        if (process != null && Boolean.TRUE.equals(paused.get(id)) && signal(process, "CONT"))
        {
            paused.put(id, false);
        }
    }

    synchronized void resumeAll()
    {
        ids.forEach(this::resume);
    }

    private static boolean signal(final Process process, final String signal)
    {
        return Shell.tryRun("kill", "-" + signal, Long.toString(process.pid())).ok();
    }

    /**
     * Stops every node: SIGTERM to all (a clean shutdown flushes logs and removes the node's Aeron
     * directory), then SIGKILL to any still running after 20 s.
     */
    @Override
    public void close()
    {
        final List<Process> stopping = new ArrayList<>();
        synchronized (this)
        {
            for (final Process process : running.values())
            {
                signal(process, "CONT");
                process.destroy();
                stopping.add(process);
            }
            running.clear();
            paused.clear();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (final Process process : stopping)
        {
            try
            {
                if (!process.waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
