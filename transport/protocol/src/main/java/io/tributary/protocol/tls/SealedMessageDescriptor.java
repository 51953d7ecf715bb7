package io.tributary.protocol.tls;

/**
 * The layout of one message inside a TLS session (the plaintext the records carry): the fields a clear
 * frame has in its header, so that correlation ids and Raft group ids are encrypted too, then the payload.
 * Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  | Message Type  |                   Reserved (0)                |
 *  +---------------+-----------------------------------------------+
 *  |                        Payload Length                         |
 *  +---------------------------------------------------------------+
 *  |                   Correlation Id (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                   Group Id MSB (64 bits)                      |
 *  +---------------------------------------------------------------+
 *  |                   Group Id LSB (64 bits)                      |
 *  +---------------------------------------------------------------+
 *  |                         Payload ...                           |
 * </pre>
 */
public final class SealedMessageDescriptor
{
    public static final int TYPE_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int CORRELATION_ID_OFFSET = 8;
    public static final int GROUP_ID_MSB_OFFSET = 16;
    public static final int GROUP_ID_LSB_OFFSET = 24;
    public static final int HEADER_LENGTH = 32;

    private SealedMessageDescriptor()
    {
    }
}
