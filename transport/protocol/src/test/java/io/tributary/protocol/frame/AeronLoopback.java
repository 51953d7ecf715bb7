package io.tributary.protocol.frame;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.IdleStrategies;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemNanoClock;

import io.aeron.Subscription;







/**
 * One embedded driver, a UDP subscription on 127.0.0.1 (port chosen by the OS) and a framed
 * publication to it; the subscription is polled by a thread of its own only while
 * {@link #startPolling()} is in effect.
 */
public final class AeronLoopback implements AutoCloseable
{
    public static final int STREAM_ID = 1001;

    public final AeronTransportConfig config;
    public final EmbeddedMediaDriver driver;
    public final Subscription subscription;
    public final FramedPublication publication;
    public final FrameErrors errors = new FrameErrors("loopback");
    public final FrameReceiver receiver;
    private final List<RecordingHandler.Message> messages = new ArrayList<>();
    private final RecordingHandler recorder = new RecordingHandler();
    private volatile boolean polling;
    private volatile boolean running = true;
    private final Thread poller;

    public static AeronTransportConfig testConfig(final Path dir, final String node)
    {
        return new AeronTransportConfig().nodeName(node).aeronDirectoryBase(dir).termLengthBytes(64 * 1024)
            .messageBytesMax(4 << 20).reassemblyBytesMax(16 << 20).offerTimeoutMs(300).requestTimeoutMs(5_000);
    }

    public AeronLoopback(final AeronTransportConfig config)
    {
        this.config = config.validate();
        this.driver = EmbeddedMediaDriver.launch(config);
        final FrameHandler handler = (source, type, correlationId, msb, lsb, buffer, offset, length) ->
            record(source, type, correlationId, msb, lsb, buffer, offset, length);
        this.receiver = new FrameReceiver(config.messageBytesMax(),
            new Reassembler(config.messageBytesMax(), config.reassemblyBytesMax(),
            config.reassemblySourcesMax(), TimeUnit.MILLISECONDS.toNanos(config.reassemblyTimeoutMs()), errors), errors,
            SystemNanoClock.INSTANCE, handler);
        this.subscription = driver.aeron().addSubscription("aeron:udp?endpoint=127.0.0.1:0", STREAM_ID, image -> { },
            receiver::onImageUnavailable);
        String channel = null;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (channel == null)
        {
            channel = subscription.tryResolveChannelEndpointPort();
            if (channel == null && System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("subscription endpoint not bound within 10 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        this.publication = new FramedPublication(driver.aeron().addExclusivePublication(channel, STREAM_ID), true,
            config,
            SystemNanoClock.INSTANCE);
        this.poller = new Thread(this::pollLoop, "loopback-poller");
        poller.setDaemon(true);
        poller.start();
        await("publication connected", publication::isConnected, 10);
    }

    private void pollLoop()
    {
        final var idle = IdleStrategies.create(IdleStrategies.BACKOFF);
        while (running)
        {
            int work = 0;
            if (polling)
            {
                work = subscription.poll(receiver.fragmentHandler(), 64);
                receiver.expire();
            }
            idle.idle(work);
        }
    }

    private void record(
        final long source, final MessageType type, final long correlationId, final long msb, final long lsb,
        final DirectBuffer buffer, final int offset, final int length)
    {
        recorder.onMessage(source, type, correlationId, msb, lsb, buffer, offset, length);
        synchronized (messages)
        {
            messages.add(recorder.messages.remove(0));
        }
    }

    public void startPolling()
    {
        polling = true;
    }

    public void stopPolling()
    {
        polling = false;
    }

    public List<RecordingHandler.Message> messages()
    {
        synchronized (messages)
        {
            return new ArrayList<>(messages);
        }
    }

    public int messageCount()
    {
        synchronized (messages)
        {
            return messages.size();
        }
    }

    /** Polls {@code condition} until true or the deadline (no fixed sleeps). */
    public static void await(final String what, final BooleanSupplier condition, final int seconds)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            poller.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.closeAll(publication, subscription, driver);
    }
}
