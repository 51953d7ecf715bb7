package io.tributary.jepsen.harness;

import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.client.TributaryException;
import io.tributary.jepsen.harness.check.RunChecks;
import io.tributary.jepsen.harness.check.RunVerdict;
import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.access.Role;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.LocalCluster;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * One harness run: builds the network, starts the nodes, creates the stream, runs the clients and
 * the nemesis for the run's time, heals every fault, runs the final reads, stops everything,
 * removes what it created (also on failure, and on Ctrl-C), then checks the history and writes
 * the results. The run folder holds {@code history.jsonl}, {@code results.json},
 * {@code timeline.html}, the linearizability reports of failing keys, {@code seed} and the node
 * logs under {@code nodes/}.
 */
public final class JepsenRun
{
    static final String STREAM = "jepsen";
    /** The principal of the clients' certificate when the run has TLS on. */
    static final String CLIENT_PRINCIPAL = "client:jepsen";

    private final RunOptions options;
    private final PrintStream console;
    /** The clients' TLS (off unless the node settings turn it on). */
    private TlsSettings clientTls = TlsSettings.disabled();
    /** The harness's own admin (setup and nemesis): client:admin, the nodes' bootstrap cluster admin. */
    private TlsSettings adminTls = TlsSettings.disabled();

    public JepsenRun(final RunOptions options, final PrintStream console)
    {
        this.options = options;
        this.console = console;
    }

