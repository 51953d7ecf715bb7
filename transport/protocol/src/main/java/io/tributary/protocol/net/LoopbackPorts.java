package io.tributary.protocol.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for nodes started on 127.0.0.1 (local clusters, tests, the Jepsen harness without namespaces).
 *
 * <p>Binding port 0 and closing the socket, the usual trick, failed CI: the kernel handed the same port to two
 * nodes of one cluster in a row (n2 and n3 both on 42183), and a port from the ephemeral range can also be taken
 * by any outgoing socket (Aeron's own publications bind ephemeral UDP ports) before the node binds it. So the
 * ports come from below the kernel's ephemeral range, where the kernel never assigns one on its own; each one is
 * checked free for both TCP and UDP on loopback; all of one call's sockets stay open until every port is chosen,
 * so one call never returns a port twice; and a port this process handed out is not handed out again soon.
 */
public final class LoopbackPorts
{
    /** Below this are the well-known and commonly configured ports. */
    private static final int LOWEST_PORT = 10_000;
    private static final int ATTEMPTS_PER_PORT = 200;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private LoopbackPorts()
    {
    }

    /** One free port. */
    public static int reserve() throws IOException
    {
        return reserve(1, Set.of())[0];
    }

    /** {@code count} distinct ports, each free for TCP and UDP on 127.0.0.1, none of them in {@code taken}. */
    public static synchronized int[] reserve(final int count, final Collection<Integer> taken) throws IOException
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        final int ephemeralLowest = ephemeralLowest();
        final int span = ephemeralLowest - LOWEST_PORT;
        if (HANDED_OUT.size() > span / 2)
        {
            HANDED_OUT.clear();
        }
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        final List<ServerSocket> held = new ArrayList<>(count);
        final int[] ports = new int[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                ServerSocket socket = null;
                for (int attempt = 0; attempt < ATTEMPTS_PER_PORT && socket == null; attempt++)
                {
                    final int candidate = span > count ? LOWEST_PORT + ThreadLocalRandom.current().nextInt(span) : 0;
                    if (candidate != 0 && (taken.contains(candidate) || HANDED_OUT.contains(candidate)))
                    {
                        continue;
                    }
                    socket = bindBoth(loopback, candidate, taken);
                }
                if (socket == null)
                {
                    throw new IOException("no free loopback port (TCP and UDP) found in " + ATTEMPTS_PER_PORT
                        + " attempts below the ephemeral range starting at " + ephemeralLowest
                        + "; free some ports or widen net.ipv4.ip_local_port_range");
                }
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
        }
        finally
        {
            for (final ServerSocket socket : held)
            {
                socket.close();
            }
        }
        for (final int port : ports)
        {
            HANDED_OUT.add(port);
        }
        return ports;
    }

    /** A server socket on the port (0: any) if both it and a datagram socket could bind there, else null. */
    private static ServerSocket bindBoth(final InetAddress address, final int port, final Collection<Integer> taken)
    {
        final ServerSocket server;
        try
        {
            server = new ServerSocket();
            server.setReuseAddress(true);
        }
        catch (final IOException e)
        {
            return null;
        }
        try
        {
            server.bind(new InetSocketAddress(address, port), 1);
            if (port == 0 && (taken.contains(server.getLocalPort()) || HANDED_OUT.contains(server.getLocalPort())))
            {
                server.close();
                return null;
            }
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, server.getLocalPort())))
            {
                return server;
            }
        }
        catch (final IOException e)
        {
            try
            {
                server.close();
            }
            catch (final IOException ignored)
            {
                // nothing was bound
            }
            return null;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux); 32768, the Linux default, where it cannot be read. */
    static int ephemeralLowest()
    {
        // A reader, not Files.readString: that trusts the size procfs reports (0) and returned "3" here
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range")))
        {
            final String line = reader.readLine();
            return line == null ? 32_768 : Integer.parseInt(line.trim().split("\\s+")[0]);
        }
        catch (final IOException | RuntimeException e)
        {
            return 32_768;
        }
    }
}
