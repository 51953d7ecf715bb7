package io.tributary.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


/**
 * Fragmentation and reassembly: random round trips across interleaved sources, and every way
 * fragments can go wrong (duplicate, out of order, missing, orphan, mixed, over budget).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReassemblerTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final MessageType TYPE = MessageType.APPEND_ENTRIES_REQUEST;

    private final List<FrameError> logged = new ArrayList<>();
    private final FrameErrors errors =
        new FrameErrors("reassembler-test", (error, source, detail) -> logged.add(error));
    private final RecordingHandler handler = new RecordingHandler();
    private long nowNs = 1_000;
    private Reassembler reassembler;
    private FrameReceiver receiver;

    private void setUp(final int messageMax, final long bytesMax, final int sourcesMax)
    {
        reassembler = new Reassembler(messageMax, bytesMax, sourcesMax, TIMEOUT_NS, errors);
        receiver = new FrameReceiver(messageMax, reassembler, errors, () -> nowNs, handler);
    }

    private void feed(final long source, final byte[] frame)
    {
        receiver.onFrame(source, new UnsafeBuffer(frame), 0, frame.length);
    }

    private static byte[] payload(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void randomMessagesRoundTripAcrossInterleavedSources()
    {
        final Random random = new Random(Seeds.seed("randomMessagesRoundTripAcrossInterleavedSources"));
        setUp(1 << 20, 8 << 20, 8);
        final Map<Long, Deque<byte[]>> pending = new HashMap<>();
        final Map<Long, List<byte[]>> expected = new HashMap<>();
        for (long source = 1; source <= 5; source++)
        {
            final Deque<byte[]> frames = new ArrayDeque<>();
            final List<byte[]> messages = new ArrayList<>();
            for (int m = 0; m < 40; m++)
            {
                final byte[] message = payload(random, random.nextInt(5) == 0 ? random.nextInt(1 << 20)
                    : random.nextInt(3000));
                messages.add(message);
                frames.addAll(Frames.fragments(TYPE, source * 1000 + m, source, -source, message, 1
                    + random.nextInt(9000)));
            }
            pending.put(source, frames);
            expected.put(source, messages);
        }
        // Interleave sources at random, each source's frames in order (what Aeron delivers).
        final List<Long> sources = new ArrayList<>(pending.keySet());
        while (!sources.isEmpty())
        {
            final int pick = random.nextInt(sources.size());
            final Deque<byte[]> frames = pending.get(sources.get(pick));
            feed(sources.get(pick), frames.poll());
            if (frames.isEmpty())
            {
                sources.remove(pick);
            }
            assertThat(reassembler.bytesUsed()).isLessThanOrEqualTo(8 << 20);
        }
        assertThat(errors.total()).as("errors %s", errors).isZero();
        for (final Map.Entry<Long, List<byte[]>> entry : expected.entrySet())
        {
            final List<byte[]> got = new ArrayList<>();
            for (final RecordingHandler.Message message : handler.messages)
            {
                if (message.sourceId() == entry.getKey())
                {
                    assertThat(message.groupIdMsb()).isEqualTo(entry.getKey());
                    assertThat(message.groupIdLsb()).isEqualTo(-entry.getKey());
                    got.add(message.payload());
                }
            }
            assertThat(got).as("source %d", entry.getKey()).hasSameSizeAs(entry.getValue());
            for (int i = 0; i < got.size(); i++)
            {
                assertThat(got.get(i)).as("source %d message %d", entry.getKey(), i).isEqualTo(entry.getValue().get(i));
            }
        }
        // Idle sources are forgotten and their buffers freed after the timeout.
        nowNs += TIMEOUT_NS;
        assertThat(receiver.expire()).isZero();
        assertThat(reassembler.sources()).isZero();
        assertThat(reassembler.bytesUsed()).isZero();
    }

    @Test
    void duplicateFragmentsAreIgnoredAndTheMessageCompletes()
    {
        final Random random = new Random(Seeds.seed("duplicateFragmentsAreIgnoredAndTheMessageCompletes"));
        setUp(1 << 20, 4 << 20, 4);
        final byte[] message = payload(random, 10_000);
        final List<byte[]> frames = Frames.fragments(TYPE, 1, 0, 0, message, 1000);
        feed(1, frames.get(0));
        feed(1, frames.get(0));
        feed(1, frames.get(1));
        feed(1, frames.get(1));
        feed(1, frames.get(0));
        for (int i = 2; i < frames.size(); i++)
        {
            feed(1, frames.get(i));
        }
        assertThat(handler.messages).hasSize(1);
        assertThat(handler.messages.get(0).payload()).isEqualTo(message);
        assertThat(errors.count(FrameError.FRAGMENT_DUPLICATE)).isEqualTo(3);
        assertThat(errors.total()).isEqualTo(3);
    }

    @Test
    void outOfOrderFragmentDropsTheMessageAndTheNextOneArrives()
    {
        final Random random = new Random(Seeds.seed("outOfOrderFragmentDropsTheMessageAndTheNextOneArrives"));
        setUp(1 << 20, 4 << 20, 4);
        final List<byte[]> frames = Frames.fragments(TYPE, 1, 0, 0, payload(random, 5000), 1000);
        feed(1, frames.get(0));
        feed(1, frames.get(2));
        for (int i = 1; i < frames.size(); i++)
        {
            feed(1, frames.get(i));
        }
        assertThat(handler.messages).isEmpty();
        assertThat(errors.count(FrameError.FRAGMENT_GAP)).isEqualTo(1);
        assertThat(errors.count(FrameError.FRAGMENT_ORPHAN)).isEqualTo(frames.size() - 1);
        assertThat(reassembler.inProgress()).isZero();
        assertNextMessageArrives(random, 1);
    }

    @Test
    void missingMiddleFragmentDropsTheMessage()
    {
        final Random random = new Random(Seeds.seed("missingMiddleFragmentDropsTheMessage"));
        setUp(1 << 20, 4 << 20, 4);
        final List<byte[]> frames = Frames.fragments(TYPE, 1, 0, 0, payload(random, 5000), 1000);
        for (int i = 0; i < frames.size(); i++)
        {
            if (i != 3)
            {
                feed(1, frames.get(i));
            }
        }
        assertThat(handler.messages).isEmpty();
        assertThat(errors.count(FrameError.FRAGMENT_GAP)).isEqualTo(1);
        assertNextMessageArrives(random, 1);
    }

    @Test
    void missingLastFragmentIsDroppedAfterTheTimeout()
    {
        final Random random = new Random(Seeds.seed("missingLastFragmentIsDroppedAfterTheTimeout"));
        setUp(1 << 20, 4 << 20, 4);
        final List<byte[]> frames = Frames.fragments(TYPE, 1, 0, 0, payload(random, 500_000), 8000);
        for (int i = 0; i < frames.size() - 1; i++)
        {
            feed(1, frames.get(i));
        }
        assertThat(reassembler.bytesUsed()).isGreaterThanOrEqualTo(500_000);
        nowNs += TIMEOUT_NS - 1;
        assertThat(receiver.expire()).isZero();
        nowNs += 1;
        assertThat(receiver.expire()).isEqualTo(1);
        assertThat(errors.count(FrameError.REASSEMBLY_TIMEOUT)).isEqualTo(1);
        assertThat(reassembler.bytesUsed()).isZero();
        feed(1, frames.get(frames.size() - 1));
        assertThat(errors.count(FrameError.FRAGMENT_ORPHAN)).isEqualTo(1);
        assertThat(handler.messages).isEmpty();
        assertNextMessageArrives(random, 1);
    }

    /**
     * A TLS session's records message waits several timeouts for its next fragment: its sender counts it sent once
     * its last fragment is accepted, and losing it breaks the session. A new first fragment still replaces it, and
     * past the longer bound it is dropped.
     */
    @Test
    void aTlsRecordsMessageWaitsForItsLastFragmentHoweverLate()
    {
        final Random random = new Random(Seeds.seed("aTlsRecordsMessageWaitsForItsLastFragmentHoweverLate"));
        setUp(1 << 20, 4 << 20, 4);
        final byte[] records = payload(random, 500_000);
        final List<byte[]> frames = Frames.fragments(MessageType.TLS_RECORDS, 1, 0, 0, records, 8000);
        for (int i = 0; i < frames.size() - 1; i++)
        {
            feed(1, frames.get(i));
        }
        nowNs += (Reassembler.TLS_RECORDS_TIMEOUT_FACTOR - 1) * TIMEOUT_NS;
        assertThat(receiver.expire()).isZero();
        feed(1, frames.get(frames.size() - 1));
        assertThat(handler.messages).hasSize(1);
        assertThat(handler.messages.get(0).payload()).isEqualTo(records);
        assertThat(errors.count(FrameError.REASSEMBLY_TIMEOUT)).isZero();

        final List<byte[]> abandoned = Frames.fragments(MessageType.TLS_RECORDS, 1, 0, 0, records, 8000);
        feed(1, abandoned.get(0));
        nowNs += (Reassembler.TLS_RECORDS_TIMEOUT_FACTOR - 1) * TIMEOUT_NS;
        assertThat(receiver.expire()).isZero();
        // The resend: its attempt number (in the group id's low bits) makes it a new message.
        for (final byte[] frame : Frames.fragments(MessageType.TLS_RECORDS, 1, 0, 1, records, 8000))
        {
            feed(1, frame);
        }
        assertThat(errors.count(FrameError.REASSEMBLY_INCOMPLETE)).isEqualTo(1);
        assertThat(handler.messages).hasSize(2);

        feed(1, abandoned.get(0));
        nowNs += Reassembler.TLS_RECORDS_TIMEOUT_FACTOR * TIMEOUT_NS;
        assertThat(receiver.expire()).as("past the longer bound").isEqualTo(1);
        assertThat(errors.count(FrameError.REASSEMBLY_TIMEOUT)).isEqualTo(1);
        assertThat(reassembler.bytesUsed()).isZero();
    }

    @Test
    void newFirstFragmentDropsTheIncompleteMessage()
    {
        final Random random = new Random(Seeds.seed("newFirstFragmentDropsTheIncompleteMessage"));
        setUp(1 << 20, 4 << 20, 4);
        final List<byte[]> abandoned = Frames.fragments(TYPE, 1, 0, 0, payload(random, 5000), 1000);
        feed(1, abandoned.get(0));
        feed(1, abandoned.get(1));
        final byte[] next = payload(random, 3000);
        for (final byte[] frame : Frames.fragments(TYPE, 2, 0, 0, next, 1000))
        {
            feed(1, frame);
        }
        assertThat(errors.count(FrameError.REASSEMBLY_INCOMPLETE)).isEqualTo(1);
        assertThat(handler.messages).hasSize(1);
        assertThat(handler.messages.get(0).payload()).isEqualTo(next);
        assertThat(handler.messages.get(0).correlationId()).isEqualTo(2);
    }

    @Test
    void fragmentOfAnotherMessageDropsTheOneInProgress()
    {
        final Random random = new Random(Seeds.seed("fragmentOfAnotherMessageDropsTheOneInProgress"));
        setUp(1 << 20, 4 << 20, 4);
        final List<byte[]> first = Frames.fragments(TYPE, 1, 0, 0, payload(random, 5000), 1000);
        final List<byte[]> second = Frames.fragments(TYPE, 2, 0, 0, payload(random, 5000), 1000);
        feed(1, first.get(0));
        feed(1, second.get(1));
        assertThat(errors.count(FrameError.FRAGMENT_MISMATCH)).isEqualTo(1);
        assertThat(reassembler.inProgress()).isZero();
        assertNextMessageArrives(random, 1);
    }

    @Test
    void memoryAndSourceLimitsRefuseMessagesWithoutQueueing()
    {
        final Random random = new Random(Seeds.seed("memoryAndSourceLimitsRefuseMessagesWithoutQueueing"));
        setUp(100_000, 150_000, 2);
        feed(1, Frames.fragments(TYPE, 1, 0, 0, payload(random, 100_000), 1000).get(0));
        // 100 000 reserved: a second message of 100 000 does not fit in 150 000.
        feed(2, Frames.fragments(TYPE, 2, 0, 0, payload(random, 100_000), 1000).get(0));
        assertThat(errors.count(FrameError.REASSEMBLY_NO_MEMORY)).isEqualTo(1);
        // Two sources hold slots; a third is refused.
        feed(3, Frames.fragments(TYPE, 3, 0, 0, payload(random, 1000), 100).get(0));
        assertThat(errors.count(FrameError.REASSEMBLY_TOO_MANY_SOURCES)).isEqualTo(1);
        assertThat(reassembler.bytesUsed()).isLessThanOrEqualTo(150_000);
        // Oversized messages never reach the reassembler.
        feed(1, Frames.fragments(TYPE, 4, 0, 0, payload(random, 100_001), 1000).get(0));
        assertThat(errors.count(FrameError.MESSAGE_TOO_LARGE)).isEqualTo(1);
        // Once the partial message of source 1 is gone, memory is available again.
        reassembler.removeSource(1);
        assertThat(errors.count(FrameError.REASSEMBLY_INCOMPLETE)).isEqualTo(1);
        assertNextMessageArrives(random, 2);
        assertThat(logged).contains(FrameError.REASSEMBLY_NO_MEMORY, FrameError.REASSEMBLY_TOO_MANY_SOURCES);
    }

    private void assertNextMessageArrives(final Random random, final long source)
    {
        final int before = handler.messages.size();
        final byte[] message = payload(random, 4000);
        for (final byte[] frame : Frames.fragments(TYPE, 99, 0, 0, message, 1000))
        {
            feed(source, frame);
        }
        assertThat(handler.messages).hasSize(before + 1);
        assertThat(handler.messages.get(before).payload()).isEqualTo(message);
    }
}
