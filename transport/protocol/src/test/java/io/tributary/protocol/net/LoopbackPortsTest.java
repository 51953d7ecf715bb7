package io.tributary.protocol.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class LoopbackPortsTest
{
    @Test
    void oneCallNeverReturnsAPortTwiceAndEachBindsForTcpAndUdp() throws Exception
    {
        final int[] ports = LoopbackPorts.reserve(64, Set.of());
        final Set<Integer> distinct = new HashSet<>();
        for (final int port : ports)
        {
            assertThat(distinct.add(port)).as("port %d returned twice in %s", port, Arrays.toString(ports)).isTrue();
            try (ServerSocket tcp = new ServerSocket();
                DatagramSocket udp = new DatagramSocket(null))
            {
                tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    @Test
    void portsComeFromBelowTheEphemeralRangeWhereTheKernelAssignsNoneOnItsOwn() throws Exception
    {
        final int ephemeralLowest = LoopbackPorts.ephemeralLowest();
        for (final int port : LoopbackPorts.reserve(16, Set.of()))
        {
            assertThat(port).isBetween(10_000, ephemeralLowest - 1);
        }
    }

    @Test
    void consecutiveCallsAvoidPortsAlreadyTakenAndPortsHandedOutBefore() throws Exception
    {
        final Set<Integer> seen = new HashSet<>();
        for (int call = 0; call < 100; call++)
        {
            final int port = LoopbackPorts.reserve(1, List.copyOf(seen))[0];
            assertThat(seen.add(port)).as("call %d returned %d again", call, port).isTrue();
        }
    }

    @Test
    void aPortBusyForUdpOnlyIsNotReturned() throws Exception
    {
        final Set<Integer> busy = new HashSet<>();
        final List<DatagramSocket> held = new ArrayList<>();
        try
        {
            for (int i = 10_000; i < LoopbackPorts.ephemeralLowest() && held.size() < 2_000; i += 7)
            {
                try
                {
                    held.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), i)));
                    busy.add(i);
                }
                catch (final SocketException inUse)
                {
                    // already busy: skip it
                }
            }
            for (final int port : LoopbackPorts.reserve(200, Set.of()))
            {
                assertThat(busy).doesNotContain(port);
            }
        }
        finally
        {
            for (final DatagramSocket socket : held)
            {
                socket.close();
            }
        }
    }

    @Test
    void aCountBelowOneIsRefused()
    {
        assertThatThrownBy(() -> LoopbackPorts.reserve(0, Set.of())).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("was 0");
    }
}
