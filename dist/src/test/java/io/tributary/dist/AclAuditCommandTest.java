package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.ExitCodes;
import io.tributary.raft.node.RunningCluster;
import picocli.CommandLine;

/**
 * Issue #17, points 3 and 4, from the command line: {@code acl grant|list|revoke} as the admin certificate that
 * {@code certs init} makes, a refusal for the client certificate, and {@code audit tail|verify} as an auditor, against
 * three node processes with TLS.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AclAuditCommandTest
{
    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        final CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void anAdminGrantsAndRevokesAClientIsRefusedAndAnAuditorVerifiesTheTrail() throws Exception
    {
        final Path certs = dir.resolve("certs");
        assertThat(run("certs", "init", certs.toString())).as(err.toString()).isZero();
        try (RunningCluster cluster = RunningCluster.builder(dir.resolve("cluster")).tls(certs).start())
        {
            final String peers = cluster.processes().metadataPeers().entrySet().stream()
                .map(e -> e.getKey() + "@" + e.getValue()).collect(Collectors.joining(","));
            final String[] asAdmin = {"--cluster", peers, "--certs", certs.toString(), "--as", "admin"};
            final String[] asClient = {"--cluster", peers, "--certs", certs.toString(), "--as", "client"};

            assertThat(run(concat(new String[] {"acl", "grant"}, asClient, "--principal", "client:client", "--role",
                "cluster-admin"))).isEqualTo(ExitCodes.FAILED);
            assertThat(err.toString()).contains("client:client may not administer the cluster: it needs cluster-admin");

            assertThat(run(concat(new String[] {"acl", "grant"}, asAdmin, "--principal", "client:client", "--role",
                "auditor"))).as(err.toString()).isZero();
            assertThat(out.toString()).contains("granted client:client auditor *");
            assertThat(run(concat(new String[] {"acl", "grant"}, asAdmin, "--principal", "client:client", "--role",
                "producer", "--stream", "sensors.*"))).as(err.toString()).isZero();
            assertThat(run(concat(new String[] {"acl", "list"}, asAdmin))).as(err.toString()).isZero();
            assertThat(out.toString()).contains("client:client").contains("auditor").contains("sensors.*");
            assertThat(run(concat(new String[] {"acl", "revoke"}, asAdmin, "--principal", "client:client", "--role",
                "producer", "--stream", "sensors.*"))).as(err.toString()).isZero();
            assertThat(run(concat(new String[] {"acl", "grant"}, asAdmin, "--principal", "client", "--role",
                "producer"))).isEqualTo(ExitCodes.FAILED);
            assertThat(err.toString()).contains("write node:NAME or client:NAME");

            // The nodes write the trail in the background: poll until the revocation is in it. Each poll opens
            // sessions, which are audited too, so the whole trail is printed: a window of the last records could
            // slide past the revocation.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (run(concat(new String[] {"audit", "tail"}, asClient, "--count", "1000000")) != 0
                || !out.toString().contains("REVOKE client:client producer sensors.*: ok"))
            {
                assertThat(System.nanoTime() - deadlineNs).as("the trail in time: %s %s", tail(out.toString()), err)
                    .isNegative();
            }
            assertThat(out.toString()).contains("client:admin@").contains("GRANT client:client auditor *: ok")
                .contains("client:client@").contains("denied: client:client may not administer the cluster");
            assertThat(run(concat(new String[] {"audit", "verify"}, asClient))).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("audit trail intact: ");
        }
    }

    /** The last lines of a long output, for a failure's message. */
    private static String tail(final String text)
    {
        return text.length() <= 8_000 ? text : "..." + text.substring(text.length() - 8_000);
    }

    private static String[] concat(final String[] command, final String[] cluster, final String... rest)
    {
        final String[] all = new String[command.length + cluster.length + rest.length];
        System.arraycopy(command, 0, all, 0, command.length);
        System.arraycopy(cluster, 0, all, command.length, cluster.length);
        System.arraycopy(rest, 0, all, command.length + cluster.length, rest.length);
        return all;
    }
}
