package io.tributary.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;


/**
 * The transport's own path allocates nothing per message once warm: the receive path (validation,
 * whole frames, reassembly into a kept buffer) and the claim path of the sender. Measured with
 * the JVM's per-thread allocation counter.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AllocationTest
{
    private static final int MESSAGES = 20_000;

    @TempDir
    Path dir;

    private static long allocatedBytes()
    {
        return ((ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private long delivered;

    @Test
    void receivePathAllocatesNothingPerMessage()
    {
        final Random random = new Random(Seeds.seed("receivePathAllocatesNothingPerMessage"));
        final FrameHandler handler = (source, type, correlationId, msb, lsb, buffer, offset, length) ->
            delivered += length;
        final FrameErrors errors = new FrameErrors("allocation-test");
        final FrameReceiver receiver =
            new FrameReceiver(1 << 20, new Reassembler(1 << 20, 8 << 20, 4, Long.MAX_VALUE, errors), errors,
            () -> 0L, handler);
        final byte[] small = new byte[200];
        final byte[] large = new byte[50_000];
        random.nextBytes(small);
        random.nextBytes(large);
        final DirectBuffer whole = new UnsafeBuffer(Frames.frame(MessageType.APPEND_ENTRIES_REPLY, 1, small));
        final List<byte[]> fragments = Frames.fragments(MessageType.APPEND_ENTRIES_REQUEST, 2, 3, 4, large, 8000);
        final UnsafeBuffer[] fragmentBuffers = fragments.stream().map(UnsafeBuffer::new).toArray(UnsafeBuffer[]::new);
        final Runnable round = () ->
        {
            for (int i = 0; i < MESSAGES; i++)
            {
                receiver.onFrame(1, whole, 0, whole.capacity());
                if (i % 10 == 0)
                {
                    for (final UnsafeBuffer fragment : fragmentBuffers)
                    {
                        receiver.onFrame(1, fragment, 0, fragment.capacity());
                    }
                }
            }
        };
        round.run();
        final long before = allocatedBytes();
        round.run();
        final long allocated = allocatedBytes() - before;
        System.out.println("receive path: " + allocated + " bytes allocated for " + (MESSAGES + MESSAGES / 10)
            + " messages");
        assertThat(errors.total()).isZero();
        assertThat(delivered).isEqualTo(2L * (MESSAGES * 200L + MESSAGES / 10 * 50_000L));
        // under 1 byte per message: no object per message
        assertThat(allocated).as("bytes allocated per message").isLessThan(MESSAGES);
    }

    @Test
    void claimedSendPathAllocatesNothingPerMessage()
    {
        try (AeronLoopback loopback = new AeronLoopback(AeronLoopback.testConfig(dir, "allocation")))
        {
            loopback.startPolling();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[500]);
            final Runnable round = () ->
            {
                for (int i = 0; i < MESSAGES; i++)
                {
                    final SendStatus status = loopback.publication.send(MessageType.CLIENT_REQUEST, i, 1, 2, payload, 0,
                        500);
                    if (status != SendStatus.OK)
                    {
                        throw new AssertionError("send " + i + ": " + status);
                    }
                }
            };
            round.run();
            final long before = allocatedBytes();
            round.run();
            final long allocated = allocatedBytes() - before;
            System.out.println("claimed send path: " + allocated + " bytes allocated for " + MESSAGES + " messages");
            // under 1 byte per message: no object per message
            assertThat(allocated).as("bytes allocated per message").isLessThan(MESSAGES);
            AeronLoopback.await("all delivered", () -> loopback.messageCount() == 2 * MESSAGES, 60);
        }
    }
}
