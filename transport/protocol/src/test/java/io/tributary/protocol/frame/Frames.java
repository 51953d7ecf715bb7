package io.tributary.protocol.frame;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;


/** Builds frames the simple way (a model of the sender), for tests without Aeron. */
public final class Frames
{
    private Frames()
    {
    }

    public static byte[] frame(final MessageType type, final long correlationId, final byte[] payload)
    {
        return fragments(type, correlationId, 1, 2, payload, Math.max(1, payload.length)).get(0);
    }

    /** The message split into frames of at most {@code chunk} payload bytes. */
    public static List<byte[]> fragments(
        final MessageType type, final long correlationId, final long msb, final long lsb, final byte[] payload,
            final int chunk)
    {
        final List<byte[]> frames = new ArrayList<>();
        int offset = 0;
        do
        {
            final int length = Math.min(chunk, payload.length - offset);
            final byte[] frame = new byte[FrameDescriptor.HEADER_LENGTH + length];
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            byte flags = 0;
            if (offset == 0)
            {
                flags |= FrameDescriptor.BEGIN_FLAG;
            }
            if (offset + length == payload.length)
            {
                flags |= FrameDescriptor.END_FLAG;
            }
            FrameDescriptor.writeHeader(buffer, 0, type, flags, length, correlationId, msb, lsb, payload.length,
                offset);
            buffer.putBytes(FrameDescriptor.HEADER_LENGTH, payload, offset, length);
            frames.add(frame);
            offset += length;
        }
        while (offset < payload.length);
        return frames;
    }
}
