package io.tributary.protocol.access;

import java.util.Locale;

/**
 * What a principal may do, on the streams a {@link Grant} names. The wire and the metadata carry a role by its
 * {@link #id()} (fixed text, never the ordinal). Deny by default: with security on, a principal holds no role until
 * one is granted (the configured admin principals hold {@link #CLUSTER_ADMIN} from the start).
 */
public enum Role
{
    /** Everything: nodes and membership, every stream, grants. Only on every stream ({@code *}). */
    CLUSTER_ADMIN("cluster-admin"),
    /** Create, delete, describe and move the leaders of the streams named; read their status. */
    STREAM_ADMIN("stream-admin"),
    /** Append to the streams named (and describe them, and take a producer id). */
    PRODUCER("producer"),
    /** Read the streams named (and describe them). */
    CONSUMER("consumer"),
    /** Read the audit trail and the grants; describe every stream. */
    AUDITOR("auditor");

    private final String id;

    Role(final String id)
    {
        this.id = id;
    }

    /** The role's fixed name in commands, the metadata and the CLI. */
    public String id()
    {
        return id;
    }

    /** The role named {@code id} (case-insensitive); throws naming the roles there are. */
    public static Role fromId(final String id)
    {
        final String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (final Role role : values())
        {
            if (role.id.equals(wanted))
            {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + id + "'; the roles are cluster-admin, stream-admin, "
            + "producer, consumer and auditor");
    }

    @Override
    public String toString()
    {
        return id;
    }
}
