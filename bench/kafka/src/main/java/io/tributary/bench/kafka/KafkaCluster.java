package io.tributary.bench.kafka;

import io.tributary.bench.compare.ChildRun;
import io.tributary.protocol.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.agrona.IoUtil;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * Three combined KRaft nodes ({@code process.roles=broker,controller}), each a child JVM
 * ({@code java -Xmx1g -cp lib/* kafka.Kafka server.properties}) with its own folder under a work
 * folder that {@link #start} wipes. Brokers listen on {@code 127.0.0.1:portBase+i}, controllers on
 * {@code portBase+100+i}: below Linux's ephemeral range (32768 and up), where Tributary's local
 * clusters pick their free ports, so the two never clash. Each node logs to
 * {@code node-i/logs/server.log} (its console to {@code node-i/stdout.log}), never to ours.
 *
 * <p>Durability as the comparison needs it: {@code min.insync.replicas=2}, replication factor 3,
 * and optionally a flush after every append ({@code log.flush.interval.messages=1}), for parity with
 * a Raft log that fsyncs each write.
 *
 * <p>Not thread-safe: one thread starts and stops it. A shutdown hook kills the nodes if the JVM
 * exits without {@link #stop()}; a node left by a JVM that was killed is found at the next start
 * by the pid file in its folder and stopped.
 */
public final class KafkaCluster implements AutoCloseable
{
    public static final int NODES = 3;
    public static final int DEFAULT_PORT_BASE = 19092;
    public static final int CONTROLLER_PORT_OFFSET = 100;

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** As kafka-server-start.sh and kafka-run-class.sh start a broker. */
    private static final List<String> BROKER_JVM_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true");

    /**
     * @param workDir         wiped at start; {@code node-1..3} below it
     * @param libDir          the Kafka classpath (bench/kafka/target/lib)
     * @param portBase        first broker port; see the class comment for the others
     * @param flushPerMessage {@code log.flush.interval.messages=1}: fsync after every append
     * @param startTimeout    how long the nodes may take until all three brokers are registered
     */
    public record Settings(Path workDir, Path libDir, int portBase, boolean flushPerMessage, Duration startTimeout)
    {
        public Settings
        {
            if (portBase < 1024 || portBase + CONTROLLER_PORT_OFFSET + NODES > 32768)
            {
                throw new IllegalArgumentException("Kafka port base must be in [1024, "
                    + (32768 - CONTROLLER_PORT_OFFSET - NODES)
                    + "] (below the ephemeral range, where Tributary's local nodes listen), was " + portBase);
            }
            if (startTimeout.isNegative() || startTimeout.isZero())
            {
                throw new IllegalArgumentException("Kafka start timeout must be > 0, was " + startTimeout);
            }
        }

        public Settings(final Path workDir, final boolean flushPerMessage)
        {
            this(workDir, defaultLibDir(), DEFAULT_PORT_BASE, flushPerMessage, Duration.ofSeconds(90));
        }
    }

    private final Settings settings;
    private final List<Process> nodes = new ArrayList<>();
    private final Thread shutdownHook;

    private KafkaCluster(final Settings settings)
    {
        this.settings = settings;
        this.shutdownHook = new Thread(this::killNodes, "kafka-cluster-shutdown");
    }

    /**
     * Wipes the work folder, formats the nodes' storage, starts them and waits until all three brokers are registered.
     */
    public static KafkaCluster start(final Settings settings, final PrintWriter out) throws Exception
    {
        checkLibDir(settings.libDir());
        stopLeftovers(settings.workDir(), out);
        checkPortsFree(settings.portBase());
        final KafkaCluster cluster = new KafkaCluster(settings);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try
        {
            final long startNs = System.nanoTime();
            cluster.prepare();
            cluster.launch();
            cluster.awaitBrokers();
            out.printf("kafka: 3 KRaft nodes up in %.1f s (bootstrap %s%s; logs under %s)%n",
                (System.nanoTime() - startNs) / 1e9, cluster.bootstrap(),
                settings.flushPerMessage() ? ", flush per message" : "", settings.workDir());
            out.flush();
            return cluster;
        }
        catch (final Exception | Error e)
        {
            cluster.stop();
            throw e;
        }
    }

    /** Each broker's process id by name ({@code kafka-1} ..., in node order), for measuring their CPU time. */
    public Map<String, Long> brokerPids()
    {
        final Map<String, Long> pids = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++)
        {
            pids.put("kafka-" + (i + 1), nodes.get(i).pid());
        }
        return pids;
    }

    public String bootstrap()
    {
        return IntStream.range(0, NODES).mapToObj(i -> "127.0.0.1:" + brokerPort(settings.portBase(), i))
            .collect(Collectors.joining(","));
    }

    /**
     * Kills the nodes (their data is thrown away, so no controlled shutdown), waits for them, and deletes their data.
     */
    public void stop() throws IOException
    {
        killNodes();
        nodes.clear();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException e)
        {
            // The JVM is already shutting down and the hook is running or has run: nothing left to undo.
        }
        for (int i = 0; i < NODES; i++)
        {
            IoUtil.delete(nodeDir(i).resolve("data").toFile(), false);
        }
    }

    @Override
    public void close() throws IOException
    {
        stop();
    }

    public static int brokerPort(final int portBase, final int node)
    {
        return portBase + node;
    }

    public static int controllerPort(final int portBase, final int node)
    {
        return portBase + CONTROLLER_PORT_OFFSET + node;
    }

    /** The folder holding the Kafka jars on this JVM's classpath (bench/kafka/target/lib when run as built). */
    public static Path defaultLibDir()
    {
        try
        {
            return Path.of(kafka.Kafka.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        }
        catch (final URISyntaxException | RuntimeException e)
        {
            throw new IllegalStateException("cannot locate the Kafka jars (kafka.Kafka's code source): " + e
                + "; build with 'mvn -Pkafka-compare -pl bench/kafka package' and run with -cp "
                    + "bench/kafka/target/lib/*", e);
        }
    }

    /** The version of the Kafka jars on this classpath, from the broker jar's name (kafka_2.13-VERSION.jar). */
    public static String kafkaVersion()
    {
        try
        {
            final String jar = Path.of(kafka.Kafka.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getFileName().toString();
            return jar.startsWith("kafka_2.13-") && jar.endsWith(".jar")
                ? jar.substring("kafka_2.13-".length(), jar.length() - 4) : jar;
        }
        catch (final URISyntaxException | RuntimeException e)
        {
            return "(unknown version)";
        }
    }

    private Path nodeDir(final int node)
    {
        return settings.workDir().resolve("node-" + (node + 1));
    }

    private void prepare() throws IOException
    {
        IoUtil.delete(settings.workDir().toFile(), false);
        Files.createDirectories(settings.workDir());
        Files.writeString(settings.workDir().resolve("log4j2.xml"), BROKER_LOG4J2, StandardCharsets.UTF_8);
        final String clusterId = Uuid.randomUuid().toString();
        for (int i = 0; i < NODES; i++)
        {
            Files.createDirectories(nodeDir(i).resolve("logs"));
            final Path config = nodeDir(i).resolve("server.properties");
            try (var writer = Files.newBufferedWriter(config, StandardCharsets.UTF_8))
            {
                nodeProperties(i).store(writer, "Written by " + KafkaCluster.class.getName()
                    + "; the folder is wiped at start");
            }
            format(config, clusterId);
        }
    }

    Properties nodeProperties(final int node)
    {
        final int portBase = settings.portBase();
        final Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(node + 1));
        p.setProperty("controller.quorum.voters", IntStream.range(0, NODES)
            .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPort(portBase, i)).collect(Collectors.joining(",")));
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort(portBase, node)
            + ",CONTROLLER://127.0.0.1:" + controllerPort(portBase, node));
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort(portBase, node));
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("log.dirs", nodeDir(node).resolve("data").toAbsolutePath().toString());
        p.setProperty("default.replication.factor", "3");
        p.setProperty("min.insync.replicas", "2");
        p.setProperty("offsets.topic.replication.factor", "3");
        p.setProperty("transaction.state.log.replication.factor", "3");
        p.setProperty("transaction.state.log.min.isr", "2");
        p.setProperty("unclean.leader.election.enable", "false");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        if (settings.flushPerMessage())
        {
            // Checked after every append to a partition (a producer batch on the leader, a fetched
            // chunk on a follower): each is fsynced before the follower's next fetch acknowledges it.
            p.setProperty("log.flush.interval.messages", "1");
        }
        return p;
    }

    private static void format(final Path config, final String clusterId) throws IOException
    {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8))
        {
            code = kafka.tools.StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()},
                print);
        }
        catch (final RuntimeException e)
        {
            output.writeBytes(e.toString().getBytes(StandardCharsets.UTF_8));
            code = -1;
        }
        if (code != 0)
        {
            throw new IOException("formatting Kafka storage failed (kafka-storage format -t " + clusterId + " -c "
                + config + ", exit " + code + "): " + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void launch() throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 0; i < NODES; i++)
        {
            final Path dir = nodeDir(i);
            final List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(BROKER_JVM_FLAGS);
            command.add("-Dkafka.logs.dir=" + dir.resolve("logs").toAbsolutePath());
            command.add("-Dlog4j2.configurationFile=" + settings.workDir().resolve("log4j2.xml").toAbsolutePath());
            command.addAll(List.of("-cp", settings.libDir().toAbsolutePath() + "/*", "kafka.Kafka",
                dir.resolve("server.properties").toAbsolutePath().toString()));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            nodes.add(process);
            Files.writeString(dir.resolve("pid"), process.pid() + "\n");
        }
    }

    private void awaitBrokers() throws Exception
    {
        final long deadlineNs = System.nanoTime() + settings.startTimeout().toNanos();
        awaitPortsOpen(deadlineNs);
        final Properties properties = new Properties();
        properties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        properties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        int registered = 0;
        try (Admin admin = Admin.create(properties))
        {
            while (true)
            {
                checkAlive();
                try
                {
                    registered = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                }
                catch (final ExecutionException | TimeoutException e)
                {
                    registered = 0;
                }
                if (registered == NODES)
                {
                    return;
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("only " + registered + " of " + NODES
                        + " Kafka brokers registered within " + settings.startTimeout().toSeconds()
                        + " s; the machine may be overloaded, or a node failed:\n" + logTails());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }
    }

    private void awaitPortsOpen(final long deadlineNs)
    {
        for (int i = 0; i < NODES; i++)
        {
            final int port = brokerPort(settings.portBase(), i);
            while (!accepts(port))
            {
                checkAlive();
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " does not listen on 127.0.0.1:" + port
                        + " after " + settings.startTimeout().toSeconds() + " s:\n" + logTails());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    private static boolean accepts(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    private void checkAlive()
    {
        for (int i = 0; i < nodes.size(); i++)
        {
            final Process process = nodes.get(i);
            if (!process.isAlive())
            {
                throw new IllegalStateException("Kafka node " + (i + 1) + " exited with code " + process.exitValue()
                    + " while starting; its log (" + nodeDir(i).resolve("logs/server.log") + "):\n" + logTail(i));
            }
        }
    }

    /** The last lines of every node's log and console, for error messages. */
    public String logTails()
    {
        return IntStream.range(0, NODES).mapToObj(i -> "--- node " + (i + 1) + " ---\n" + logTail(i))
            .collect(Collectors.joining("\n"));
    }

    private String logTail(final int node)
    {
        final Path log = nodeDir(node).resolve("logs/server.log");
        return firstError(log) + tail(log) + tail(nodeDir(node).resolve("stdout.log"));
    }

    /** The first ERROR line of a log: with a stack trace below it, the tail alone may not show the cause. */
    static String firstError(final Path file)
    {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8))
        {
            return lines.filter(l -> l.contains("] ERROR ") || l.contains("] FATAL ")).findFirst()
                .map(l -> "[first error] " + l + "\n").orElse("");
        }
        catch (final IOException | UncheckedIOException e)
        {
            return "";
        }
    }

    static String tail(final Path file)
    {
        return ChildRun.tail(file);
    }

    private void killNodes()
    {
        for (final Process process : nodes)
        {
            process.destroyForcibly();
        }
        for (int i = 0; i < nodes.size(); i++)
        {
            try
            {
                if (!nodes.get(i).waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                {
                    System.err.println("kafka: node " + (i + 1) + " (pid " + nodes.get(i).pid()
                        + ") did not exit within " + STOP_TIMEOUT.toSeconds() + " s of SIGKILL");
                }
                Files.deleteIfExists(nodeDir(i).resolve("pid"));
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final IOException e)
            {
                System.err.println("kafka: cannot delete " + nodeDir(i).resolve("pid") + ": " + e.getMessage());
            }
        }
    }

    private static void checkLibDir(final Path libDir) throws IOException
    {
        final boolean hasKafka;
        if (!Files.isDirectory(libDir))
        {
            hasKafka = false;
        }
        else
        {
            try (Stream<Path> files = Files.list(libDir))
            {
                hasKafka = files.anyMatch(f -> f.getFileName().toString().startsWith("kafka_2.13-"));
            }
        }
        if (!hasKafka)
        {
            throw new IllegalStateException("no Kafka jars (kafka_2.13-*.jar) in " + libDir
                + ": build them with 'mvn -B -DskipTests -Pkafka-compare -pl bench/kafka package' in the repository "
                    + "root");
        }
    }

    /**
     * A node that outlived a killed orchestrator would hold the ports and the data folder: stop it, by its pid file.
     */
    private static void stopLeftovers(final Path workDir, final PrintWriter out) throws IOException
    {
        for (int i = 0; i < NODES; i++)
        {
            final Path pidFile = workDir.resolve("node-" + (i + 1)).resolve("pid");
            if (!Files.exists(pidFile))
            {
                continue;
            }
            final long pid = Long.parseLong(Files.readString(pidFile).trim());
            final Optional<ProcessHandle> handle = ProcessHandle.of(pid)
                .filter(h -> h.info().commandLine().map(c -> c.contains("kafka.Kafka")).orElse(false));
            if (handle.isPresent())
            {
                out.printf("kafka: stopping node %d left running by an earlier run (pid %d)%n", i + 1, pid);
                out.flush();
                handle.get().destroyForcibly();
                handle.get().onExit().orTimeout(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
            }
            Files.delete(pidFile);
        }
    }

    private static void checkPortsFree(final int portBase)
    {
        for (int i = 0; i < NODES; i++)
        {
            for (final int port : new int[] {brokerPort(portBase, i), controllerPort(portBase, i)})
            {
                try (ServerSocket socket = new ServerSocket())
                {
                    socket.setReuseAddress(true);
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                }
                catch (final IOException e)
                {
                    throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use (" + e.getMessage()
                        + "); 'ss -ltnp' shows which process holds it. Stop it, or move the Kafka nodes with"
                        + " --kafka-port-base (they use " + portBase + ".." + (portBase + NODES - 1) + " and "
                        + controllerPort(portBase, 0) + ".." + controllerPort(portBase, NODES - 1) + ")");
                }
            }
        }
    }

    /** Broker logging: to node-i/logs/server.log (kafka.logs.dir), bounded, at Kafka's default levels. */
    private static final String BROKER_LOG4J2 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Configuration status="warn">
          <Appenders>
            <RollingFile name="server" fileName="${sys:kafka.logs.dir}/server.log"
                         filePattern="${sys:kafka.logs.dir}/server.log.%i">
              <PatternLayout pattern="[%d] %p %m (%c)%n"/>
              <SizeBasedTriggeringPolicy size="50 MB"/>
              <DefaultRolloverStrategy max="2"/>
            </RollingFile>
          </Appenders>
          <Loggers>
            <Root level="info"><AppenderRef ref="server"/></Root>
            <Logger name="kafka.request.logger" level="warn"/>
          </Loggers>
        </Configuration>
        """;

    /**
     * {@code KafkaCluster <work-dir> [--flush-per-message] [--port-base N]}: starts the nodes and keeps them until
     * Ctrl-C or end of input.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 1)
        {
            System.err.println("usage: KafkaCluster <work-dir> [--flush-per-message] [--port-base N]");
            System.exit(ExitCodes.USAGE);
        }
        final List<String> rest = List.of(args).subList(1, args.length);
        final int portIndex = rest.indexOf("--port-base");
        final int portBase = portIndex >= 0 ? Integer.parseInt(rest.get(portIndex + 1)) : DEFAULT_PORT_BASE;
        final Settings settings = new Settings(Path.of(args[0]), defaultLibDir(), portBase,
            rest.contains("--flush-per-message"),
            Duration.ofSeconds(90));
        final PrintWriter out = new PrintWriter(System.out, true);
        try (KafkaCluster cluster = start(settings, out))
        {
            out.println("bootstrap: " + cluster.bootstrap() + " (Ctrl-C or end of input stops the nodes)");
            while (System.in.read() >= 0)
            {
                // Runs until stdin closes; Ctrl-C ends the JVM and the shutdown hook kills the nodes.
            }
        }
    }
}
