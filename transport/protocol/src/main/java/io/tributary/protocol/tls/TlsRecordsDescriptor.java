package io.tributary.protocol.tls;

/**
 * The clear part of a {@code TLS_RECORDS} message, the one message type a secured endpoint accepts. Its
 * frame header's correlation id holds the session id (chosen at random by the side that dials) and the
 * group id MSB holds the {@link #FROM_DIALLER}, {@link #FROM_ACCEPTOR} or {@link #RESET} marker, and its LSB the
 * message's sequence in the session and send attempt (sequence &lt;&lt; 8 | attempt: a message sent again after
 * back-pressure cut it short is new to the receiver's reassembly, which drops the partial one); the
 * payload is the sender's own address (where the other side answers) followed by whole TLS records:
 * <pre>
 *  +------------------------------+-----------------------------+--------------------------+
 *  | Sender Address Length (u16)  | Sender Address (ASCII h:p)  | TLS records ...          |
 *  +------------------------------+-----------------------------+--------------------------+
 * </pre>
 * The records of one message are everything one side wrapped at once (one sealed message, or one flight
 * of the handshake), so a message never ends inside a record. Nothing here is trusted: a forged address
 * or session id can at most spoil a session's handshake, never inject data, which the records' AEAD
 * authenticates.
 */
public final class TlsRecordsDescriptor
{
    public static final int ADDRESS_LENGTH_OFFSET = 0;
    public static final int ADDRESS_OFFSET = 2;
    public static final int ADDRESS_LENGTH_MAX = 255;

    /** Records from the side that dialled (the TLS client) to the side that accepted. */
    public static final long FROM_DIALLER = 1;
    /** Records from the side that accepted (the TLS server) to the dialler. */
    public static final long FROM_ACCEPTOR = 2;
    /** The acceptor knows no such session (it restarted, or evicted it): the dialler must start a new one. */
    public static final long RESET = 3;

    /** The TLS content type of a handshake record: the first byte of a ClientHello's record. */
    public static final int CONTENT_TYPE_HANDSHAKE = 22;

    private TlsRecordsDescriptor()
    {
    }
}
