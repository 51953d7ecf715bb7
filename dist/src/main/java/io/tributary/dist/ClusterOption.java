package io.tributary.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tributary.protocol.tls.TlsSettings;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --cluster id@host:port,...}: the metadata quorum to talk to. Defaults to the
 * {@code TRIBUTARY_CLUSTER} environment variable, then to the cluster `tributary dev` started
 * (it writes {@value #DEV_CLUSTER_FILE}).
 */
public final class ClusterOption
{
    static final String DEV_CLUSTER_FILE = "data/dev/cluster.txt";

    @Option(names = "--cluster", paramLabel = "ID@HOST:PORT,...",
        description = "Metadata quorum (default: $TRIBUTARY_CLUSTER, else the cluster of `tributary dev`).")
    String cluster;

    @Option(names = "--certs", paramLabel = "DIR", description = "TLS 1.3 with the certificates in DIR (as "
        + "`tributary certs init` writes them): ca.pem and NAME.pem/.key (default: the security.tls.* system "
        + "properties, else no TLS).")
    Path certs;

    @Option(names = "--as", paramLabel = "NAME", defaultValue = "client", description =
        "With --certs: whose certificate to use (default ${DEFAULT-VALUE}).")
    String principal;

    @Mixin
    TransportOption transport;

    String transport()
    {
        return transport.transport();
    }

    /** The client's TLS: --certs and --as, else the security.tls.* system properties (off when absent). */
    TlsSettings tls()
    {
        if (certs == null)
        {
            return TlsSettings.fromProperties(System::getProperty);
        }
        return TlsSettings.of(certs.resolve("ca.pem"), certs.resolve(principal + ".pem"),
            certs.resolve(principal + ".key"));
    }

    String peers() throws IOException
    {
        if (cluster != null && !cluster.isBlank())
        {
            return cluster;
        }
        final String fromEnvironment = System.getenv("TRIBUTARY_CLUSTER");
        if (fromEnvironment != null && !fromEnvironment.isBlank())
        {
            return fromEnvironment;
        }
        final Path devFile = Path.of(DEV_CLUSTER_FILE);
        if (Files.exists(devFile))
        {
            return Files.readString(devFile).strip();
        }
        throw new IllegalArgumentException("no cluster given: pass --cluster id@host:port,... (the metadata quorum),"
            + " set TRIBUTARY_CLUSTER, or start one with `tributary dev`");
    }
}
