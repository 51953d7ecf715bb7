package io.tributary.protocol.tls;

/**
 * Told of the TLS sessions a process accepts (the audit trail records them): when one is established, and when one
 * closes or fails, its handshake included. Called on the network thread: must not block.
 */
@FunctionalInterface
public interface SessionObserver
{
    SessionObserver NONE = (peer, address, opened, detail) ->
    {
    };

    /**
     * @param peer    the principal the peer proved, or null when its handshake did not finish.
     * @param address the peer's address.
     * @param opened  true when the session was established, false when it closed or failed.
     * @param detail  the session's id when opened; why, when closed.
     */
    void onSession(PeerIdentity peer, String address, boolean opened, String detail);
}
