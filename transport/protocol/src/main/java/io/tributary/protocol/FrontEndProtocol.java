package io.tributary.protocol;

/** Where a node's front end listens, per carrier. */
public final class FrontEndProtocol
{
    /** Aeron stream of the front end, beside Ratis's (0x7472) on the node's own UDP address. */
    public static final int AERON_STREAM_ID = 0x7466;

    private FrontEndProtocol()
    {
    }
}
