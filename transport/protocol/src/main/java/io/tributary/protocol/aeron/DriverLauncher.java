package io.tributary.protocol.aeron;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.nio.TransportPoller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.MediaDriverVersion;
import io.aeron.driver.ThreadingMode;

/**
 * Launches an embedded media driver. The only class of this module that names aeron-driver's
 * types, so that the rest loads without that optional jar (a client on an external driver).
 */
final class DriverLauncher
{
    private static final Logger LOG = LoggerFactory.getLogger(DriverLauncher.class);

    /**
     * A running driver, its agent invoker in INVOKER mode (else null), and the selectors holding its receive and
     * control sockets (empty when they could not be found).
     */
    record Launched(AutoCloseable driver, AgentInvoker invoker, Selector[] socketSelectors)
    {
    }

    /** How long the driver's async executor sleeps when it has nothing to do (Aeron's default: 1 ms). */
    static final long ASYNC_EXECUTOR_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int OS_MAX_RCVBUF = osMax(StandardSocketOptions.SO_RCVBUF);
    private static final int OS_MAX_SNDBUF = osMax(StandardSocketOptions.SO_SNDBUF);

    private DriverLauncher()
    {
    }

    /** The largest buffer the OS grants (Linux reports twice what it keeps; Aeron compares the same way). */
    private static int osMax(final SocketOption<Integer> option)
    {
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.setOption(option, Integer.MAX_VALUE);
            return probe.getOption(option);
        }
        catch (final IOException ex)
        {
            return 128 * 1024;
        }
    }

    static Launched launch(final AeronTransportConfig config, final String dir)
    {
        final MediaDriver driver = MediaDriver.launch(driverContext(config, dir));
        return new Launched(driver, driver.sharedAgentInvoker(), socketSelectors(driver.context()));
    }

    /**
     * The selectors of the driver's data (receive) and control (send side: status messages, NAKs) transport
     * pollers, which every UDP socket of the driver is registered with. Aeron has no public accessor for them, so
     * they are read by reflection; if a later Aeron renames them, this returns none and says so, and the network
     * thread parks between polls instead of waiting on the sockets (SocketWaitTest fails, so an upgrade notices).
     */
    static Selector[] socketSelectors(final MediaDriver.Context context)
    {
        try
        {
            final Field selectorField = TransportPoller.class.getDeclaredField("selector");
            selectorField.setAccessible(true);
            final String[] pollers = {"dataTransportPoller", "controlTransportPoller"};
            final Selector[] selectors = new Selector[pollers.length];
            for (int i = 0; i < pollers.length; i++)
            {
                final Field pollerField = MediaDriver.Context.class.getDeclaredField(pollers[i]);
                pollerField.setAccessible(true);
                final Object poller = pollerField.get(context);
                selectors[i] = (Selector) selectorField.get(poller);
                if (selectors[i] == null)
                {
                    throw new IllegalStateException(pollers[i] + " has no selector");
                }
            }
            return selectors;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            LOG.warn("Aeron {}: the media driver's sockets cannot be found ({}); the network thread will park between "
                + "polls" + " instead of waiting on them", MediaDriverVersion.VERSION, ex.toString());
            return new Selector[0];
        }
    }

    static MediaDriver.Context driverContext(final AeronTransportConfig config, final String dir)
    {
        // The OS caps socket buffers (net.core.rmem_max, wmem_max): ask for no more than it allows, and say so.
        final int rcvbuf = Math.min(config.socketRcvbufBytes(), OS_MAX_RCVBUF);
        final int sndbuf = Math.min(config.socketSndbufBytes(), OS_MAX_SNDBUF);
        if (rcvbuf < config.socketRcvbufBytes())
        {
            LOG.warn("Aeron: socket receive buffers are capped by the OS at {} bytes (asked {}): raise "
                + "net.core.rmem_max," + " or datagrams may be dropped under load", rcvbuf, config.socketRcvbufBytes());
        }
        final int window = Math.min(config.receiverWindowBytes(), rcvbuf);
        return new MediaDriver.Context()
            .socketRcvbufLength(rcvbuf)
            .socketSndbufLength(sndbuf)
            .initialWindowLength(window)
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .threadingMode(ThreadingMode.valueOf(config.threadingMode()))
            .sharedIdleStrategy(IdleStrategies.create(config.sharedIdleStrategy()))
            .sharedNetworkIdleStrategy(IdleStrategies.create(config.receiverIdleStrategy()))
            .conductorIdleStrategy(IdleStrategies.create(config.conductorIdleStrategy()))
            .senderIdleStrategy(IdleStrategies.create(config.senderIdleStrategy()))
            .receiverIdleStrategy(IdleStrategies.create(config.receiverIdleStrategy()))
            // The driver's async executor (name resolution when a publication or subscription is added) slept 1 ms
            // at a time: 880 wake-ups a second in every process for work that comes at connection set-up only.
            .asyncExecutorIdleStrategy(new SleepingIdleStrategy(ASYNC_EXECUTOR_SLEEP_NS))
            .publicationTermBufferLength(config.termLengthBytes())
            .ipcTermBufferLength(config.termLengthBytes())
            .mtuLength(config.mtuBytes())
            .termBufferSparseFile(true)
            .driverTimeoutMs(config.driverTimeoutMs())
            // A stall (GC, SIGSTOP) shorter than this keeps the process's own client alive; longer is fatal.
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.driverTimeoutMs()))
            .publicationUnblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.driverTimeoutMs() * 2))
            .publicationConnectionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.publicationConnectionTimeoutMs()))
            .errorHandler(ex -> LOG.error("Aeron media driver error (dir {})", dir, ex));
    }
}
