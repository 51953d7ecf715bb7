package io.tributary.raft.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.opentelemetry.api.OpenTelemetry;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.engine.ShardLogConfig;
import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.raft.node.NodeConfig;
import io.tributary.raft.node.RaftSettings;
import io.tributary.raft.protocol.ShardEntryDescriptor;
import io.tributary.raft.shard.ShardStateMachine;
import io.tributary.raft.shard.ShardTracing;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * A minimal, controlled reproduction of the replicated-append latency: three Ratis servers with
 * exactly the node's {@link RaftSettings#server} properties, either in this JVM or one JVM each,
 * with a trivial state machine or the shard state machine, driven by one async client.
 *
 * <pre>
 * java ... RaftPerfRepro run trivial|shard inproc|procs [seconds=2] [durability=nofsync] [raft.x.y=value ...]
 * </pre>
 * Arguments {@code raft.server.*}, {@code raft.grpc.*}, ... are raw Ratis properties set over the node's; others are
 * node configuration keys (e.g. {@code raft.log.metadata=true}, {@code durability=nofsync}). Prints the serial latency
 * of one append (1 in flight) and the throughput and latency at 1, 8 and 64 in flight.
 */
public final class RaftPerfRepro
{
    private static final RaftGroupId GROUP_ID =
        RaftGroupId.valueOf(UUID.fromString("02511d47-d67c-49a3-9011-abb3109a44c1"));
    private static final int PAYLOAD = 1024;
    /** Processes whose CPU time each phase reports: this one and the server children. */
    private static final List<Long> PIDS = new ArrayList<>(List.of(ProcessHandle.current().pid()));

