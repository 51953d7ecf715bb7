package io.tributary.raft.protocol;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/** Ratis messages over our encoded bytes, without a copy. */
public final class RatisMessages
{
    private RatisMessages()
    {
    }

    /** A message over the whole array; the caller hands the bytes over and never writes them again. */
    public static Message wrap(final byte[] bytes)
    {
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
    }

    /** A message over part of the array; the caller hands those bytes over and never writes them again. */
    public static Message wrap(final byte[] bytes, final int offset, final int length)
    {
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes, offset, length));
    }
}
