package io.tributary.raft.node;

import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.protocol.tls.TlsSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;


/**
 * Node processes on loopback, each its own JVM ({@link NodeMain}) with this JVM's classpath and
 * module flags: the `dev` command's cluster and the cluster tests'. The first
 * {@code metadataNodes} form the metadata quorum. Stopping is SIGTERM (clean) or SIGKILL.
 */
public final class LocalCluster implements AutoCloseable
{
    private final Path dir;
    private final int metadataNodes;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, String> extraConfig = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> nodeConfig = new LinkedHashMap<>();
    /** Where node logs are copied when the cluster closes; the tests' build sets it (target/cluster-logs). */
    private final String keepLogsUnder = System.getProperty("tributary.cluster.logs", "");

    public LocalCluster(final Path dir, final int nodes, final int metadataNodes) throws IOException
    {
        this.dir = dir;
        this.metadataNodes = metadataNodes;
        final int[] free = LoopbackPorts.reserve(nodes, Set.of());
        for (int i = 1; i <= nodes; i++)
        {
            ports.put("n" + i, free[i - 1]);
        }
        extraConfig.put("snapshot.auto.entries", "100000");
    }

    /** One node's own setting (beside those of every node), from its next start; null removes it. */
    public LocalCluster config(final String id, final String key, final String value)
    {
        final Map<String, String> own = nodeConfig.computeIfAbsent(id, k -> new LinkedHashMap<>());
        if (value == null)
        {
            own.remove(key);
        }
        else
        {
            own.put(key, value);
        }
        return this;
    }

    public LocalCluster config(final String key, final String value)
    {
        extraConfig.put(key, value);
        return this;
    }

    public String metadataPeersText()
    {
        return ports.entrySet().stream().limit(metadataNodes).map(e -> e.getKey() + "@127.0.0.1:" + e.getValue())
            .collect(Collectors.joining(","));
    }

    public Map<String, String> metadataPeers()
    {
        final Map<String, String> peers = new LinkedHashMap<>();
        ports.entrySet().stream().limit(metadataNodes).forEach(e -> peers.put(e.getKey(), "127.0.0.1:" + e.getValue()));
        return peers;
    }

    public String addNodeSlot() throws IOException
    {
        final String id = "n" + (ports.size() + 1);
        ports.put(id, LoopbackPorts.reserve(1, ports.values())[0]);
        return id;
    }

    public Path configFile(final String id) throws IOException
    {
        final Map<String, String> settings = new LinkedHashMap<>(extraConfig);
        // Node settings under test for every node of a local cluster, e.g.
        // -Dtributary.node.config=frontend.threads=1,a=b
        for (final String setting : System.getProperty("tributary.node.config", "").split(","))
        {
            if (setting.contains("="))
            {
                settings.put(setting.substring(0, setting.indexOf('=')).trim(),
                    setting.substring(setting.indexOf('=') + 1).trim());
            }
        }
        settings.putAll(nodeConfig.getOrDefault(id, Map.of()));
        return NodeConfigFile.write(dir.resolve(id + ".properties"), id, "127.0.0.1", ports.get(id), dir.resolve(id),
            metadataPeersText(), settings);
    }

    public void startAll() throws IOException
    {
        for (final String id : ports.keySet())
        {
            start(id);
        }
    }

