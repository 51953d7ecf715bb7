package io.tributary.transport;

import io.tributary.protocol.frame.Seeds;

import io.tributary.protocol.frame.Frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.transport.codec.RatisMessageDecoder;
import io.tributary.protocol.frame.FrameDescriptor;
import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FrameReceiver;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.Reassembler;

/**
 * The receive path fed garbage: random, truncated, oversized, wrong versions, types and flags,
 * invalid protobuf, a throwing handler. Each bad frame is dropped, counted and reported to the
 * error listener (which is where the log line is written); nothing throws; valid frames keep
 * being delivered afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameDecoderRobustnessTest
{
    private static final int MESSAGE_MAX = 1 << 20;

    private final List<FrameError> reported = new ArrayList<>();
    private final FrameErrors errors = new FrameErrors("robustness-test", (error, source, detail) ->
    {
        assertThat(detail).isNotBlank();
        reported.add(error);
    });
    private final List<MessageLite> decoded = new ArrayList<>();
    private RuntimeException handlerFailure;
    private FrameReceiver receiver;
    private Random random;
    private long nowNs;

    @BeforeEach
    void setUp()
    {
        final RatisMessageDecoder decoder =
            new RatisMessageDecoder(errors, (source, type, correlationId, msb, lsb, message) ->
        {
            if (handlerFailure != null)
            {
                throw handlerFailure;
            }
            decoded.add(message);
        });
        receiver = new FrameReceiver(MESSAGE_MAX, new Reassembler(MESSAGE_MAX, 4L * MESSAGE_MAX, 16, 1_000_000, errors),
            errors,
            () -> nowNs, decoder);
    }

    private void feed(final byte[] frame, final int length)
    {
        // Through a direct buffer at an odd offset, like an Aeron term buffer.
        final MutableDirectBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(length + 13));
        buffer.putBytes(13, frame, 0, length);
        receiver.onFrame(3, buffer, 13, length);
    }

    private byte[] validFrame(final MessageType type)
    {
        return Frames.frame(type, random.nextLong(), RatisSamples.sample(type, random, random.nextInt(300))
            .toByteArray());
    }

    private void assertValidFramesStillDelivered()
    {
        final long errorsBefore = errors.total();
        for (final MessageType type : MessageType.ratisTypes())
        {
            final int before = decoded.size();
            final byte[] frame = validFrame(type);
            feed(frame, frame.length);
            assertThat(decoded).as("%s after bad frames", type).hasSize(before + 1);
        }
        assertThat(errors.total()).isEqualTo(errorsBefore);
    }

    @Test
    void randomFramesAreDroppedAndCounted()
    {
        random = new Random(Seeds.seed("randomFramesAreDroppedAndCounted"));
        final int frames = 20_000;
        for (int i = 0; i < frames; i++)
        {
            final byte[] frame;
            if (random.nextBoolean())
            {
                frame = new byte[random.nextInt(200)];
                random.nextBytes(frame);
            }
            else
            {
                // A valid frame with a few random bytes changed: gets past the first checks more often.
                frame = validFrame(MessageType.ratisTypes().get(random.nextInt(MessageType.ratisTypes().size())));
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
                {
                    frame[random.nextInt(frame.length)] = (byte)random.nextInt(256);
                }
            }
            feed(frame, frame.length);
            nowNs += 1_000;
            receiver.expire();
        }
        // Every frame was either delivered, dropped with a report, or is a fragment still in reassembly or expired.
        assertThat(reported.size()).isEqualTo((int)errors.total());
        assertThat(errors.total()).isGreaterThan(frames / 2);
        System.out.println("randomFramesAreDroppedAndCounted: " + decoded.size() + " decoded, " + errors);
        nowNs += 10_000_000;
        receiver.expire();
        assertValidFramesStillDelivered();
    }

    @Test
    void truncatedFramesAreDroppedAtEveryLength()
    {
        random = new Random(Seeds.seed("truncatedFramesAreDroppedAtEveryLength"));
        final byte[] frame = validFrame(MessageType.APPEND_ENTRIES_REQUEST);
        for (int length = 0; length < frame.length; length++)
        {
            feed(frame, length);
            final FrameError expected = length < FrameDescriptor.HEADER_LENGTH ? FrameError.TRUNCATED
                : FrameError.LENGTH_MISMATCH;
            assertThat(reported).as("truncated to %d of %d", length, frame.length).hasSize(length + 1).last()
                .isEqualTo(expected);
        }
        assertThat(decoded).isEmpty();
        assertValidFramesStillDelivered();
    }

    @Test
    void oversizedAndInconsistentLengthsAreDropped()
    {
        random = new Random(Seeds.seed("oversizedAndInconsistentLengthsAreDropped"));
        final int[][] cases = {
            // payload length, message length, fragment offset, flags -> expected
            {Integer.MAX_VALUE, 10, 0, 0xC0},
            {-1, 10, 0, 0xC0},
            {10, MESSAGE_MAX + 1, 0, 0xC0},
            {10, Integer.MAX_VALUE, 0, 0x80},
            {10, -5, 0, 0xC0},
            {10, 100, 95, 0x40},
            {10, 100, -10, 0x00},
            {10, 100, 0, 0x40},
            {10, 100, 10, 0x80},
            {10, 100, 90, 0x00},
            {10, 20, 0, 0xC0},
            {0, 100, 50, 0x00},
        };
        final FrameError[] expected = {
            FrameError.LENGTH_MISMATCH, FrameError.LENGTH_MISMATCH, FrameError.MESSAGE_TOO_LARGE,
                FrameError.MESSAGE_TOO_LARGE,
            FrameError.MESSAGE_TOO_LARGE, FrameError.BAD_FRAGMENT, FrameError.BAD_FRAGMENT, FrameError.BAD_FRAGMENT,
            FrameError.BAD_FRAGMENT, FrameError.BAD_FRAGMENT, FrameError.BAD_FRAGMENT, FrameError.BAD_FRAGMENT,
        };
        for (int i = 0; i < cases.length; i++)
        {
            final int payloadLength = cases[i][0];
            final int bodyLength = payloadLength >= 0 && payloadLength < 1000 ? payloadLength : 10;
            final byte[] frame = new byte[FrameDescriptor.HEADER_LENGTH + bodyLength];
            FrameDescriptor.writeHeader(new UnsafeBuffer(frame), 0, MessageType.CLIENT_REQUEST, (byte)cases[i][3],
                payloadLength,
                i, 1, 2, cases[i][1], cases[i][2]);
            feed(frame, frame.length);
            assertThat(reported).as("case %d: %s", i, Arrays.toString(cases[i])).hasSize(i + 1).last()
                .isEqualTo(expected[i]);
        }
        assertThat(decoded).isEmpty();
        assertValidFramesStillDelivered();
    }

    @Test
    void wrongVersionsTypesAndFlagsAreDropped()
    {
        random = new Random(Seeds.seed("wrongVersionsTypesAndFlagsAreDropped"));
        final byte[] valid = validFrame(MessageType.REQUEST_VOTE_REQUEST);
        int expectedErrors = 0;
        for (int version = 0; version < 256; version++)
        {
            if (version != FrameDescriptor.VERSION)
            {
                final byte[] frame = valid.clone();
                frame[FrameDescriptor.VERSION_OFFSET] = (byte)version;
                feed(frame, frame.length);
                expectedErrors++;
            }
        }
        assertThat(errors.count(FrameError.BAD_VERSION)).isEqualTo(expectedErrors);
        int unknownTypes = 0;
        for (int type = 0; type < 256; type++)
        {
            if (MessageType.get(type) == null)
            {
                final byte[] frame = valid.clone();
                frame[FrameDescriptor.TYPE_OFFSET] = (byte)type;
                feed(frame, frame.length);
                unknownTypes++;
            }
        }
        assertThat(errors.count(FrameError.UNKNOWN_TYPE)).isEqualTo(unknownTypes);
        int badFlags = 0;
        for (int bit = 0; bit < 6; bit++)
        {
            final byte[] frame = valid.clone();
            frame[FrameDescriptor.FLAGS_OFFSET] |= (byte)(1 << bit);
            feed(frame, frame.length);
            badFlags++;
        }
        final byte[] reserved = valid.clone();
        reserved[FrameDescriptor.RESERVED_OFFSET] = 1;
        feed(reserved, reserved.length);
        badFlags++;
        assertThat(errors.count(FrameError.BAD_FLAGS)).isEqualTo(badFlags);
        assertThat(reported).hasSize(expectedErrors + unknownTypes + badFlags);
        assertThat(decoded).isEmpty();
        assertValidFramesStillDelivered();
    }

    @Test
    void invalidProtobufPayloadsAndThrowingHandlersAreCounted()
    {
        random = new Random(Seeds.seed("invalidProtobufPayloadsAndThrowingHandlersAreCounted"));
        // 0xFF... is a varint that never ends: no protobuf parses it.
        final byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte)0xFF);
        for (final MessageType type : MessageType.ratisTypes())
        {
            final byte[] frame = Frames.frame(type, 1, garbage);
            feed(frame, frame.length);
        }
        assertThat(errors.count(FrameError.PAYLOAD_INVALID)).isEqualTo(MessageType.ratisTypes().size());
        // A truncated but otherwise well-framed protobuf.
        final byte[] message = RatisSamples.sample(MessageType.APPEND_ENTRIES_REQUEST, random, 5000).toByteArray();
        final byte[] cut = Frames.frame(MessageType.APPEND_ENTRIES_REQUEST, 2,
            Arrays.copyOf(message, message.length - 100));
        feed(cut, cut.length);
        assertThat(errors.count(FrameError.PAYLOAD_INVALID)).isEqualTo(MessageType.ratisTypes().size() + 1);

        handlerFailure = new IllegalStateException("handler bug");
        final byte[] frame = validFrame(MessageType.CLIENT_REQUEST);
        feed(frame, frame.length);
        assertThat(errors.count(FrameError.HANDLER_FAILED)).isEqualTo(1);
        handlerFailure = null;
        assertThat(decoded).isEmpty();
        assertValidFramesStillDelivered();
    }
}
