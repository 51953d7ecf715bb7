package io.tributary.transport.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.com.google.protobuf.Parser;

import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;

/**
 * Encoder and decoder of one Ratis protobuf message type, writing straight into the frame's
 * buffer: a heap array is written by protobuf's array encoder, a direct buffer (Aeron's claimed
 * term buffer, a mapped file) by its unsafe direct encoder through a view of the same memory.
 * The only allocations are protobuf's own: its small encoder object per message (protobuf has
 * no reusable one) and the decoded message, which owns copies of its bytes (no aliasing of
 * Aeron's buffers, which are reused once the handler returns).
 * <p>
 * Stateless and thread-safe: one instance per message type ({@link RatisMessageCodecs}).
 */
public final class ProtoCodec<M extends MessageLite> implements PayloadEncoder<M>
{
    private final MessageType type;
    private final Class<M> messageClass;
    private final Parser<M> parser;

    ProtoCodec(final MessageType type, final Class<M> messageClass, final Parser<M> parser)
    {
        this.type = type;
        this.messageClass = messageClass;
        this.parser = parser;
    }

    public MessageType type()
    {
        return type;
    }

    public Class<M> messageClass()
    {
        return messageClass;
    }

    @Override
    public int encodedLength(final M message)
    {
        // Protobuf memoizes the size, so the encode below does not compute it again.
        return message.getSerializedSize();
    }

    @Override
    public void encode(final M message, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final CodedOutputStream out = output(buffer, offset, length);
        try
        {
            if (out == null)
            {
                // A buffer over a raw address (no array, no ByteBuffer): Aeron's and ours never are.
                final byte[] bytes = message.toByteArray();
                if (bytes.length != length)
                {
                    throw new IllegalStateException(type + ": encoded " + bytes.length + " bytes, expected " + length);
                }
                buffer.putBytes(offset, bytes);
                return;
            }
            message.writeTo(out);
            out.flush();
            if (out.getTotalBytesWritten() != length)
            {
                throw new IllegalStateException(type + ": encoded " + out.getTotalBytesWritten() + " bytes, expected "
                    + length + "; was the message changed while being sent?");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(type + ": encoding " + length + " bytes at offset " + offset
                + " failed", ex);
        }
    }

    private static CodedOutputStream output(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            return CodedOutputStream.newInstance(array, buffer.wrapAdjustment() + offset, length);
        }
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (byteBuffer != null)
        {
            return CodedOutputStream.newInstance(view(byteBuffer, buffer.wrapAdjustment() + offset, length));
        }
        return null;
    }

    private static ByteBuffer view(final ByteBuffer byteBuffer, final int index, final int length)
    {
        final ByteBuffer view = byteBuffer.duplicate();
        view.clear();
        view.position(index).limit(index + length);
        return view;
    }

    /**
     * Parses {@code length} bytes at {@code offset}; every byte must belong to the message.
     *
     * @throws InvalidProtocolBufferException for bytes that are not a valid {@code M}.
     */
    public M decode(final DirectBuffer buffer, final int offset, final int length) throws InvalidProtocolBufferException
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            return parser.parseFrom(array, buffer.wrapAdjustment() + offset, length);
        }
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (byteBuffer != null)
        {
            return parser.parseFrom(view(byteBuffer, buffer.wrapAdjustment() + offset, length));
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return parser.parseFrom(copy);
    }

    @Override
    public String toString()
    {
        return "ProtoCodec{" + type + " <-> " + messageClass.getSimpleName() + "}";
    }
}
