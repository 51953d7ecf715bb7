package io.tributary.protocol.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for dev clusters and tests (BouncyCastle's PKIX builder, EC P-256 keys): it
 * writes its own certificate and key, then issues node and client certificates signed by it, each as a
 * PEM certificate and a PKCS#8 PEM key (readable by the owner only). Node certificates carry
 * {@code OU=tributary-node} and name the hosts they serve (subject alternative names); client ones
 * carry {@code OU=tributary-client}. Production clusters use their own CA; the files have the same shape.
 * <p>
 * BouncyCastle is an optional dependency of this module: only a process that issues certificates needs it.
 */
public final class DevCertificates
{
    public static final String CA_CERT_FILE = "ca.pem";
    public static final String CA_KEY_FILE = "ca.key";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The files of one issued identity. */
    public record Issued(Path certFile, Path keyFile, X509Certificate certificate)
    {
    }

    private final Path caFile;
    private final X509Certificate caCertificate;
    private final PrivateKey caKey;

    private DevCertificates(final Path caFile, final X509Certificate caCertificate, final PrivateKey caKey)
    {
        this.caFile = caFile;
        this.caCertificate = caCertificate;
        this.caKey = caKey;
    }

    /** Creates a CA valid for {@code validity} from now, writing ca.pem and ca.key into {@code dir}. */
    public static DevCertificates createAuthority(final Path dir, final String name, final Duration validity)
        throws IOException
    {
        Files.createDirectories(dir);
        final KeyPair keys = newKeyPair();
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name)
            .addRDN(BCStyle.O, "Tributary").build();
        final Instant now = Instant.now();
        final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
            Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, keys.getPublic());
        final X509Certificate certificate;
        try
        {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            certificate = sign(builder, keys.getPrivate());
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot build the CA certificate: " + ex.getMessage(), ex);
        }
        final Path caFile = dir.resolve(CA_CERT_FILE);
        writePem(caFile, "CERTIFICATE", encoded(certificate), false);
        writePem(dir.resolve(CA_KEY_FILE), "PRIVATE KEY", keys.getPrivate().getEncoded(), true);
        return new DevCertificates(caFile, certificate, keys.getPrivate());
    }

    /** The CA whose ca.pem and ca.key are in {@code dir} (to issue more certificates later). */
    public static DevCertificates load(final Path dir) throws IOException
    {
        final Path caFile = dir.resolve(CA_CERT_FILE);
        return new DevCertificates(caFile, PemFiles.certificates(caFile).get(0),
            PemFiles.privateKey(dir.resolve(CA_KEY_FILE)));
    }

    public Path caFile()
    {
        return caFile;
    }

    public X509Certificate caCertificate()
    {
        return caCertificate;
    }

    /** A node's certificate: {@code CN=nodeId, OU=tributary-node}, for {@code hosts}, valid from now. */
    public Issued issueNode(final Path dir, final String nodeId, final List<String> hosts, final Duration validity)
        throws IOException
    {
        final Instant now = Instant.now();
        return issue(dir, "node-" + nodeId, nodeId, PeerIdentity.NODE_UNIT, hosts, now.minus(Duration.ofMinutes(5)),
            now.plus(validity));
    }

    /** A client's certificate: {@code CN=name, OU=tributary-client}, valid from now. */
    public Issued issueClient(final Path dir, final String name, final Duration validity) throws IOException
    {
        final Instant now = Instant.now();
        return issue(dir, name, name, PeerIdentity.CLIENT_UNIT, List.of(), now.minus(Duration.ofMinutes(5)),
            now.plus(validity));
    }

    /**
     * Issues {@code fileName}.pem and {@code fileName}.key in {@code dir}: subject {@code CN=commonName,
     * OU=unit}, the given validity (tests make expired ones), and {@code hosts} as DNS names or IP addresses.
     */
    public Issued issue(final Path dir, final String fileName, final String commonName, final String unit,
        final List<String> hosts, final Instant notBefore, final Instant notAfter) throws IOException
    {
        if (!NAME.matcher(commonName).matches() || !NAME.matcher(fileName).matches())
        {
            throw new IllegalArgumentException("certificate name '" + commonName + "' (file '" + fileName
                + "'): use 1-64 of A-Z a-z 0-9 . _ -");
        }
        Files.createDirectories(dir);
        final KeyPair keys = newKeyPair();
        final X500Name issuer = X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName)
            .addRDN(BCStyle.OU, unit).addRDN(BCStyle.O, "Tributary").build();
        final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(),
            Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
        final boolean node = PeerIdentity.NODE_UNIT.equals(unit);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, node
            ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
            : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        if (!hosts.isEmpty())
        {
            final List<GeneralName> names = new ArrayList<>();
            for (final String host : hosts)
            {
                names.add(IPV4.matcher(host).matches() || host.contains(":")
                    ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(names.toArray(new GeneralName[0])));
        }
        final X509Certificate certificate = sign(builder, caKey);
        final Path certFile = dir.resolve(fileName + ".pem");
        final Path keyFile = dir.resolve(fileName + ".key");
        writePem(certFile, "CERTIFICATE", encoded(certificate), false);
        writePem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded(), true);
        return new Issued(certFile, keyFile, certificate);
    }

    /** The hosts a dev node's certificate names: localhost, the loopback addresses, this machine's name. */
    public static List<String> localHosts()
    {
        final List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        try
        {
            final String name = InetAddress.getLocalHost().getHostName();
            if (!hosts.contains(name))
            {
                hosts.add(name);
            }
        }
        catch (final IOException ex)
        {
            // No resolvable host name: the loopback names are enough for a dev cluster.
        }
        return hosts;
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final PrivateKey key)
        throws IOException
    {
        try
        {
            return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        }
        catch (final OperatorCreationException | GeneralSecurityException ex)
        {
            throw new IOException("cannot sign a certificate: " + ex.getMessage(), ex);
        }
    }

    private static KeyPair newKeyPair()
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", ex);
        }
    }

    private static BigInteger serial()
    {
        return new BigInteger(120, RANDOM);
    }

    private static byte[] encoded(final X509Certificate certificate) throws IOException
    {
        try
        {
            return certificate.getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("cannot encode a certificate: " + ex.getMessage(), ex);
        }
    }

    /** Writes a PEM file; a key file is made readable by its owner only (where the file system can say so). */
    private static void writePem(final Path file, final String label, final byte[] der, final boolean secret)
        throws IOException
    {
        final String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        final String text = "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (secret && FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rw-------")));
        }
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        // A rename, so a process reloading the file never reads half of it.
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
    }
}