    /** Starts a node JVM and waits until it prints READY. */
    public void start(final String id) throws IOException
    {
        final Path log = dir.resolve(id + ".log");
        final Process process = nodeCommand(configFile(id))
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        processes.put(id, process);
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        // The JVM itself may print first (a flag such as -XX:CompilerDirectivesFile says what it loaded): such lines
        // go to the node's log, and only the end of the output without READY means the node did not start.
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY"))
        {
            Files.writeString(log, "stdout: " + line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        if (line == null)
        {
            throw new IOException("node " + id + " did not start; see " + log + ":\n" + tail(log));
        }
    }

    private static ProcessBuilder nodeCommand(final Path config)
    {
        return new ProcessBuilder(nodeJavaCommand(config));
    }

    /**
     * java, this JVM's module flags and classpath, NodeMain and the config file: how every
     * harness starts a node JVM (the Jepsen harness prefixes it with {@code ip netns exec}).
     */
    public static List<String> nodeJavaCommand(final Path config)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Djava.util.concurrent.")
                || arg.equals("-ea"))
            {
                command.add(arg);
            }
        }
        // A fixed heap, as each Kafka broker gets in compare-kafka, touched once at start: with only -Xmx, G1
        // grew and shrank the heap under load and its GC threads spent 11% of the machine zeroing fresh pages
        // (perf: clear_page_erms under G1EvacuateRegionsTask); fixed and pre-touched, --mode max went from
        // 21.7-23.6k to 24.5-26.3k records/s (docs/benchmarks.md). Costs 0.26 s at start.
        command.add("-Xms1g");
        command.add("-Xmx1g");
        command.add("-XX:+AlwaysPreTouch");
        command.addAll(NODE_JVM_FLAGS);
        if (!NODE_JVM_FLAGS.isEmpty() && tlsOn(config))
        {
            // C1 only, but for the JDK's ciphers: AES-GCM's intrinsics are C2's (the parent pom says why).
            command.addAll(cryptoC2Flags(config.toAbsolutePath().getParent()));
        }
        // Every node log line carries its time, whatever simplelogger.properties the classpath brings: a
        // fault test's logs are read side by side with its history, and a line without a time says
        // nothing of where a run spent its seconds.
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        // Node JVM options under test (compiler, GC, class-data sharing), separated by spaces or '|', e.g.
        // -Dtributary.node.jvm.options=-XX:TieredStopAtLevel=1|-XX:+UseSerialGC
        final String extra = System.getProperty("tributary.node.jvm.options", "").trim();
        if (!extra.isEmpty())
        {
            command.addAll(List.of(extra.split("[\\s|]+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NodeMain.class.getName());
        command.add(config.toString());
        return command;
    }

    /**
     * The node JVMs' own flags from the parent pom (tributary.process.jvm.flags): C1 only, measured in
     * docs/benchmarks.md.
     */
    private static final List<String> NODE_JVM_FLAGS = nodeJvmFlags();

    private static List<String> nodeJvmFlags()
    {
        try (InputStream in = LocalCluster.class.getResourceAsStream("/tributary-node-jvm.options"))
        {
            final String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return text.isEmpty() || text.startsWith("${") ? List.of() : List.of(text.split("\\s+"));
        }
        catch (final IOException e)
        {
            return List.of();
        }
    }

    /**
     * The flags that keep C1 for everything but the JDK's ciphers, for a process that speaks TLS (overriding the
     * process flags' C1-only): the directives file is written into {@code dir}.
     */
    public static List<String> cryptoC2Flags(final Path dir)
    {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:TieredStopAtLevel=4",
            "-XX:CompilerDirectivesFile=" + c2Directives(dir));
    }

    private static boolean tlsOn(final Path config)
    {
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(config))
        {
            properties.load(in);
        }
        catch (final IOException e)
        {
            return false;   // the node reports an unreadable configuration itself
        }
        return Boolean.parseBoolean(properties.getProperty(TlsSettings.ENABLED, "false").trim());
    }

    /** Writes the compiler directives of the node JVMs (a resource) into {@code dir}, once; returns the file. */
    private static Path c2Directives(final Path dir)
    {
        final Path file = dir.resolve(C2_DIRECTIVES);
        if (Files.exists(file))
        {
            return file;
        }
        try (InputStream in = LocalCluster.class.getResourceAsStream("/" + C2_DIRECTIVES))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource /" + C2_DIRECTIVES + " is missing from the class path");
            }
            final Path temporary = Files.createTempFile(dir, C2_DIRECTIVES, ".tmp");
            Files.write(temporary, in.readAllBytes());
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot write the node JVMs' compiler directives to " + file, e);
        }
    }

    /** C2 for the JDK's cryptography only (the parent pom's process flags explain why). */
    public static final String C2_DIRECTIVES = "tributary-c2-directives.json";

    public static String tail(final Path log)
    {
        try
        {
            final List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        }
        catch (final IOException e)
        {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public void kill(final String id) throws InterruptedException
    {
        final Process process = processes.remove(id);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM to every node at once, then waits for each; returns true if all exited 0. */
    public boolean stopAll() throws InterruptedException
    {
        processes.values().forEach(Process::destroy);
        boolean clean = true;
        for (final String id : new ArrayList<>(processes.keySet()))
        {
            clean &= stop(id) == 0;
        }
        return clean;
    }

    /** Whether the node's process (started here, not stopped) is alive. */
    public boolean isRunning(final String id)
    {
        final Process process = processes.get(id);
        return process != null && process.isAlive();
    }

    /** The exit code of a node process that ended on its own (-1 while it runs, or if it was never started). */
    public int exitCode(final String id)
    {
        final Process process = processes.get(id);
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    /** SIGTERM; returns the exit code. */
    public int stop(final String id) throws InterruptedException
    {
        final Process process = processes.remove(id);
        if (process == null)
        {
            return -1;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /**
     * Process ids of the node JVMs started and not stopped, by node id: a copy, for tools that
     * measure the nodes from outside (the load generator reads their CPU time in /proc).
     */
    public Map<String, Long> pids()
    {
        final Map<String, Long> pids = new LinkedHashMap<>();
        processes.forEach((id, process) -> pids.put(id, process.pid()));
        return pids;
    }

    public List<String> nodeIds()
    {
        return new ArrayList<>(ports.keySet());
    }

    public String address(final String id)
    {
        return "127.0.0.1:" + ports.get(id);
    }

    public Path dataDir(final String id)
    {
        return dir.resolve(id);
    }

    /** A condition polled by {@link #await}; an exception means "not yet" (a node starting, no leader yet). */
    @FunctionalInterface
    public interface Condition
    {
        boolean holds() throws Exception;
    }

    /** Polls until the condition holds or the deadline passes; the timeout's error carries the last exception. */
    public static void await(final String what, final long timeoutMs, final Condition condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            Exception last = null;
            try
            {
                if (condition.holds())
                {
                    return;
                }
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
            catch (final Exception e)
            {
                last = e;
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what
                    + (last == null ? "" : "; the last check failed: " + last), last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Override
    public void close()
    {
        for (final Process process : processes.values())
        {
            process.destroyForcibly();
        }
        try
        {
            for (final Process process : processes.values())
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        processes.clear();
        keepLogs();
    }

    /** Tests keep node logs beyond their temporary folder (target/cluster-logs) for post-mortems. */
    private void keepLogs()
    {
        try (var files = Files.list(dir))
        {
            if (!keepLogsUnder.isEmpty())
            {
                final Path keep = Path.of(keepLogsUnder, dir.getFileName().toString());
                Files.createDirectories(keep);
                for (final Path file : files.filter(f -> f.toString().endsWith(".log")).toList())
                {
                    Files.copy(file, keep.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        catch (final IOException e)
        {
            System.err.println("could not keep node logs of " + dir + ": " + e);
        }
    }
}
