package io.tributary.protocol.tls;

import java.security.cert.X509Certificate;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who is on the other end of an authenticated connection, from its certificate's subject: the common
 * name (CN) is the name, and the organizational unit (OU) says the kind. {@code OU=tributary-node} is a
 * node (it may send Raft traffic and group management); anything else is a client. The two never mix:
 * {@code node:n1} and {@code client:n1} are different principals.
 *
 * @param kind what the certificate was issued for.
 * @param name the subject's common name.
 */
public record PeerIdentity(Kind kind, String name)
{
    /** The OU that marks a node's certificate. */
    public static final String NODE_UNIT = "tributary-node";
    /** The OU {@code tributary certs init} gives client and admin certificates (any other OU is a client too). */
    public static final String CLIENT_UNIT = "tributary-client";

    /** A principal's kind; the text is its prefix in ACLs and the audit trail. */
    public enum Kind
    {
        NODE("node"),
        CLIENT("client");

        private final String prefix;

        Kind(final String prefix)
        {
            this.prefix = prefix;
        }

        public String prefix()
        {
            return prefix;
        }
    }

    public PeerIdentity
    {
        if (kind == null || name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("a principal needs a kind and a name: " + kind + ", " + name);
        }
    }

    /** The principal a certificate stands for; throws {@link IllegalArgumentException} when it has no CN. */
    public static PeerIdentity of(final X509Certificate certificate)
    {
        final String subject = certificate.getSubjectX500Principal().getName();
        String commonName = null;
        String unit = null;
        try
        {
            for (final Rdn rdn : new LdapName(subject).getRdns())
            {
                final String type = rdn.getType().toUpperCase(Locale.ROOT);
                if (type.equals("CN") && commonName == null)
                {
                    commonName = rdn.getValue().toString();
                }
                else if (type.equals("OU") && unit == null)
                {
                    unit = rdn.getValue().toString();
                }
            }
        }
        catch (final InvalidNameException ex)
        {
            throw new IllegalArgumentException("certificate subject '" + subject + "' does not parse", ex);
        }
        if (commonName == null || commonName.isEmpty())
        {
            throw new IllegalArgumentException("certificate subject '" + subject + "' has no CN: a principal needs "
                + "a name");
        }
        return new PeerIdentity(NODE_UNIT.equals(unit) ? Kind.NODE : Kind.CLIENT, commonName);
    }

    /** Parses {@code node:NAME} or {@code client:NAME}. */
    public static PeerIdentity parse(final String text)
    {
        final int colon = text.indexOf(':');
        if (colon > 0)
        {
            final String prefix = text.substring(0, colon);
            for (final Kind kind : Kind.values())
            {
                if (kind.prefix.equals(prefix) && colon < text.length() - 1)
                {
                    return new PeerIdentity(kind, text.substring(colon + 1));
                }
            }
        }
        throw new IllegalArgumentException("principal '" + text + "': write node:NAME or client:NAME (NAME is the "
            + "certificate's CN)");
    }

    public boolean isNode()
    {
        return kind == Kind.NODE;
    }

    @Override
    public String toString()
    {
        return kind.prefix + ":" + name;
    }
}
