package io.tributary.protocol.tls;

import java.util.Properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Settings and PEM files: every mistake an operator makes is named, with what to do. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TlsFilesTest
{
    @TempDir
    Path dir;

    @Test
    void settingsAreOffByDefaultAndEveryProblemIsNamed() throws Exception
    {
        assertThat(TlsSettings.fromProperties(Map.<String, String>of()::get).enabled()).isFalse();
        assertThatThrownBy(() -> TlsSettings.fromProperties(Map.of(TlsSettings.ENABLED, "yes")::get))
            .hasMessageContaining(TlsSettings.ENABLED).hasMessageContaining("'yes'");
        final TlsSettings missing = TlsSettings.fromProperties(Map.of(TlsSettings.ENABLED, "true",
            TlsSettings.CA_FILE, dir.resolve("nope.pem").toString())::get);
        assertThatThrownBy(missing::validate).hasMessageContaining(TlsSettings.CA_FILE + "=")
            .hasMessageContaining("not a readable file").hasMessageContaining(TlsSettings.CERT_FILE + " is not set")
            .hasMessageContaining(TlsSettings.KEY_FILE + " is not set").hasMessageContaining("certs init");
        final TlsSettings valid = TlsSettings.of(Path.of("a"), Path.of("b"), Path.of("c"));
        final Properties written = new Properties();
        valid.toProperties(written::setProperty);
        assertThat(TlsSettings.fromProperties(written::getProperty)).isEqualTo(valid);
    }

    @Test
    void pemMistakesSayWhatToDo() throws Exception
    {
        final Path empty = Files.writeString(dir.resolve("empty.pem"), "hello");
        assertThatThrownBy(() -> PemFiles.certificates(empty)).hasMessageContaining("no '-----BEGIN CERTIFICATE");
        final Path sec1 = Files.writeString(dir.resolve("ec.key"),
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.privateKey(sec1)).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        final Path encrypted = Files.writeString(dir.resolve("enc.key"),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.privateKey(encrypted)).hasMessageContaining("encrypted");
        final Path damaged = Files.writeString(dir.resolve("bad.pem"),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemFiles.certificates(damaged)).hasMessageContaining("does not parse");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedAtStart() throws Exception
    {
        final DevCertificates authority = DevCertificates.createAuthority(dir, "test CA", Duration.ofDays(1));
        final DevCertificates.Issued a = authority.issueClient(dir, "a", Duration.ofDays(1));
        final DevCertificates.Issued b = authority.issueClient(dir, "b", Duration.ofDays(1));
        assertThatThrownBy(() -> new TlsContext(TlsSettings.of(authority.caFile(), a.certFile(), b.keyFile())))
            .hasMessageContaining("is not the private key of the certificate");
        assertThat(new TlsContext(TlsSettings.of(authority.caFile(), a.certFile(), a.keyFile())).identity())
            .hasToString("client:a");
    }

    @Test
    void principalsOfNodesAndClientsNeverMix() throws Exception
    {
        final DevCertificates authority = DevCertificates.createAuthority(dir, "test CA", Duration.ofDays(1));
        final DevCertificates.Issued node = authority.issueNode(dir, "n1", List.of("localhost"), Duration.ofDays(1));
        final DevCertificates.Issued client = authority.issueClient(dir, "n1", Duration.ofDays(1));
        assertThat(PeerIdentity.of(node.certificate())).hasToString("node:n1").isNotEqualTo(
            PeerIdentity.of(client.certificate()));
        assertThat(PeerIdentity.of(client.certificate())).hasToString("client:n1");
        assertThat(PeerIdentity.parse("node:n1")).isEqualTo(PeerIdentity.of(node.certificate()));
        assertThatThrownBy(() -> PeerIdentity.parse("n1")).hasMessageContaining("node:NAME or client:NAME");
    }
}
