package io.tributary.jepsen.harness;

import io.tributary.protocol.net.LoopbackPorts;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every node on 127.0.0.1 with its own free port: for machines without namespaces (not root). */
final class LoopbackNetwork implements Network
{
    private final Map<String, Integer> ports = new HashMap<>();
    private final String why;

    LoopbackNetwork(final List<String> nodeIds, final String why) throws IOException
    {
        this.why = why;
        final int[] free = LoopbackPorts.reserve(nodeIds.size(), Set.of());
        for (int i = 0; i < nodeIds.size(); i++)
        {
            ports.put(nodeIds.get(i), free[i]);
        }
    }

    @Override
    public String host(final String nodeId)
    {
        return "127.0.0.1";
    }

    @Override
    public int port(final String nodeId)
    {
        final Integer port = ports.get(nodeId);
        if (port == null)
        {
            throw new IllegalArgumentException("unknown node " + nodeId + "; nodes are " + ports.keySet());
        }
        return port;
    }

    @Override
    public List<String> commandPrefix(final String nodeId)
    {
        return List.of();
    }

    @Override
    public boolean faultsSupported()
    {
        return false;
    }

    @Override
    public boolean delaySupported()
    {
        return false;
    }

    @Override
    public String describe()
    {
        return "loopback (no network namespaces: " + why + "); process faults only, no partitions or packet loss";
    }

    @Override
    public void cut(final Map<String, Set<String>> unreachable)
    {
        throw new UnsupportedOperationException("partitions need network namespaces; " + describe());
    }

    @Override
    public void loss(final double probability)
    {
        throw new UnsupportedOperationException("packet loss needs network namespaces; " + describe());
    }

    @Override
    public void heal()
    {
        // Nothing to heal: this network never cuts anything.
    }

    @Override
    public void close()
    {
        // Nothing was created.
    }
}
