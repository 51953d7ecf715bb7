package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.ExitCodes;
import io.tributary.protocol.tls.PemFiles;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSettings;
import picocli.CommandLine;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CertsCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void initWritesACaAndCertificatesEveryProcessCanLoad() throws Exception
    {
        final Path certs = dir.resolve("certs");
        assertThat(run("certs", "init", certs.toString(), "--nodes", "n1,n2", "--host", "10.0.0.5"))
            .as(err.toString()).isZero();

        for (final String name : new String[] {"node-n1", "node-n2", "admin", "client"})
        {
            final TlsContext context = new TlsContext(TlsSettings.of(certs.resolve("ca.pem"),
                certs.resolve(name + ".pem"), certs.resolve(name + ".key")));
            final PeerIdentity identity = context.identity();
            assertThat(identity.toString()).isEqualTo(name.startsWith("node-") ? "node:" + name.substring(5)
                : "client:" + name);
            // Signed by the CA that was written.
            context.certificate().verify(PemFiles.certificates(certs.resolve("ca.pem")).get(0).getPublicKey());
        }
        final X509Certificate node = PemFiles.certificates(certs.resolve("node-n1.pem")).get(0);
        assertThat(node.getSubjectAlternativeNames().toString()).contains("localhost").contains("127.0.0.1")
            .contains("10.0.0.5");
        assertThat(out.toString()).contains("node:n1").contains("client:admin").contains("security.tls.ca.file");
    }

    @Test
    void initRefusesADirectoryThatHasACaAndIssueAddsToIt() throws Exception
    {
        final Path certs = dir.resolve("certs");
        assertThat(run("certs", "init", certs.toString())).isZero();
        assertThat(run("certs", "init", certs.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("already has a CA");

        assertThat(run("certs", "issue", certs.toString(), "--node", "n4")).as(err.toString()).isZero();
        assertThat(new TlsContext(TlsSettings.of(certs.resolve("ca.pem"), certs.resolve("node-n4.pem"),
            certs.resolve("node-n4.key"))).identity()).hasToString("node:n4");
        assertThat(run("certs", "issue", certs.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("exactly one of --node");
        assertThat(run("certs", "issue", dir.resolve("none").toString(), "--client", "x"))
            .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("no CA in");
    }
}
