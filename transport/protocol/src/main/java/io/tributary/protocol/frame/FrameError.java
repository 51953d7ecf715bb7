package io.tributary.protocol.frame;

/**
 * Why a received frame or message was dropped. Each has a counter ({@link FrameErrors}); the
 * hint says where to look.
 */
public enum FrameError
{
    NONE("not an error"),
    TRUNCATED("frame shorter than the header: a sender that is not a Tributary transport, or a corrupted datagram"),
    BAD_VERSION("frame version differs: are both ends running the same Tributary version?"),
    UNKNOWN_TYPE("unknown message type id: a newer sender, or corruption"),
    BAD_FLAGS("reserved flag bits or reserved byte set"),
    LENGTH_MISMATCH("payload length field disagrees with the frame length"),
    MESSAGE_TOO_LARGE("message length above transport.aeron.message.bytes.max (or negative): raise the limit on both "
        + "ends"),
    BAD_FRAGMENT("fragment offset, length and first/last flags disagree"),
    FRAGMENT_ORPHAN("fragment without a message in reassembly (its first fragment was lost or dropped)"),
    FRAGMENT_DUPLICATE("fragment already received; ignored"),
    FRAGMENT_GAP("fragment out of order or a fragment missing: the message is dropped"),
    FRAGMENT_MISMATCH("fragment of another message while one is in reassembly: both dropped"),
    REASSEMBLY_INCOMPLETE("a new message started before the previous one was complete (sender gave up mid-message)"),
    REASSEMBLY_TIMEOUT("message incomplete for longer than transport.aeron.reassembly.timeout.ms"),
    REASSEMBLY_NO_MEMORY("reassembly memory (transport.aeron.reassembly.bytes.max) exhausted"),
    REASSEMBLY_TOO_MANY_SOURCES("more senders with partial messages than transport.aeron.reassembly.sources.max"),
    PAYLOAD_INVALID("payload is not a valid message of the frame's type (a Ratis protobuf, or one of Tributary's own "
        + "messages)"),
    HANDLER_FAILED("the message handler threw: a bug in the receiving code");

    private final String hint;

    FrameError(final String hint)
    {
        this.hint = hint;
    }

    public String hint()
    {
        return hint;
    }
}
