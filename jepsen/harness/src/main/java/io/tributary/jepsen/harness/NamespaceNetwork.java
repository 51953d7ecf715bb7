package io.tributary.jepsen.harness;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Linux network namespace per node, each joined to a bridge in the harness's namespace by a
 * veth pair, on a /24 of 10.77.0.0/16 that no interface here uses yet. The harness (and its
 * clients) talk to the nodes over the bridge from {@code 10.77.S.1}; node {@code i} is
 * {@code 10.77.S.(10+i)}. Faults are iptables rules inside the node namespaces, in two chains of
 * our own (TJCUT for partitions, TJLOSS for packet loss), so healing is flushing them.
 *
 * <p>Names carry the harness's pid ({@code tj<pid>-n1}, bridge {@code tj<pid>b}): {@link #create}
 * first removes what a dead harness left behind, and {@link #close} removes everything this one made.
 */
final class NamespaceNetwork implements Network
{
    private static final Pattern OURS = Pattern.compile("^tj(\\d+)(?:-n\\d+|b|h\\d+)(?:@.*)?$");

    private final String tag;
    private final String subnet;
    private final int port;
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final Map<String, String> hosts = new LinkedHashMap<>();
    private final String bridge;
    private boolean delaySupported;

    private NamespaceNetwork(final String tag, final String subnet, final int port)
    {
        this.tag = tag;
        this.subnet = subnet;
        this.port = port;
        this.bridge = tag + "b";
    }

    /** Why namespaces cannot be used here, or null when they can. */
    static String unavailableBecause()
    {
        if (!"0".equals(Shell.tryRun("id", "-u").output()))
        {
            return "not root (network namespaces and iptables need root)";
        }
        if (!Shell.tryRun("ip", "-V").ok())
        {
            return "iproute2 (`ip`) is not installed";
        }
        if (!Shell.tryRun("iptables", "--version").ok())
        {
            return "iptables is not installed";
        }
        return null;
    }

    /** Creates the bridge and one namespace per node; on failure removes what it made and throws. */
    static NamespaceNetwork create(final List<String> nodeIds) throws IOException
    {
        removeLeftovers();
        final long pid = ProcessHandle.current().pid();
        final NamespaceNetwork network = new NamespaceNetwork("tj" + pid, freeSubnet(pid), 7000 + (int)(pid % 1000));
        try
        {
            network.build(nodeIds);
            return network;
        }
        catch (final IOException | RuntimeException e)
        {
            network.close();
            throw e;
        }
    }

    private void build(final List<String> nodeIds) throws IOException
    {
        Shell.run("ip", "link", "add", bridge, "type", "bridge");
        Shell.run("ip", "addr", "add", subnet + ".1/24", "dev", bridge);
        Shell.run("ip", "link", "set", bridge, "up");
        int number = 1;
        for (final String id : nodeIds)
        {
            final String ns = tag + "-n" + number;
            final String hostSide = tag + "h" + number;
            final String nodeSide = tag + "p" + number;
            final String address = subnet + "." + (10 + number);
            namespaces.put(id, ns);
            hosts.put(id, address);
            Shell.run("ip", "netns", "add", ns);
            Shell.run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nodeSide);
            Shell.run("ip", "link", "set", hostSide, "master", bridge, "up");
            Shell.run("ip", "link", "set", nodeSide, "netns", ns);
            Shell.run("ip", "-n", ns, "link", "set", nodeSide, "name", "eth0");
            Shell.run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
            Shell.run("ip", "-n", ns, "link", "set", "eth0", "up");
            Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
            for (final String chain : List.of("TJCUT", "TJLOSS"))
            {
                iptables(ns, "-N", chain);
                iptables(ns, "-A", "INPUT", "-j", chain);
            }
            number++;
        }
        // tc netem is the only way to add delay; these kernels lack the module, so say so rather than pretend.
        final String first = namespaces.values().iterator().next();
        delaySupported = Shell.tryRun("ip", "netns", "exec", first, "tc", "qdisc", "add", "dev", "lo", "root", "netem",
            "delay", "1ms").ok();
        if (delaySupported)
        {
            Shell.tryRun("ip", "netns", "exec", first, "tc", "qdisc", "del", "dev", "lo", "root");
        }
    }

    private static String freeSubnet(final long pid) throws IOException
    {
        final String addresses = Shell.run("ip", "-4", "-o", "addr", "show");
        for (int i = 0; i < 250; i++)
        {
            final String candidate = "10.77." + (1 + (pid + i) % 250);
            if (!addresses.contains(candidate + "."))
            {
                return candidate;
            }
        }
        throw new IOException("every 10.77.x.0/24 is in use on this machine; remove stale tj* interfaces (ip link)");
    }

    /** Deletes namespaces and bridges named tj<pid>... whose harness process is gone. */
    private static void removeLeftovers()
    {
        for (final String line : Shell.tryRun("ip", "netns", "list").output().split("\n"))
        {
            final String name = line.split(" ")[0].strip();
            if (isLeftover(name))
            {
                Shell.tryRun("ip", "netns", "del", name);
            }
        }
        for (final String line : Shell.tryRun("ip", "-o", "link", "show").output().split("\n"))
        {
            final String[] parts = line.split(":\\s+");
            final String name = parts.length > 1 ? parts[1].strip().split("@")[0] : "";
            if (isLeftover(name))
            {
                Shell.tryRun("ip", "link", "del", name);
            }
        }
    }

    private static boolean isLeftover(final String name)
    {
        final Matcher matcher = OURS.matcher(name);
        return matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).map(p -> !p.isAlive())
            .orElse(true);
    }

    private static void iptables(final String ns, final String... rule) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "iptables", "-w"));
        command.addAll(List.of(rule));
        final Shell.Result result = Shell.tryRun(command);
        if (!result.ok())
        {
            throw new IOException("`" + String.join(" ", command) + "` failed: " + result.output());
        }
    }

    @Override
    public String host(final String nodeId)
    {
        final String host = hosts.get(nodeId);
        if (host == null)
        {
            throw new IllegalArgumentException("unknown node " + nodeId + "; nodes are " + hosts.keySet());
        }
        return host;
    }

    @Override
    public int port(final String nodeId)
    {
        host(nodeId);
        return port;
    }

    @Override
    public List<String> commandPrefix(final String nodeId)
    {
        return List.of("ip", "netns", "exec", namespaces.get(nodeId));
    }

    @Override
    public boolean faultsSupported()
    {
        return true;
    }

    @Override
    public boolean delaySupported()
    {
        return delaySupported;
    }

    @Override
    public String describe()
    {
        return "network namespaces " + tag + "-n1.." + namespaces.size() + " on bridge " + bridge + " (" + subnet
            + ".0/24); partitions and packet loss by iptables; " + (delaySupported ? "delay by tc netem"
            : "no delay faults: this kernel has no tc netem");
    }

    @Override
    public void cut(final Map<String, Set<String>> unreachable) throws IOException
    {
        for (final Map.Entry<String, String> node : namespaces.entrySet())
        {
            iptables(node.getValue(), "-F", "TJCUT");
            for (final String peer : unreachable.getOrDefault(node.getKey(), Set.of()))
            {
                iptables(node.getValue(), "-A", "TJCUT", "-s", host(peer), "-j", "DROP");
            }
        }
    }

    @Override
    public void loss(final double probability) throws IOException
    {
        for (final String ns : namespaces.values())
        {
            iptables(ns, "-F", "TJLOSS");
            iptables(ns, "-A", "TJLOSS", "-m", "statistic", "--mode", "random", "--probability",
                String.format(Locale.ROOT, "%.3f", probability), "-j", "DROP");
        }
    }

    @Override
    public void heal() throws IOException
    {
        for (final String ns : namespaces.values())
        {
            iptables(ns, "-F", "TJCUT");
            iptables(ns, "-F", "TJLOSS");
        }
    }

    @Override
    public void close()
    {
        for (final String ns : namespaces.values())
        {
            Shell.tryRun("ip", "netns", "del", ns);
        }
        for (int number = 1; number <= namespaces.size(); number++)
        {
            // Only left in this namespace when a setup failed before moving the pair's other end.
            Shell.tryRun("ip", "link", "del", tag + "h" + number);
        }
        // Deleting a namespace deletes its end of each veth pair, and so the pair; the bridge is ours to remove.
        Shell.tryRun("ip", "link", "del", bridge);
        namespaces.clear();
    }
}
