package io.tributary.transport;

import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.Seeds;

import io.tributary.protocol.frame.RecordingHandler;


import io.tributary.protocol.frame.AeronLoopback;

import io.tributary.protocol.frame.SendStatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.transport.codec.RatisMessageCodecs;
import io.tributary.protocol.frame.FrameDescriptor;
import io.tributary.protocol.frame.MessageType;

/**
 * Frames over a real embedded media driver, UDP on 127.0.0.1 with 64 KiB terms (Aeron's max
 * message 8 KiB): claimed frames, offered frames Aeron splits at the MTU, and messages we split
 * into fragments, including a Ratis appendEntries encoded straight into the publication.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AeronLoopbackTest
{
    @TempDir
    Path dir;

    @Test
    void framesOfEverySizeArriveWholeAndInOrder() throws Exception
    {
        final Random random = new Random(Seeds.seed("framesOfEverySizeArriveWholeAndInOrder"));
        try (AeronLoopback loopback = new AeronLoopback(AeronLoopback.testConfig(dir, "loopback-sizes")))
        {
            loopback.startPolling();
            final int claimMax = loopback.publication.claimLengthMax() - FrameDescriptor.HEADER_LENGTH;
            final int frameMax = loopback.publication.frameLengthMax() - FrameDescriptor.HEADER_LENGTH;
            assertThat(claimMax).isEqualTo(1408 - 32 - FrameDescriptor.HEADER_LENGTH);
            assertThat(frameMax).isEqualTo(64 * 1024 / 8 - FrameDescriptor.HEADER_LENGTH);
            final int[] sizes = {0, 1, 100, claimMax, claimMax + 1, 5000, frameMax, frameMax + 1, 3 * frameMax + 7,
                300_000,
                4 << 20};
            final List<byte[]> sent = new ArrayList<>();
            long correlationId = 1;
            for (final int size : sizes)
            {
                final byte[] payload = new byte[size];
                random.nextBytes(payload);
                sent.add(payload);
                assertThat(loopback.publication.send(MessageType.CLIENT_REQUEST, correlationId++, 11, 22,
                    new UnsafeBuffer(payload), 0, size))
                    .as("send of %d bytes", size).isEqualTo(SendStatus.OK);
            }
            AeronLoopback.await(sent.size() + " messages delivered", () -> loopback.messageCount() >= sent.size(), 30);
            final List<RecordingHandler.Message> received = loopback.messages();
            assertThat(received).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++)
            {
                assertThat(received.get(i).correlationId()).isEqualTo(i + 1);
                assertThat(received.get(i).type()).isEqualTo(MessageType.CLIENT_REQUEST);
                assertThat(received.get(i).groupIdMsb()).isEqualTo(11);
                assertThat(received.get(i).groupIdLsb()).isEqualTo(22);
                assertThat(received.get(i).payload()).as("message of %d bytes", sizes[i]).isEqualTo(sent.get(i));
            }
            assertThat(loopback.errors.total()).as("errors %s", loopback.errors).isZero();
            assertThat(loopback.publication.failures()).isZero();
        }
    }

    @Test
    void ratisMessagesAreEncodedIntoThePublicationAndDecoded() throws Exception
    {
        final Random random = new Random(Seeds.seed("ratisMessagesAreEncodedIntoThePublicationAndDecoded"));
        try (AeronLoopback loopback = new AeronLoopback(AeronLoopback.testConfig(dir, "loopback-ratis")))
        {
            loopback.startPolling();
            final long msb = RatisSamples.GROUP.getMostSignificantBits();
            final long lsb = RatisSamples.GROUP.getLeastSignificantBits();
            final RequestVoteRequestProto vote =
                (RequestVoteRequestProto)RatisSamples.sample(MessageType.REQUEST_VOTE_REQUEST, random, 0);
            assertThat(loopback.publication.send(MessageType.REQUEST_VOTE_REQUEST, 1, msb, lsb, vote,
                RatisMessageCodecs.REQUEST_VOTE_REQUEST))
                .isEqualTo(SendStatus.OK);
            // Small messages are encoded in place into the claimed term buffer: the scratch buffer is never used.
            assertThat(loopback.publication.scratchCapacity()).isZero();
            final AppendEntriesRequestProto append = RatisSamples.appendEntries(random, 200_000);
            assertThat(loopback.publication.send(MessageType.APPEND_ENTRIES_REQUEST, 2, msb, lsb, append,
                RatisMessageCodecs.APPEND_ENTRIES_REQUEST)).isEqualTo(SendStatus.OK);
            final List<Object> all = new ArrayList<>();
            for (final MessageType type : MessageType.ratisTypes())
            {
                final var message = RatisSamples.sample(type, random, random.nextInt(3000));
                all.add(message);
                @SuppressWarnings({"unchecked", "rawtypes"})
                final SendStatus status = loopback.publication.send(type, 100 + type.ordinal(), msb, lsb, message,
                    (PayloadEncoder)RatisMessageCodecs.codec(type));
                assertThat(status).as("send %s", type).isEqualTo(SendStatus.OK);
            }
            final int expected = 2 + MessageType.ratisTypes().size();
            AeronLoopback.await(expected + " messages", () -> loopback.messageCount() >= expected, 30);
            final List<RecordingHandler.Message> received = loopback.messages();
            assertThat(decode(received.get(0))).isEqualTo(vote);
            assertThat(decode(received.get(1))).isEqualTo(append);
            for (int i = 0; i < all.size(); i++)
            {
                assertThat(decode(received.get(2 + i))).isEqualTo(all.get(i));
                assertThat(received.get(2 + i).groupIdMsb()).isEqualTo(msb);
            }
            assertThat(loopback.errors.total()).as("errors %s", loopback.errors).isZero();
        }
    }

    private static Object decode(final RecordingHandler.Message message) throws Exception
    {
        return RatisMessageCodecs.codec(message.type())
            .decode(new UnsafeBuffer(message.payload()), 0, message.payload().length);
    }
}
