package io.tributary.protocol.aeron;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.AgentInvoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

/**
 * Launches an embedded media driver. The only class of this module that names aeron-driver's
 * types, so that the rest loads without that optional jar (a client on an external driver).
 */
final class DriverLauncher
{
    private static final Logger LOG = LoggerFactory.getLogger(DriverLauncher.class);

    /** A running driver, and its agent invoker in INVOKER mode (else null). */
    record Launched(AutoCloseable driver, AgentInvoker invoker)
    {
    }

    private DriverLauncher()
    {
    }

    static Launched launch(final AeronTransportConfig config, final String dir)
    {
        final MediaDriver driver = MediaDriver.launch(driverContext(config, dir));
        return new Launched(driver, driver.sharedAgentInvoker());
    }

    static MediaDriver.Context driverContext(final AeronTransportConfig config, final String dir)
    {
        return new MediaDriver.Context()
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
            .publicationTermBufferLength(config.termLengthBytes())
            .ipcTermBufferLength(config.termLengthBytes())
            .mtuLength(config.mtuBytes())
            .termBufferSparseFile(true)
            .driverTimeoutMs(config.driverTimeoutMs())
            // A stall (GC, SIGSTOP) shorter than this keeps the process's own client alive; longer is fatal.
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.driverTimeoutMs()))
            .publicationUnblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.driverTimeoutMs() * 2))
            .publicationConnectionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs()))
            .errorHandler(ex -> LOG.error("Aeron media driver error (dir {})", dir, ex));
    }
}
