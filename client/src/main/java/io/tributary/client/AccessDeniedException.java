package io.tributary.client;

/**
 * The cluster runs with security on and this client's principal (its certificate's) holds no role that allows the
 * request; nothing of it took effect. The message names the principal, what it asked, and the role it needs; a
 * cluster admin grants roles ({@code tributary acl grant}). Not retried: the same request is refused until a grant.
 * A produce refused this way fails with an {@link AppendRejectedException} whose status is NOT_AUTHORIZED.
 */
public class AccessDeniedException extends TributaryException
{
    public AccessDeniedException(final String message)
    {
        super(message);
    }
}
