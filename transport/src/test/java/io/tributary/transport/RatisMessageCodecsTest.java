package io.tributary.transport;

import io.tributary.protocol.frame.Seeds;

import io.tributary.protocol.frame.Frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.transport.codec.ProtoCodec;
import io.tributary.transport.codec.RatisMessageCodecs;
import io.tributary.transport.codec.RatisMessageDecoder;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FrameReceiver;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.Reassembler;

/** Every message type round-trips through its codec, in every kind of buffer, and through frames. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RatisMessageCodecsTest
{
    private static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte)0x5A;

    @Test
    void everyTypeHasItsOwnCodecAndMessageClass()
    {
        final Set<Class<?>> classes = new HashSet<>();
        for (final MessageType type : MessageType.ratisTypes())
        {
            final ProtoCodec<?> codec = RatisMessageCodecs.codec(type);
            assertThat(codec).as("codec of %s", type).isNotNull();
            assertThat(codec.type()).isEqualTo(type);
            assertThat(classes.add(codec.messageClass())).as("%s reuses message class %s", type, codec.messageClass())
                .isTrue();
            assertThat(RatisMessageCodecs.codecOf(codec.messageClass())).isSameAs(codec);
            assertThat(MessageType.get(type.id() & 0xFF)).isSameAs(type);
        }
    }

    @Test
    void everyTypeRoundTripsInHeapDirectAndExpandableBuffers()
    {
        final Random random = new Random(Seeds.seed("everyTypeRoundTripsInHeapDirectAndExpandableBuffers"));
        for (final MessageType type : MessageType.ratisTypes())
        {
            for (final int payloadBytes : new int[]{0, 1, 100, 5_000, 70_000})
            {
                final MessageLite message = RatisSamples.sample(type, random, payloadBytes);
                assertThat(message.getClass()).isEqualTo(RatisMessageCodecs.codec(type).messageClass());
                for (final MutableDirectBuffer buffer : buffers(message.getSerializedSize() + 2 * GUARD))
                {
                    roundTrip(type, message, buffer);
                }
            }
        }
    }

    private static List<MutableDirectBuffer> buffers(final int capacity)
    {
        final List<MutableDirectBuffer> buffers = new ArrayList<>();
        buffers.add(new UnsafeBuffer(new byte[capacity]));
        // A slice of a larger array and of a larger direct buffer: wrap adjustments must be honoured.
        buffers.add(new UnsafeBuffer(new byte[capacity + 100], 37, capacity));
        buffers.add(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)));
        buffers.add(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + 100), 51, capacity));
        buffers.add(new ExpandableArrayBuffer(capacity));
        buffers.add(new ExpandableDirectByteBuffer(capacity));
        return buffers;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void roundTrip(final MessageType type, final MessageLite message, final MutableDirectBuffer buffer)
    {
        final ProtoCodec codec = RatisMessageCodecs.codec(type);
        final int length = codec.encodedLength(message);
        buffer.setMemory(0, buffer.capacity(), GUARD_BYTE);
        codec.encode(message, buffer, GUARD, length);
        for (int i = 0; i < GUARD; i++)
        {
            assertThat(buffer.getByte(i)).as("%s wrote before its range in %s", type, buffer.getClass())
                .isEqualTo(GUARD_BYTE);
            assertThat(buffer.getByte(GUARD + length + i)).as("%s wrote past its range", type).isEqualTo(GUARD_BYTE);
        }
        final byte[] expected = message.toByteArray();
        final byte[] written = new byte[length];
        buffer.getBytes(GUARD, written);
        assertThat(written).as("%s bytes in %s", type, buffer.getClass().getSimpleName()).isEqualTo(expected);
        try
        {
            assertThat(codec.decode(buffer, GUARD, length)).as("%s decoded", type).isEqualTo(message);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(type + " failed to decode from " + buffer.getClass().getSimpleName(), ex);
        }
    }

    @Test
    void everyTypeRoundTripsThroughFramesWholeAndFragmented()
    {
        final Random random = new Random(Seeds.seed("everyTypeRoundTripsThroughFramesWholeAndFragmented"));
        final FrameErrors errors = new FrameErrors("codec-test");
        final List<MessageLite> received = new ArrayList<>();
        final List<Long> correlations = new ArrayList<>();
        final RatisMessageDecoder decoder =
            new RatisMessageDecoder(errors, (source, type, correlationId, msb, lsb, message) ->
        {
            correlations.add(correlationId);
            received.add(message);
            assertThat(msb).isEqualTo(RatisSamples.GROUP.getMostSignificantBits());
            assertThat(lsb).isEqualTo(RatisSamples.GROUP.getLeastSignificantBits());
        });
        final FrameReceiver receiver =
            new FrameReceiver(1 << 20, new Reassembler(1 << 20, 4 << 20, 4, 1_000_000_000L, errors),
            errors, SystemNanoClock.INSTANCE, decoder);
        final List<MessageLite> sent = new ArrayList<>();
        long correlationId = 1;
        for (final MessageType type : MessageType.ratisTypes())
        {
            for (final int chunk : new int[]{Integer.MAX_VALUE, 1 + random.nextInt(2000)})
            {
                final MessageLite message = RatisSamples.sample(type, random, random.nextInt(20_000));
                sent.add(message);
                for (final byte[] frame : Frames.fragments(type, correlationId++,
                    RatisSamples.GROUP.getMostSignificantBits(),
                    RatisSamples.GROUP.getLeastSignificantBits(), message.toByteArray(), chunk))
                {
                    receiver.onFrame(7, new UnsafeBuffer(frame), 0, frame.length);
                }
            }
        }
        assertThat(errors.total()).as("errors %s", errors).isZero();
        assertThat(received).isEqualTo(sent);
        assertThat(correlations).hasSize(sent.size()).doesNotHaveDuplicates();
    }
}
