package io.tributary.raft.frontend;

import io.tributary.protocol.tls.PeerIdentity;

/** Where the front end reports what the audit trail records: admin operations and denied requests. Thread-safe. */
@FunctionalInterface
public interface AuditSink
{
    /** Records nothing (security off). */
    AuditSink NONE = (principal, source, action, resource, result, traceId) ->
    {
    };

    /**
     * @param principal who asked (null: a connection without a certificate).
     * @param source    the requester's address.
     * @param action    what it asked.
     * @param resource  of what (a stream, a node, a grant), or null.
     * @param result    {@code ok}, {@code refused: ...}, {@code denied: ...}.
     * @param traceId   the W3C trace id the request carried (32 hex digits), or null.
     */
    void record(PeerIdentity principal, String source, String action, String resource, String result,
        String traceId);
}
