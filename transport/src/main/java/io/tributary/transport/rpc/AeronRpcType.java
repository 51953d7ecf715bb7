package io.tributary.transport.rpc;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * Ratis's plug-in point: set {@code raft.rpc.type} to this class's name on servers and clients
 * (Ratis instantiates it by reflection and takes {@link #name()} as the type's identity).
 */
public final class AeronRpcType implements RpcType
{
    public static final String NAME = AeronRpcType.class.getName();
    /**
     * The Aeron stream of Raft traffic on a node's port (the front end has its own, FrontEndProtocol.AERON_STREAM_ID).
     */
    public static final int STREAM_ID = 0x7472;

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public RpcFactory newFactory(final Parameters parameters)
    {
        return new AeronRpcFactory(this);
    }

    @Override
    public String toString()
    {
        return "AERON";
    }
}
