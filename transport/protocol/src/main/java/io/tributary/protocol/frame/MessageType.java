package io.tributary.protocol.frame;

import java.util.Arrays;
import java.util.List;

/**
 * Type ids of the messages the transport carries, one per Ratis protobuf message (see
 * {@code io.tributary.transport.codec.RatisMessageCodecs} for the mapping). Ids are part of the
 * wire format: never renumber, only add. Server-to-server calls are 1-31, client and admin
 * calls 32-63, transport replies 64 and up, Tributary's own protocol 96 and up, the transport's TLS
 * records 120.
 */
public enum MessageType
{
    REQUEST_VOTE_REQUEST(1),
    REQUEST_VOTE_REPLY(2),
    APPEND_ENTRIES_REQUEST(3),
    APPEND_ENTRIES_REPLY(4),
    INSTALL_SNAPSHOT_REQUEST(5),
    INSTALL_SNAPSHOT_REPLY(6),
    READ_INDEX_REQUEST(7),
    READ_INDEX_REPLY(8),
    START_LEADER_ELECTION_REQUEST(9),
    START_LEADER_ELECTION_REPLY(10),

    /** Ordered and unordered client requests (write, read, stale read, watch). */
    CLIENT_REQUEST(32),
    /** Reply to a client request and to the admin requests that answer with a client reply. */
    CLIENT_REPLY(33),
    SET_CONFIGURATION_REQUEST(34),
    GROUP_MANAGEMENT_REQUEST(35),
    GROUP_LIST_REQUEST(36),
    GROUP_LIST_REPLY(37),
    GROUP_INFO_REQUEST(38),
    GROUP_INFO_REPLY(39),
    TRANSFER_LEADERSHIP_REQUEST(40),
    SNAPSHOT_MANAGEMENT_REQUEST(41),
    LEADER_ELECTION_MANAGEMENT_REQUEST(42),

    /** The request failed on the server: the reply header and the serialized exception. */
    EXCEPTION_REPLY(64),

    // Tributary's own protocol, between clients and a node's front end (io.tributary.protocol.*Descriptor).
    PRODUCE_REQUEST(96),
    PRODUCE_RESPONSE(97),
    FETCH_REQUEST(98),
    FETCH_RESPONSE(99),
    ADMIN_REQUEST(100),
    ADMIN_RESPONSE(101),
    /** A request the node could not take at all ({@code ErrorResponseDescriptor}). */
    ERROR_RESPONSE(102),

    /**
     * TLS records of one session (io.tributary.protocol.tls.TlsRecordsDescriptor): every message between two
     * endpoints with TLS on travels sealed inside these, on either stream.
     */
    TLS_RECORDS(120);

    private static final MessageType[] BY_ID = new MessageType[256];

    static
    {
        for (final MessageType type : values())
        {
            if (BY_ID[type.id & 0xFF] != null)
            {
                throw new IllegalStateException("duplicate message type id " + type.id + ": " + type + " and "
                    + BY_ID[type.id & 0xFF]);
            }
            BY_ID[type.id & 0xFF] = type;
        }
    }

    private final byte id;

    MessageType(final int id)
    {
        if (id < 1 || id > 255)
        {
            throw new IllegalArgumentException("message type id " + id + " outside [1, 255]");
        }
        this.id = (byte)id;
    }

    public byte id()
    {
        return id;
    }

    /** Ids from here on are Tributary's own protocol; below are Ratis's messages. */
    public static final int FRONT_END_ID_MIN = 96;

    /** True for a Ratis message (carried by the Raft transport), false for one of Tributary's own. */
    public boolean isRatis()
    {
        return (id & 0xFF) < FRONT_END_ID_MIN;
    }

    /** The Ratis messages, in declaration order. */
    public static List<MessageType> ratisTypes()
    {
        return Arrays.stream(values()).filter(MessageType::isRatis).toList();
    }

    /** @return the type with this id (0-255), or null for an unknown id. */
    public static MessageType get(final int id)
    {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
