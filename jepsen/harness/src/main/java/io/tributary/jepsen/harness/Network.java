package io.tributary.jepsen.harness;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the nodes under test live and how their traffic can be cut: Linux network namespaces on a
 * bridge ({@link NamespaceNetwork}, real packet drops) or plain loopback ({@link LoopbackNetwork},
 * process faults only).
 */
interface Network extends AutoCloseable
{
    /** The address a node listens on. */
    String host(String nodeId);

    /** The port a node listens on. */
    int port(String nodeId);

    /** What to put before {@code java ...} so the node runs inside its network (empty on loopback). */
    List<String> commandPrefix(String nodeId);

    /** Whether partitions and packet loss can be injected. */
    boolean faultsSupported();

    /** Whether {@code tc netem} (delay) works here; these machines' kernels lack it. */
    boolean delaySupported();

    /** One line for the console and results: what the network is and what it can do. */
    String describe();

    /**
     * Drops every packet between each node and the peers it maps to (the map is made symmetric by
     * the caller); replaces any previous cut. Client traffic from the harness still flows.
     */
    void cut(Map<String, Set<String>> unreachable) throws IOException;

    /** Drops this fraction of every node's incoming packets (peers and clients alike), at random. */
    void loss(double probability) throws IOException;

    /** Removes every cut and every loss rule. */
    void heal() throws IOException;

    /** Removes everything this network created; safe to call twice and after a failed setup. */
    @Override
    void close();
}
