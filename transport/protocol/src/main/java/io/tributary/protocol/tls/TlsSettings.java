package io.tributary.protocol.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Where a process's TLS material is and how it is used: the CA that signs every certificate of the
 * cluster, this process's certificate and its PKCS#8 private key (PEM files), whether a client checks
 * that a node's certificate names the host it dialled, and how often the files are checked for a change.
 * <p>
 * Read from {@code security.tls.*} keys (a node's configuration file, a client's system properties or
 * configuration); {@link #validate()} names the key, its value and what to do.
 */
public final class TlsSettings
{
    public static final String PREFIX = "security.tls.";
    public static final String ENABLED = PREFIX + "enabled";
    public static final String CA_FILE = PREFIX + "ca.file";
    public static final String CERT_FILE = PREFIX + "cert.file";
    public static final String KEY_FILE = PREFIX + "key.file";
    public static final String VERIFY_HOSTNAME = PREFIX + "verify.hostname";
    public static final String RELOAD_CHECK_MS = PREFIX + "reload.check.ms";
    public static final String HANDSHAKE_TIMEOUT_MS = PREFIX + "handshake.timeout.ms";

    public static final long DEFAULT_RELOAD_CHECK_MS = 1_000;
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

    private static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, true,
        DEFAULT_RELOAD_CHECK_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS);

    private final boolean enabled;
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final boolean verifyHostname;
    private final long reloadCheckMs;
    private final long handshakeTimeoutMs;

    public TlsSettings(final boolean enabled, final Path caFile, final Path certFile, final Path keyFile,
        final boolean verifyHostname, final long reloadCheckMs, final long handshakeTimeoutMs)
    {
        this.enabled = enabled;
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.verifyHostname = verifyHostname;
        this.reloadCheckMs = reloadCheckMs;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
    }

    /** TLS off: the default. */
    public static TlsSettings disabled()
    {
        return DISABLED;
    }

    /** TLS on with the files of one identity (as written by {@code tributary certs init}). */
    public static TlsSettings of(final Path caFile, final Path certFile, final Path keyFile)
    {
        return new TlsSettings(true, caFile, certFile, keyFile, true, DEFAULT_RELOAD_CHECK_MS,
            DEFAULT_HANDSHAKE_TIMEOUT_MS);
    }

    /**
     * Reads the {@code security.tls.*} keys through {@code lookup} (null: absent). Absent keys take their
     * defaults; values that do not parse throw {@link IllegalArgumentException} naming the key.
     */
    public static TlsSettings fromProperties(final Function<String, String> lookup)
    {
        final boolean enabled = parseBoolean(lookup, ENABLED, false);
        if (!enabled)
        {
            return DISABLED;
        }
        return new TlsSettings(true, path(lookup, CA_FILE), path(lookup, CERT_FILE), path(lookup, KEY_FILE),
            parseBoolean(lookup, VERIFY_HOSTNAME, true),
            parseLong(lookup, RELOAD_CHECK_MS, DEFAULT_RELOAD_CHECK_MS),
            parseLong(lookup, HANDSHAKE_TIMEOUT_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS));
    }

    /**
     * Writes these settings as the keys {@link #fromProperties} reads (to hand them to a component configured by
     * properties, e.g. Ratis's).
     */
    public void toProperties(final BiConsumer<String, String> sink)
    {
        sink.accept(ENABLED, Boolean.toString(enabled));
        if (!enabled)
        {
            return;
        }
        sink.accept(CA_FILE, caFile.toString());
        sink.accept(CERT_FILE, certFile.toString());
        sink.accept(KEY_FILE, keyFile.toString());
        sink.accept(VERIFY_HOSTNAME, Boolean.toString(verifyHostname));
        sink.accept(RELOAD_CHECK_MS, Long.toString(reloadCheckMs));
        sink.accept(HANDSHAKE_TIMEOUT_MS, Long.toString(handshakeTimeoutMs));
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof TlsSettings that && enabled == that.enabled && verifyHostname == that.verifyHostname
            && reloadCheckMs == that.reloadCheckMs && handshakeTimeoutMs == that.handshakeTimeoutMs
            && Objects.equals(caFile, that.caFile) && Objects.equals(certFile, that.certFile)
            && Objects.equals(keyFile, that.keyFile);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(enabled, caFile, certFile, keyFile, verifyHostname, reloadCheckMs,
            handshakeTimeoutMs);
    }

    /** The same settings with hostname verification on or off (a client that dials nodes by an alias). */
    public TlsSettings verifyHostname(final boolean verify)
    {
        return new TlsSettings(enabled, caFile, certFile, keyFile, verify, reloadCheckMs, handshakeTimeoutMs);
    }

    /** The same settings with another reload check interval (tests check often). */
    public TlsSettings reloadCheckMs(final long intervalMs)
    {
        return new TlsSettings(enabled, caFile, certFile, keyFile, verifyHostname, intervalMs, handshakeTimeoutMs);
    }

    /**
     * Throws {@link IllegalArgumentException} listing every problem: a file that is not named, missing or
     * unreadable, an interval out of range.
     */
    public TlsSettings validate()
    {
        if (!enabled)
        {
            return this;
        }
        final List<String> problems = new ArrayList<>();
        checkFile(problems, CA_FILE, caFile, "the PEM certificate of the CA that signs the cluster's certificates");
        checkFile(problems, CERT_FILE, certFile, "this process's PEM certificate (chain)");
        checkFile(problems, KEY_FILE, keyFile, "this process's PKCS#8 PEM private key");
        if (reloadCheckMs < 10 || reloadCheckMs > 3_600_000)
        {
            problems.add(RELOAD_CHECK_MS + " is " + reloadCheckMs + ": use 10 to 3600000");
        }
        if (handshakeTimeoutMs < 100 || handshakeTimeoutMs > 600_000)
        {
            problems.add(HANDSHAKE_TIMEOUT_MS + " is " + handshakeTimeoutMs + ": use 100 to 600000");
        }
        if (!problems.isEmpty())
        {
            throw new IllegalArgumentException("TLS settings (" + ENABLED + "=true): " + String.join("; ", problems)
                + " (bin/tributary certs init DIR writes a dev cluster's files; docs/security.md)");
        }
        return this;
    }

    private static void checkFile(final List<String> problems, final String key, final Path file, final String what)
    {
        if (file == null)
        {
            problems.add(key + " is not set: name " + what);
        }
        else if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            problems.add(key + "=" + file + " is not a readable file (" + what + ")");
        }
    }

    private static Path path(final Function<String, String> lookup, final String key)
    {
        final String value = lookup.apply(key);
        return value == null || value.isBlank() ? null : Paths.get(value.trim());
    }

    private static boolean parseBoolean(final Function<String, String> lookup, final String key,
        final boolean defaultValue)
    {
        final String value = lookup.apply(key);
        if (value == null || value.isBlank())
        {
            return defaultValue;
        }
        switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(key + " is '" + value + "': use true or false");
        }
    }

    private static long parseLong(final Function<String, String> lookup, final String key, final long defaultValue)
    {
        final String value = lookup.apply(key);
        if (value == null || value.isBlank())
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " is '" + value + "': use a whole number", ex);
        }
    }

    public boolean enabled()
    {
        return enabled;
    }

    public Path caFile()
    {
        return caFile;
    }

    public Path certFile()
    {
        return certFile;
    }

    public Path keyFile()
    {
        return keyFile;
    }

    public boolean verifyHostname()
    {
        return verifyHostname;
    }

    public long reloadCheckMs()
    {
        return reloadCheckMs;
    }

    public long handshakeTimeoutMs()
    {
        return handshakeTimeoutMs;
    }

    @Override
    public String toString()
    {
        return enabled ? "TLS 1.3 (ca " + caFile + ", cert " + certFile + ", key " + keyFile + ")" : "TLS off";
    }
}
