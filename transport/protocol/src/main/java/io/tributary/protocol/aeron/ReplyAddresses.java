package io.tributary.protocol.aeron;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a client asks servers to send replies. Aeron is one-way, so every request carries a
 * reply-to address, and it must be one the server can reach: 127.0.0.1 only works when the
 * server is on this host's loopback. Asking the OS which source address it would use towards
 * the server (a connected UDP socket sends nothing) gives the right interface for servers on
 * loopback, on another host, or in another network namespace.
 */
public final class ReplyAddresses
{
    private ReplyAddresses()
    {
    }

    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern IPV4 = Pattern.compile(
        "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    /**
     * host:port: a name or IPv4 address, or a bracketed IPv6 one. Nothing that could add an Aeron channel parameter.
     */
    private static final Pattern HOST_PORT = Pattern.compile(
        "(?:[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]):([0-9]{1,5})");

    /**
     * Why a reply-to address a request carries is not one to publish to, or null if it is. The address
     * becomes an Aeron channel ({@code aeron:udp?endpoint=...}): a '|' or '?' in it would add channel
     * parameters (a 1 GiB term buffer, another interface), so only a plain host:port passes.
     */
    public static String invalid(final String address)
    {
        final Matcher m = HOST_PORT.matcher(address);
        if (!m.matches())
        {
            return "reply-to '" + address.replaceAll("[^\\x20-\\x7e]", "?") + "' is not host:port";
        }
        final int port = Integer.parseInt(m.group(1));
        if (port < 1 || port > 65535)
        {
            return "reply-to '" + address + "' has port " + port + ", outside 1-65535";
        }
        final String host = address.substring(0, address.lastIndexOf(':'));
        // All digits and dots is an IPv4 literal or nothing: never a name to look up (the driver would ask DNS).
        if (DIGITS_AND_DOTS.matcher(host).matches() && !IPV4.matcher(host).matches())
        {
            return "reply-to '" + address + "' is not an IPv4 address";
        }
        return null;
    }

    /** The configured host if any, else the local address the OS routes from towards {@code serverAddress}. */
    public static String towards(final String configuredHost, final String serverAddress) throws IOException
    {
        if (configuredHost != null)
        {
            return configuredHost;
        }
        final int colon = serverAddress.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IOException("Aeron transport: server address '" + serverAddress + "' is not host:port");
        }
        final InetAddress server = InetAddress.getByName(serverAddress.substring(0, colon));
        if (server.isLoopbackAddress())
        {
            return "127.0.0.1";
        }
        try (DatagramSocket probe = new DatagramSocket())
        {
            probe.connect(new InetSocketAddress(server, Integer.parseInt(serverAddress.substring(colon + 1))));
            final InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress())
            {
                throw new IOException("Aeron transport: no route from this host to server " + serverAddress
                    + "; set " + AeronTransportConfig.PREFIX
                        + "client.host to the interface to reply to");
            }
            return local.getHostAddress();
        }
    }
}
