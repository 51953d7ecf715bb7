package io.tributary.dist;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.tributary.protocol.ExitCodes;
import io.tributary.protocol.tls.DevCertificates;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary certs init|issue}: a local CA and the certificates of a dev cluster (docs/security.md). */
@Command(name = "certs", mixinStandardHelpOptions = true, description =
    "Create a local CA and certificates for a dev cluster with TLS (docs/security.md).",
    subcommands = {CertsCommand.Init.class, CertsCommand.Issue.class})
public final class CertsCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A validity of 1 to 3650 days, else a usage error naming the option. */
    static boolean validDays(final CommandSpec spec, final String command, final int days)
    {
        if (days >= 1 && days <= 3650)
        {
            return true;
        }
        spec.commandLine().getErr().println("tributary certs " + command + ": --days " + days + ": use 1 to 3650");
        return false;
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = {
        "Create DIR/ca.pem and ca.key (a new CA), a certificate and key per node (node-<id>.pem, .key), and ones for "
            + "an admin and a client (admin.pem, client.pem, ...).",
        "Nodes get OU=tributary-node, clients OU=tributary-client; the CN is the principal's name."})
    static final class Init implements Callable<Integer>
    {
        @Parameters(index = "0", description = "Directory to write into (created; must not hold a CA already).")
        Path dir;

        @Option(names = "--nodes", split = ",", defaultValue = "n1,n2,n3", description =
            "Node ids (default ${DEFAULT-VALUE}).")
        List<String> nodes;

        @Option(names = "--clients", split = ",", defaultValue = "admin,client", description =
            "Client principals (default ${DEFAULT-VALUE}).")
        List<String> clients;

        @Option(names = "--host", description = "A host name or address the nodes serve on, besides localhost, the "
            + "loopback addresses and this machine's name (repeatable).")
        List<String> hosts = new ArrayList<>();

        @Option(names = "--days", defaultValue = "365", description = "Validity in days (default ${DEFAULT-VALUE}).")
        int days;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            if (Files.exists(dir.resolve(DevCertificates.CA_KEY_FILE)))
            {
                spec.commandLine().getErr().println("tributary certs init: " + dir.resolve(DevCertificates.CA_KEY_FILE)
                    + " exists: this directory already has a CA. Use 'tributary certs issue' to add certificates, or "
                    + "name another directory.");
                return ExitCodes.USAGE;
            }
            if (!validDays(spec, "init", days))
            {
                return ExitCodes.USAGE;
            }
            final Duration validity = Duration.ofDays(days);
            final DevCertificates authority = DevCertificates.createAuthority(dir, "Tributary dev CA", validity);
            out.printf("CA        %s (key %s: keep it private)%n", authority.caFile(),
                dir.resolve(DevCertificates.CA_KEY_FILE));
            final List<String> nodeHosts = DevCertificates.localHosts();
            for (final String host : hosts)
            {
                if (!nodeHosts.contains(host))
                {
                    nodeHosts.add(host);
                }
            }
            for (final String node : nodes)
            {
                final DevCertificates.Issued issued = authority.issueNode(dir, node, nodeHosts, validity);
                out.printf("node:%-5s %s, %s%n", node, issued.certFile(), issued.keyFile());
            }
            for (final String client : clients)
            {
                final DevCertificates.Issued issued = authority.issueClient(dir, client, validity);
                out.printf("client:%-3s %s, %s%n", client, issued.certFile(), issued.keyFile());
            }
            out.printf("nodes serve on: %s%n", String.join(", ", nodeHosts));
            out.printf("a node's configuration: security.tls.enabled=true, security.tls.ca.file=%s, "
                + "security.tls.cert.file=%s, security.tls.key.file=%s%n", authority.caFile(),
                dir.resolve("node-<id>.pem"), dir.resolve("node-<id>.key"));
            return 0;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, description =
        "Issue one more certificate from the CA in DIR (a new node, a new client, or a renewal).")
    static final class Issue implements Callable<Integer>
    {
        @Parameters(index = "0", description = "Directory holding ca.pem and ca.key.")
        Path dir;

        @Option(names = "--node", description = "Issue a node certificate for this node id.")
        String node;

        @Option(names = "--client", description = "Issue a client certificate for this principal name.")
        String client;

        @Option(names = "--host", description = "Extra host names or addresses for a node (repeatable).")
        List<String> hosts = new ArrayList<>();

        @Option(names = "--days", defaultValue = "365", description = "Validity in days (default ${DEFAULT-VALUE}).")
        int days;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            if ((node == null) == (client == null))
            {
                spec.commandLine().getErr().println("tributary certs issue: give exactly one of --node ID or "
                    + "--client NAME");
                return ExitCodes.USAGE;
            }
            if (!validDays(spec, "issue", days))
            {
                return ExitCodes.USAGE;
            }
            if (!Files.exists(dir.resolve(DevCertificates.CA_KEY_FILE)))
            {
                spec.commandLine().getErr().println("tributary certs issue: no CA in " + dir + " (ca.pem and ca.key); "
                    + "create one with 'tributary certs init " + dir + "'");
                return ExitCodes.USAGE;
            }
            final DevCertificates authority = DevCertificates.load(dir);
            final DevCertificates.Issued issued;
            if (node != null)
            {
                final List<String> nodeHosts = DevCertificates.localHosts();
                nodeHosts.addAll(hosts);
                issued = authority.issueNode(dir, node, nodeHosts, Duration.ofDays(days));
            }
            else
            {
                issued = authority.issueClient(dir, client, Duration.ofDays(days));
            }
            spec.commandLine().getOut().printf("%s: %s, %s (valid until %s)%n",
                node != null ? "node:" + node : "client:" + client, issued.certFile(), issued.keyFile(),
                issued.certificate().getNotAfter().toInstant());
            return 0;
        }
    }
}
