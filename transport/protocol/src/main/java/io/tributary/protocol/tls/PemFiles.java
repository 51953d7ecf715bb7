package io.tributary.protocol.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone (a client application does not need BouncyCastle): certificates
 * ({@code BEGIN CERTIFICATE}, one or a chain) and an unencrypted PKCS#8 private key ({@code BEGIN
 * PRIVATE KEY}, EC or RSA). Every error names the file and says how to fix it.
 */
public final class PemFiles
{
    private static final Pattern BLOCK = Pattern.compile(
        "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** Far above any real certificate chain or key: a larger file is a mistake, not something to parse. */
    private static final long FILE_BYTES_MAX = 1024 * 1024;

    private PemFiles()
    {
    }

    /** The certificates in {@code file}, in file order (leaf first for a chain); at least one. */
    public static List<X509Certificate> certificates(final Path file) throws IOException
    {
        final List<X509Certificate> certificates = new ArrayList<>();
        final CertificateFactory factory;
        try
        {
            factory = CertificateFactory.getInstance("X.509");
        }
        catch (final CertificateException ex)
        {
            throw new IllegalStateException("this JVM has no X.509 certificate factory", ex);
        }
        for (final Block block : blocks(file))
        {
            if (!block.label.equals("CERTIFICATE"))
            {
                continue;
            }
            try
            {
                certificates.add((X509Certificate)factory.generateCertificate(new ByteArrayInputStream(block.der)));
            }
            catch (final CertificateException ex)
            {
                throw new IOException(file + ": certificate " + (certificates.size() + 1) + " does not parse ("
                    + ex.getMessage() + "); is the file a PEM X.509 certificate?", ex);
            }
        }
        if (certificates.isEmpty())
        {
            throw new IOException(file + ": no '-----BEGIN CERTIFICATE-----' block; name a PEM certificate file");
        }
        return certificates;
    }

    /** The unencrypted PKCS#8 private key in {@code file} (EC or RSA). */
    public static PrivateKey privateKey(final Path file) throws IOException
    {
        for (final Block block : blocks(file))
        {
            switch (block.label)
            {
                case "PRIVATE KEY":
                    return pkcs8(file, block.der);
                case "ENCRYPTED PRIVATE KEY":
                    throw new IOException(file + ": the private key is encrypted; give an unencrypted PKCS#8 key "
                        + "(openssl pkcs8 -topk8 -nocrypt -in KEY) in a file only this process's user can read");
                case "EC PRIVATE KEY":
                case "RSA PRIVATE KEY":
                    throw new IOException(file + ": a " + block.label + " (SEC1/PKCS#1) block; convert it to PKCS#8 "
                        + "with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName());
                default:
                    break;
            }
        }
        throw new IOException(file + ": no '-----BEGIN PRIVATE KEY-----' block; name a PKCS#8 PEM private key file");
    }

    private static PrivateKey pkcs8(final Path file, final byte[] der) throws IOException
    {
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        final List<String> tried = List.of("EC", "RSA", "Ed25519");
        for (final String algorithm : tried)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            }
            catch (final InvalidKeySpecException ex)
            {
                // Not this algorithm: try the next.
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IllegalStateException("this JVM has no " + algorithm + " key factory", ex);
            }
        }
        throw new IOException(file + ": the PKCS#8 key is none of " + tried + " (or is damaged)");
    }

    private record Block(String label, byte[] der)
    {
    }

    private static List<Block> blocks(final Path file) throws IOException
    {
        final long size = Files.size(file);
        if (size > FILE_BYTES_MAX)
        {
            throw new IOException(file + ": " + size + " bytes, more than any PEM certificate or key ("
                + FILE_BYTES_MAX + "); is it the right file?");
        }
        final String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        final List<Block> blocks = new ArrayList<>();
        final Matcher matcher = BLOCK.matcher(text);
        while (matcher.find())
        {
            try
            {
                blocks.add(new Block(matcher.group(1), Base64.getMimeDecoder().decode(matcher.group(2))));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException(file + ": the " + matcher.group(1) + " block is not valid base64", ex);
            }
        }
        return blocks;
    }
}
