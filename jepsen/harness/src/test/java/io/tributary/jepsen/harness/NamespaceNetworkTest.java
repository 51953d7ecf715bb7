package io.tributary.jepsen.harness;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The harness's network is real: nodes in their namespaces reach each other over the bridge, a cut
 * drops their packets until healed, loss rules are installed, and nothing is left behind (also what
 * a dead harness left behind is removed by the next one).
 */
class NamespaceNetworkTest
{
    private static final List<String> NODES = List.of("a", "b", "c");

    @BeforeEach
    void needsNamespaces()
    {
        assumeTrue(NamespaceNetwork.unavailableBecause() == null,
            () -> "skipped: " + NamespaceNetwork.unavailableBecause());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void cutsDropTrafficBetweenNodesUntilHealedAndCloseRemovesEverything(@TempDir final Path dir) throws Exception
    {
        final Path listener = dir.resolve("Listen.java");
        Files.writeString(listener, """
            import java.net.InetAddress;
            import java.net.ServerSocket;

            public class Listen {
                public static void main(String[] args) throws Exception {
                    try (var server = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getByName(args[0]))) {
                        System.out.println("LISTENING");
                        System.out.flush();
                        while (true) { server.accept().close(); }
                    }
                }
            }
            """);
        final Process server;
        try (NamespaceNetwork network = NamespaceNetwork.create(NODES))
        {
            final List<String> command = new ArrayList<>(network.commandPrefix("b"));
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                listener.toString(),
                network.host("b"), "7100"));
            server = new ProcessBuilder(command).redirectErrorStream(true).start();
            try
            {
                assertThat(new String(server.getInputStream().readNBytes("LISTENING".length()))).isEqualTo("LISTENING");
                assertThat(connects(network, "a", "b")).as("a reaches b over the bridge").isTrue();

                network.cut(Map.of("a", Set.of("b"), "b", Set.of("a")));
                assertThat(connects(network, "a", "b")).as("the cut drops a's packets to b").isFalse();
                assertThat(connects(network, "c", "b")).as("c is not cut off").isTrue();

                network.heal();
                assertThat(connects(network, "a", "b")).as("healed").isTrue();

                network.loss(0.2);
                assertThat(Shell.run("ip", "netns", "exec", nsOf(network, "a"), "iptables", "-w", "-S", "TJLOSS"))
                    .contains("statistic").contains("0.2");
                network.heal();
                assertThat(Shell.run("ip", "netns", "exec", nsOf(network, "a"), "iptables", "-w", "-S", "TJLOSS"))
                    .doesNotContain("statistic");
            }
            finally
            {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(NamespaceLeftovers.ours()).as("nothing is left after close").isEmpty();
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void whatADeadHarnessLeftIsRemovedByTheNextOne() throws Exception
    {
        final long deadPid = deadPid();
        Shell.run("ip", "netns", "add", "tj" + deadPid + "-n1");
        Shell.run("ip", "link", "add", "tj" + deadPid + "b", "type", "bridge");
        try (NamespaceNetwork network = NamespaceNetwork.create(List.of("a")))
        {
            assertThat(Shell.run("ip", "netns", "list")).doesNotContain("tj" + deadPid + "-n1");
            assertThat(Shell.run("ip", "-o", "link", "show")).doesNotContain("tj" + deadPid + "b");
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void aFailedSetupRemovesWhatItMade() throws Exception
    {
        // A link already named like the second node's veth makes the setup fail half way through.
        Shell.run("ip", "link", "add", "tj" + ProcessHandle.current().pid() + "h2", "type", "bridge");
        try (NamespaceNetwork network = NamespaceNetwork.create(NODES))
        {
            throw new AssertionError("the setup should have failed on the second node's veth pair");
        }
        catch (final IOException expected)
        {
            assertThat(expected).hasMessageContaining("h2");
        }
        assertThat(NamespaceLeftovers.ours()).as("a failed setup leaves nothing").isEmpty();
    }

    private static long deadPid()
    {
        for (long pid = 4_000_000; ; pid++)
        {
            if (ProcessHandle.of(pid).isEmpty())
            {
                return pid;
            }
        }
    }

    private static String nsOf(final NamespaceNetwork network, final String node)
    {
        return network.commandPrefix(node).get(3);
    }

    /** Whether a TCP connection from one node's namespace to another's listener succeeds within 2 s. */
    private static boolean connects(final NamespaceNetwork network, final String from, final String to)
    {
        final List<String> command = new ArrayList<>(network.commandPrefix(from));
        command.addAll(List.of("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + network.host(to) + "/7100"));
        return Shell.tryRun(command).ok();
    }
}
