package io.tributary.protocol.access;

import java.util.regex.Pattern;

import io.tributary.protocol.tls.PeerIdentity;

/**
 * One role bound to one principal on the streams a pattern names: a stream's name, a prefix ending in {@code *}
 * ({@code sensors.*}), or {@code *} for every stream. Stored in the metadata quorum as the tab-separated fields
 * {@code principal, role, pattern}.
 *
 * @param principal {@code client:NAME} or {@code node:NAME} ({@link PeerIdentity#toString()}).
 * @param role      what it may do.
 * @param streams   which streams: a name, a prefix ending in {@code *}, or {@code *}.
 */
public record Grant(String principal, Role role, String streams)
{
    /** A principal's name: what a certificate's CN holds in practice, and nothing that breaks a metadata line. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
    /** A stream name (as the metadata allows them) with an optional trailing {@code *}, or {@code *} alone. */
    private static final Pattern STREAMS = Pattern.compile("\\*|[A-Za-z0-9._-]{1,249}\\*?");

    public Grant
    {
        final String problem = invalid(principal, role, streams);
        if (problem != null)
        {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Parses the three fields as given on a command line or in the metadata; throws saying what is wrong. */
    public static Grant parse(final String principal, final String role, final String streams)
    {
        return new Grant(principal, Role.fromId(role), streams);
    }

    /** Null when the three make a grant, else what is wrong with them. */
    public static String invalid(final String principal, final Role role, final String streams)
    {
        if (principal == null || role == null || streams == null)
        {
            return "a grant needs a principal, a role and a stream pattern";
        }
        final PeerIdentity identity;
        try
        {
            identity = PeerIdentity.parse(principal);
        }
        catch (final IllegalArgumentException e)
        {
            return e.getMessage();
        }
        if (!NAME.matcher(identity.name()).matches())
        {
            return "principal '" + principal + "': the name must be 1 to 128 of A-Z a-z 0-9 . _ @ -";
        }
        if (!STREAMS.matcher(streams).matches())
        {
            return "stream pattern '" + streams + "': write a stream name, a prefix ending in * (sensors.*), or *";
        }
        if (role == Role.CLUSTER_ADMIN && !streams.equals("*"))
        {
            return "cluster-admin is granted on every stream (*), not on '" + streams + "'";
        }
        return null;
    }

    /** Whether the pattern names this stream. */
    public boolean covers(final String stream)
    {
        if (streams.endsWith("*"))
        {
            return stream.startsWith(streams.substring(0, streams.length() - 1));
        }
        return streams.equals(stream);
    }

    /** The fields as the metadata stores them. */
    public String[] fields()
    {
        return new String[]{principal, role.id(), streams};
    }

    @Override
    public String toString()
    {
        return principal + " " + role.id() + " " + streams;
    }
}
