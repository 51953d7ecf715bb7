package io.tributary.raft.frontend;

import io.tributary.protocol.tls.PeerIdentity;

/** Where the front end reports what the audit trail records: admin operations and denied requests. Thread-safe. */
@FunctionalInterface
public interface AuditSink
{
    /** Records nothing (security off). */
    AuditSink NONE = (principal, source, action, resource, result) ->
    {
    };

    /**
     * @param principal who asked (null: a connection without a certificate).
     * @param source    the requester's address.
     * @param action    what it asked.
     * @param resource  of what (a stream, a node, a grant), or null.
     * @param result    {@code ok}, {@code refused: ...}, {@code denied: ...}.
     */
    void record(PeerIdentity principal, String source, String action, String resource, String result);
}