    /** Runs and checks; the verdict says whether every checker found the history valid. */
    public RunVerdict run() throws IOException, InterruptedException
    {
        if (Files.isDirectory(options.out()))
        {
            try (var entries = Files.list(options.out()))
            {
                if (entries.findAny().isPresent())
                {
                    // Nodes would restart from the old data, with the old run's addresses: refuse rather than mix runs.
                    throw new IllegalArgumentException("--out " + options.out()
                        + " is not empty; give each run a new folder");
                }
            }
        }
        final Path out = Files.createDirectories(options.out());
        Files.writeString(out.resolve("seed"), options.seed() + "\n", StandardCharsets.UTF_8);
        final Path historyFile = out.resolve("history.jsonl");
        final List<String> ids = new ArrayList<>();
        for (int i = 1; i <= options.nodes(); i++)
        {
            ids.add("n" + i);
        }
        console.printf("jepsen: workload %s, nemesis %s, %d nodes, %s at %.0f ops/s, seed %d, out %s%n",
            options.workload(),
            faultNames(options.faults()), options.nodes(), options.time(), options.rate(), options.seed(), out);
        final Network network = openNetwork(ids);
        final Map<String, String> nodeConfig = new LinkedHashMap<>(options.nodeConfig());
        nodeConfig.putIfAbsent("transport", options.transport());
        nodeConfig.putAll(hardPathSettings(options, nodeConfig));
        final NodeSet nodes = new NodeSet(out.resolve("nodes"), network, ids, Math.min(3, ids.size()), nodeConfig);
        // TLS when the node settings turn it on: a CA and a certificate per node naming its (namespace) address, and
        // one for the clients, under the run's folder.
        final boolean secure = Boolean.parseBoolean(nodeConfig.getOrDefault(TlsSettings.ENABLED, "false"));
        clientTls = secure ? issueCertificates(out.resolve("certs"), ids, network, nodes) : TlsSettings.disabled();
        final Path certs = out.resolve("certs").toAbsolutePath();
        adminTls = secure ? TlsSettings.of(certs.resolve("ca.pem"), certs.resolve("admin.pem"),
            certs.resolve("admin.key")) : TlsSettings.disabled();
        final Thread cleanup = new Thread(() ->
        {
            nodes.close();
            network.close();
        }, "jepsen-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        final Set<Fault> faults = EnumSet.noneOf(Fault.class);
        faults.addAll(options.faults());
        if (!network.faultsSupported() && faults.removeIf(Fault::needsNetwork))
        {
            console.println("jepsen: partition and loss faults are left out: " + network.describe());
        }
        final Map<String, Object> runInfo = runInfo(network, faults);
        try
        {
            startAll(nodes);
            console.println("jepsen: " + ids.size() + " nodes ready");
            try (HistoryLog history = new HistoryLog(historyFile);
                 Admin admin = Admin.create(new AdminConfig().metadataPeers(nodes.metadataPeers())
                     .transport(options.transport()).tls(adminTls).requestTimeoutMs(3_000)))
            {
                awaitNodesKnown(admin, ids.size());
                admin.createStream(STREAM, options.shards(), 3, options.retentionBytes(), -1);
                if (clientTls.enabled())
                {
                    // Security on: the clients' principal gets exactly what the workload does, on its stream.
                    admin.grant(CLIENT_PRINCIPAL, Role.PRODUCER, STREAM);
                    admin.grant(CLIENT_PRINCIPAL, Role.CONSUMER, STREAM);
                }
                awaitStreamReady(admin, nodes);
                runPhases(nodes, network, admin, history, faults);
            }
        }
        finally
        {
            nodes.close();
            network.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        console.println("jepsen: checking " + historyFile);
        final RunVerdict verdict = RunChecks.checkAndWrite(out, historyFile, options.workload(), runInfo,
            options.checkTimeout());
        console.println(verdict.summary());
        return verdict;
    }

    /**
     * The node settings that make a run reach snapshots, log purges and retention (issue #14, point 7); what
     * {@code --node-config} sets itself wins. {@code --snapshot-entries N} snapshots every N entries and purges
     * the Raft log up to the snapshot with a gap of N/10, so a follower back from a kill or a partition often
     * needs an install from the leader. {@code --retention-bytes} needs files to delete within a run (shard
     * files roll every second) and snapshots (retention deletes only what a snapshot covers): without
     * {@code --snapshot-entries}, every 500 entries.
     */
    static Map<String, String> hardPathSettings(final RunOptions options, final Map<String, String> given)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        long snapshotEntries = options.snapshotEntries();
        if (snapshotEntries == 0 && options.retentionBytes() > 0)
        {
            snapshotEntries = 500;
        }
        if (snapshotEntries > 0)
        {
            settings.put("snapshot.auto.entries", Long.toString(snapshotEntries));
            settings.put("raft.log.purge.gap", Long.toString(Math.max(1, snapshotEntries / 10)));
        }
        if (options.retentionBytes() > 0)
        {
            settings.put("shard.roll.cycle", "TEST_SECONDLY");
        }
        settings.keySet().removeAll(given.keySet());
        return settings;
    }

    private Network openNetwork(final List<String> ids) throws IOException
    {
        final String why = options.useNamespaces() ? NamespaceNetwork.unavailableBecause() : "--no-namespaces";
        final Network network = why == null ? NamespaceNetwork.create(ids) : new LoopbackNetwork(ids, why);
        console.println("jepsen: network: " + network.describe());
        return network;
    }

    /**
     * Waits for the stream's shards to be placed and led, restarting (as a supervisor would) any
     * node that exits meanwhile: a node whose Aeron client closed itself exits with code 3.
     */
    private void awaitStreamReady(final Admin admin, final NodeSet nodes) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true)
        {
            for (final Map.Entry<String, Integer> exited : nodes.takeExited().entrySet())
            {
                console.println("jepsen: node " + exited.getKey() + " exited during setup with code "
                    + exited.getValue() + " (see " + nodes.logFile(exited.getKey()) + "); restarting it");
                nodes.start(exited.getKey());
            }
            try
            {
                admin.awaitStreamReady(STREAM, Duration.ofSeconds(15));
                return;
            }
            catch (final IOException | TributaryException e)
            {
                // Not ready in this pass (awaitStreamReady's timeout is a TributaryException): on a loaded machine
                // the controller creates about a shard a second, so try again until the run's own deadline.
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw e;
                }
                console.println("jepsen: waiting on for the stream: " + e.getMessage());
            }
        }
    }

    /**
     * Nodes register with the metadata quorum after they start; shards are placed on every node once all are active.
     */
    static void awaitNodesKnown(final Admin admin, final int count) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int known = 0;
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final List<Admin.NodeInfo> nodes = admin.nodes();
                known = nodes.size();
                int active = 0;
                for (final Admin.NodeInfo node : nodes)
                {
                    if ("ACTIVE".equals(node.state()))
                    {
                        active++;
                    }
                    else if ("REGISTERED".equals(node.state()))
                    {
                        // Only the metadata nodes start active; the others hold replicas once added.
                        admin.addNode(node.id());
                    }
                }
                if (active >= count)
                {
                    return;
                }
            }
            catch (final IOException e)
            {
                // The metadata quorum may still be electing its leader.
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        throw new IOException("the " + count + " nodes were not all registered and active within 60 s (" + known
            + " registered);" + " see the node logs");
    }

    private static void startAll(final NodeSet nodes) throws IOException, InterruptedException
    {
        final ExecutorService starters = Executors.newFixedThreadPool(nodes.ids().size());
        try
        {
            final List<Future<?>> started = new ArrayList<>();
            for (final String id : nodes.ids())
            {
                started.add(starters.submit(() ->
                {
                    nodes.start(id);
                    return null;
                }));
            }
            for (final Future<?> future : started)
            {
                try
                {
                    future.get();
                }
                catch (final ExecutionException e)
                {
                    throw new IOException("the cluster did not start: " + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        finally
        {
            starters.shutdownNow();
        }
    }

    /**
     * A CA under {@code dir}, a certificate per node naming its address in the run's network (and loopback), set as
     * that node's files, one for the clients ({@link #CLIENT_PRINCIPAL}) and one for the harness's admin
     * (client:admin); returns the clients' settings.
     */
    private static TlsSettings issueCertificates(final Path dir, final List<String> ids, final Network network,
        final NodeSet nodes) throws IOException
    {
        final DevCertificates authority = DevCertificates.createAuthority(dir, "jepsen CA", Duration.ofDays(1));
        for (final String id : ids)
        {
            final List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1"));
            if (!hosts.contains(network.host(id)))
            {
                hosts.add(network.host(id));
            }
            final DevCertificates.Issued issued = authority.issueNode(dir, id, hosts, Duration.ofDays(1));
            nodes.configure(id, TlsSettings.CA_FILE, authority.caFile().toAbsolutePath().toString());
            nodes.configure(id, TlsSettings.CERT_FILE, issued.certFile().toAbsolutePath().toString());
            nodes.configure(id, TlsSettings.KEY_FILE, issued.keyFile().toAbsolutePath().toString());
        }
        authority.issueClient(dir, "admin", Duration.ofDays(1));
        final DevCertificates.Issued client = authority.issueClient(dir, "jepsen", Duration.ofDays(1));
        return TlsSettings.of(authority.caFile().toAbsolutePath(), client.certFile().toAbsolutePath(),
            client.keyFile().toAbsolutePath());
    }

    private void runPhases(final NodeSet nodes, final Network network, final Admin admin, final HistoryLog history,
        final Set<Fault> faults) throws IOException, InterruptedException
    {
        final ClientContext context = new ClientContext(history, nodes.metadataPeers(), options.transport(), clientTls,
            STREAM, options.shards(), options.concurrency(), 10_000, new AtomicLong(), System.nanoTime());
        final List<ClientProcess> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < options.concurrency(); i++)
            {
                clients.add(RunOptions.REGISTER.equals(options.workload())
                    ? new RegisterClient(context, i, options.keys()) : new LogClient(context, i));
            }
            final long startNs = System.nanoTime();
            final long endNs = startNs + options.time().toNanos();
            final Nemesis nemesis = new Nemesis(nodes, network, admin, history, STREAM, options.shards(), faults,
                options.faultsAtOnce(), options.seed(), endNs);
            final Thread nemesisThread = new Thread(nemesis, "jepsen-nemesis");
            nemesisThread.start();
            final Pacer pacer = new Pacer(options.rate());
            final ExecutorService workers = Executors.newFixedThreadPool(clients.size());
            final List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++)
            {
                final ClientProcess client = clients.get(i);
                final Random random = new Random(options.seed() * 31 + i);
                running.add(workers.submit(() ->
                {
                    while (pacer.await(endNs))
                    {
                        client.step(random);
                    }
                }));
            }
            progressUntil(history, startNs, endNs);
            nemesisThread.join(TimeUnit.SECONDS.toMillis(120));
            console.println("jepsen: healing every fault");
            nemesis.healAll();
            awaitAll(running, "client operations");
            final Map<String, String> refusing = nemesis.unexpectedRefusals();
            if (!refusing.isEmpty())
            {
                // A disk fault to a shard's copy is repaired by the node (set aside, rebuilt from the peers): expected
                // back.
                throw new
                    IOException("nodes refuse to start after the heal although their damage is to shard copies they"
                    + " must set aside and rebuild (issue #14, point 3): " + refusing);
            }
            awaitReadyAfterHeal(admin, nodes);
            console.println("jepsen: final reads");
            final List<Future<?>> finals = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++)
            {
                final int index = i;
                finals.add(workers.submit(() -> clients.get(index).finalReads(index)));
            }
            awaitAll(finals, "final reads");
            workers.shutdownNow();
        }
        finally
        {
            clients.forEach(ClientProcess::close);
        }
    }

    /**
     * After the heal every shard must get a leader again. When one does not, the run fails, and the
     * failure says why: which nodes run, what each replica reports, and the end of a stopped node's log
     * (CI keeps only the console).
     */
    private void awaitReadyAfterHeal(final Admin admin, final NodeSet nodes) throws IOException, InterruptedException
    {
        try
        {
            admin.awaitStreamReady(STREAM, Duration.ofSeconds(90));
        }
        catch (final IOException e)
        {
            console.println("jepsen: the stream is not ready after the heal: " + e.getMessage());
            final List<String> running = nodes.runningIds();
            console.println("jepsen: running nodes " + running + " of " + nodes.ids());
            try
            {
                for (final Admin.ShardStatus shard : admin.streamStatus(STREAM))
                {
                    console.println("jepsen:   shard " + shard.shard() + " leader " + shard.leader() + ": "
                        + shard.replicas());
                }
            }
            catch (final IOException | RuntimeException statusError)
            {
                console.println("jepsen:   stream status failed: " + statusError.getMessage());
            }
            for (final String id : nodes.ids())
            {
                if (!running.contains(id))
                {
                    console.println("jepsen: the end of " + nodes.logFile(id) + ":\n"
                        + LocalCluster.tail(nodes.logFile(id)));
                }
            }
            throw e;
        }
    }

    private void progressUntil(final HistoryLog history, final long startNs, final long endNs)
    {
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - endNs < 0)
        {
            LockSupport.parkNanos(Math.min(endNs - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(200)));
            if (System.nanoTime() - nextReportNs >= 0)
            {
                final long[] counts = history.counts();
                console.printf("jepsen: %3d s: ok %d, fail %d, info %d%n",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs),
                    counts[0], counts[1], counts[2]);
                nextReportNs += TimeUnit.SECONDS.toNanos(10);
            }
        }
    }

    private static void awaitAll(final List<Future<?>> futures, final String what) throws InterruptedException,
        IOException
    {
        for (final Future<?> future : futures)
        {
            try
            {
                future.get(5, TimeUnit.MINUTES);
            }
            catch (final ExecutionException e)
            {
                throw new IOException(what + " failed: " + e.getCause(), e.getCause());
            }
            catch (final TimeoutException e)
            {
                throw new IOException(what + " did not finish within 5 minutes");
            }
        }
    }

    private Map<String, Object> runInfo(final Network network, final Set<Fault> faults)
    {
        final Map<String, Object> info = new LinkedHashMap<>();
        info.put("workload", options.workload());
        info.put("seed", options.seed());
        info.put("nemesis", faultNames(faults));
        info.put("nodes", (long)options.nodes());
        info.put("timeS", options.time().toSeconds());
        info.put("rate", options.rate());
        info.put("concurrency", (long)options.concurrency());
        info.put("shards", (long)options.shards());
        info.put("transport", options.transport());
        info.put("faultsAtOnce", (long)options.faultsAtOnce());
        if (options.snapshotEntries() > 0)
        {
            info.put("snapshotEntries", options.snapshotEntries());
        }
        if (options.retentionBytes() > 0)
        {
            info.put("retentionBytes", options.retentionBytes());
        }
        info.put("network", network.describe());
        info.put("delayFaults", network.delaySupported() ? "tc netem available"
            : "unavailable: no tc netem in this kernel");
        if (!options.nodeConfig().isEmpty())
        {
            info.put("nodeConfig", new LinkedHashMap<>(options.nodeConfig()));
        }
        return info;
    }

    private static String faultNames(final Set<Fault> faults)
    {
        return faults.isEmpty() ? "none" : faults.stream().sorted().map(Fault::label).collect(Collectors.joining(","));
    }
}