    private RaftPerfRepro()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args[0].equals("serve"))
        {
            serve(args);
        }
        else
        {
            run(args);
        }
    }

    // ---------------------------------------------------------------- server side

    /** One trivial state machine: the reply is the entry's index. */
    static final class TrivialStateMachine extends BaseStateMachine
    {
        @Override
        public CompletableFuture<Message> applyTransaction(final TransactionContext trx)
        {
            final long index = trx.getLogEntry().getIndex();
            updateLastAppliedTermIndex(trx.getLogEntry().getTerm(), index);
            return CompletableFuture.completedFuture(Message.valueOf(Long.toString(index)));
        }
    }

    static RaftServer newServer(final String id, final String stateMachine, final Path dir, final Map<String,
        String> peers,
        final Map<String, String> extra, final ScheduledExecutorService timer) throws IOException
    {
        final Properties p = new Properties();
        p.setProperty("node.id", id);
        p.setProperty("node.host", "127.0.0.1");
        p.setProperty("node.port", peers.get(id).substring(peers.get(id).lastIndexOf(':') + 1));
        p.setProperty("data.dir", dir.toString());
        p.setProperty("metadata.peers", id + "@" + peers.get(id));
        extra.forEach((k, v) ->
        {
            if (!isRatisKey(k))
            {
                if (!k.equals("seconds") && !k.equals("phases") && !k.equals("serial") && !k.equals("peers")
                    && !k.equals("warm") && !k.equals("clients"))
                {
                    p.setProperty(k, v);
                }
            }
        });
        final NodeConfig config = NodeConfig.of(p);
        final RaftProperties properties = RaftSettings.server(config);
        extra.forEach((k, v) ->
        {
            if (isRatisKey(k))
            {
                properties.set(k, v);
            }
        });
        final RaftServer server = RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(id))
            .setProperties(properties)
            .setStateMachineRegistry(groupId -> newStateMachine(stateMachine, id, config, groupId, timer))
            .setGroup(RaftSettings.group(GROUP_ID, peers))
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
        server.start();
        return server;
    }

    /** Raw Ratis properties (raft.server.*, raft.grpc.*, ...); other keys are node configuration. */
    private static boolean isRatisKey(final String key)
    {
        return key.startsWith("raft.server.") || key.startsWith("raft.grpc.") || key.startsWith("raft.client.")
            || key.startsWith("raft.netty.") || key.startsWith("raft.rpc.");
    }

    private static StateMachine newStateMachine(final String kind, final String id, final NodeConfig config,
        final RaftGroupId groupId,
        final ScheduledExecutorService timer)
    {
        if (kind.equals("trivial"))
        {
            return new TrivialStateMachine();
        }
        final ShardLogConfig logConfig = new ShardLogConfig()
            .directory(config.dataDir.resolve("shards").resolve(groupId.getUuid().toString()))
            .maxBatchBytes(config.shardMaxBatchBytes)
            .rollCycle(config.shardRollCycle)
            .maxKeys(config.shardMaxKeys);
        return new ShardStateMachine(logConfig, timer, new ShardTracing(OpenTelemetry.noop(), id),
            group -> RaftSettings.newClient(group, config.transport, config.requestTimeoutMs,
                RaftSettings.retryPolicy(20, 500)), timer);
    }

    /** Child JVM: serve id sm dir peers key=value...; READY on stdout; exits when stdin closes. */
    private static void serve(final String[] args) throws Exception
    {
        final String id = args[1];
        final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        final RaftServer server = newServer(id, args[2], Path.of(args[3]), parsePeers(args[4]),
            parseExtra(Arrays.copyOfRange(args, 5, args.length)), timer);
        System.out.println("READY " + id + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // wait for the parent to close stdin (or die)
        }
        server.close();
        timer.shutdownNow();
        System.exit(0);
    }

    // ---------------------------------------------------------------- driver

    private static void run(final String[] args) throws Exception
    {
        final String stateMachine = args[1];
        final boolean inProcess = args[2].equals("inproc");
        final Map<String, String> extra = parseExtra(Arrays.copyOfRange(args, 3, args.length));
        final int seconds = Integer.parseInt(extra.getOrDefault("seconds", "2"));
        final Path dir = Files.createTempDirectory("raft-perf-");
        final Map<String, String> peers = new LinkedHashMap<>();
        for (int i = 1; i <= Integer.parseInt(extra.getOrDefault("peers", "3")); i++)
        {
            peers.put("p" + i, "127.0.0.1:" + freePort());
        }
        final List<AutoCloseable> closeables = new ArrayList<>();
        final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        try
        {
            for (final String id : peers.keySet())
            {
                if (inProcess)
                {
                    closeables.add(newServer(id, stateMachine, dir.resolve(id), peers, extra, timer));
                }
                else
                {
                    closeables.add(startChild(id, stateMachine, dir, peers, args));
                }
            }
            final RaftGroup group = RaftSettings.group(GROUP_ID, peers);
            final List<RaftClient> clients = new ArrayList<>();
            for (int c = 0; c < Integer.parseInt(extra.getOrDefault("clients", "1")); c++)
            {
                clients.add(RaftClient.newBuilder().setRaftGroup(group)
                    .setProperties(RaftSettings.client(extra.getOrDefault("transport", RaftSettings.DEFAULT_TRANSPORT),
                        10_000)).setRetryPolicy(RaftSettings.retryPolicy(100, 100)).build());
            }
            try
            {
                final RaftClient client = clients.get(0);
                final byte[] request = payload(stateMachine);
                final RaftClientReply first = client.io().send(message(request));
                System.out.printf("%s %s %s: leader %s (first reply index %d)%n", stateMachine, inProcess ? "in-process"
                    : peers.size() + " JVMs", extra, first.getServerId(), first.getLogIndex());
                for (final String phase : extra.getOrDefault("phases", "warm,serial,1,8,64").split(","))
                {
                    switch (phase)
                    {
                        case "warm" -> load(clients, request, 64, Integer.parseInt(extra.getOrDefault("warm", "4")),
                            false);
                        case "idle" -> idle(seconds);
                        case "serial" -> serial(client, request, Integer.parseInt(extra.getOrDefault("serial", "300")));
                        default -> load(clients, request, Integer.parseInt(phase), seconds, true);
                    }
                }
            }
            finally
            {
                for (final RaftClient client : clients)
                {
                    client.close();
                }
            }
        }
        finally
        {
            for (final AutoCloseable closeable : closeables)
            {
                closeable.close();
            }
            timer.shutdownNow();
            IoUtil.delete(dir.toFile(), false);
        }
    }

    private static byte[] payload(final String stateMachine)
    {
        final byte[] value = new byte[PAYLOAD];
        Arrays.fill(value, (byte)'v');
        if (stateMachine.equals("trivial"))
        {
            return value;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.reset();
        builder.tryAppend(System.currentTimeMillis(), "key".getBytes(StandardCharsets.UTF_8), value);
        final int length = builder.build();
        return ShardEntryDescriptor.encodeSingle(buffer, 0, length, null, null);
    }

    private static Message message(final byte[] bytes)
    {
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
    }

    private static void serial(final RaftClient client, final byte[] request, final int count)
    {
        final long[] latencies = new long[count];
        for (int i = 0; i < count; i++)
        {
            final long start = System.nanoTime();
            client.async().send(message(request)).join();
            latencies[i] = System.nanoTime() - start;
        }
        System.out.printf("  serial (async, 1 at a time) %d appends: %s%n", count, summary(latencies, count));
    }

    private static void load(final List<RaftClient> clients, final byte[] request, final int inFlight,
        final int seconds, final boolean print)
        throws InterruptedException
    {
        final Semaphore permits = new Semaphore(inFlight);
        final long[] latencies = new long[4_000_000];
        final AtomicLong done = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final long cpuBefore = cpuMillis();
        final long switchesBefore = switches();
        final long start = System.nanoTime();
        final long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        while (System.nanoTime() < end)
        {
            permits.acquire();
            final long sendTime = System.nanoTime();
            clients.get((int)(sent % clients.size())).async().send(message(request)).whenComplete((reply, error) ->
            {
                final long n = done.getAndIncrement();
                if (n < latencies.length)
                {
                    latencies[(int)n] = System.nanoTime() - sendTime;
                }
                if (error != null || !reply.isSuccess())
                {
                    failed.incrementAndGet();
                }
                permits.release();
            });
            sent++;
        }
        permits.acquire(inFlight);
        final double elapsed = (System.nanoTime() - start) / 1e9;
        final long cpu = cpuMillis() - cpuBefore;
        final long switched = switches() - switchesBefore;
        final int n = (int)Math.min(done.get(), latencies.length);
        System.out.printf(print ? "" : "  (warm-up) ");
        System.out.printf("  %2d in flight: %7.0f appends/s (%d in %.2f s, %d failed), %s; CPU %.0f%% of a core, %.0f "
            + "us/append, %.1f thread switches/append%n",
            inFlight, sent / elapsed, sent, elapsed, failed.get(), summary(latencies, n), cpu / 10.0 / elapsed,
                cpu * 1000.0 / sent,
            switched / (double)sent);
    }

    private static void idle(final int seconds) throws InterruptedException
    {
        final long before = cpuMillis();
        Thread.sleep(seconds * 1000L); // a fixed measurement window for idle CPU, not a wait for a condition
        System.out.printf("  idle: CPU %.0f%% of a core%n", (cpuMillis() - before) / 10.0 / seconds);
    }

    /** User + system CPU of this process and the children (Linux /proc; 0 elsewhere). */
    private static long cpuMillis()
    {
        long ticks = 0;
        for (final long pid : PIDS)
        {
            try
            {
                final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
            catch (final IOException | RuntimeException e)
            {
                return 0;
            }
        }
        return ticks * 10; // USER_HZ = 100
    }

    /** Voluntary context switches (thread blocks/wake-ups) of this process and the children, over all threads. */
    private static long switches()
    {
        long total = 0;
        for (final long pid : PIDS)
        {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task")))
            {
                for (final Path task : tasks.toList())
                {
                    try
                    {
                        for (final String line : Files.readAllLines(task.resolve("status")))
                        {
                            if (line.startsWith("voluntary_ctxt_switches:"))
                            {
                                total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                    }
                    catch (final IOException e)
                    {
                        // thread ended
                    }
                }
            }
            catch (final IOException e)
            {
                return 0;
            }
        }
        return total;
    }

    private static String summary(final long[] latencies, final int n)
    {
        final long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        return String.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", sorted[n / 2] / 1e6,
            sorted[n * 9 / 10] / 1e6,
            sorted[Math.min(n - 1, n * 99 / 100)] / 1e6, sorted[n - 1] / 1e6);
    }

    // ---------------------------------------------------------------- helpers

    private static AutoCloseable startChild(final String id, final String stateMachine, final Path dir,
        final Map<String, String> peers,
        final String[] runArgs) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Djava.util.concurrent."))
            {
                command.add(arg);
            }
        }
        command.add("-Xmx512m");
        final String jvm = System.getProperty("repro.child.jvm", "");
        if (!jvm.isBlank())
        {
            for (final String arg : jvm.split(" "))
            {
                command.add(arg.replace("{id}", id));
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RaftPerfRepro.class.getName());
        command.add("serve");
        command.add(id);
        command.add(stateMachine);
        command.add(dir.resolve(id).toString());
        command.add(peers.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue())
            .collect(Collectors.joining(",")));
        command.addAll(Arrays.asList(runArgs).subList(3, runArgs.length));
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(id + ".log").toFile())).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        String line = out.readLine();
        while (line != null && !line.startsWith("READY"))
        {
            line = out.readLine(); // e.g. JFR's banner
        }
        if (line == null)
        {
            process.destroyForcibly();
            throw new IOException("child " + id + " did not start: " + Files.readString(dir.resolve(id + ".log")));
        }
        System.out.println("  " + line);
        PIDS.add(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
        return () ->
        {
            final OutputStream in = process.getOutputStream();
            in.close();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
            process.waitFor(10, TimeUnit.SECONDS);
        };
    }

    private static Map<String, String> parsePeers(final String text)
    {
        final Map<String, String> peers = new LinkedHashMap<>();
        for (final String entry : text.split(","))
        {
            peers.put(entry.substring(0, entry.indexOf('@')), entry.substring(entry.indexOf('@') + 1));
        }
        return peers;
    }

    private static Map<String, String> parseExtra(final String[] args)
    {
        final Map<String, String> extra = new LinkedHashMap<>();
        for (final String arg : args)
        {
            extra.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        return extra;
    }

    private static int freePort() throws IOException
    {
        return LoopbackPorts.reserve();
    }
}
