package io.tributary.protocol.aeron;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;

/**
 * One process's Aeron: an embedded media driver (unless {@code driver.external}), the Aeron
 * client connected to it, and the process's network thread ({@link NetworkLoop}), which runs the
 * driver in INVOKER mode and polls every subscription. Open one per process (or per node in a
 * test) and share it between the server and client endpoints of that process.
 * <p>
 * Embedding a driver needs {@code io.aeron:aeron-driver} on the class path (an optional
 * dependency of the protocol module, so that a client may run against an external driver
 * without it); {@link #launch} says so when it is missing.
 * <p>
 * The embedded driver uses its own directory, {@code <dir.base>/tributary-aeron-<node.name>},
 * deleted at start (a killed process leaves its folder behind) and at close. If a live driver
 * still owns that directory the launch fails instead of deleting it under that driver's feet.
 * Term buffers are sparse files, so a publication costs what it writes, not 3 x term length.
 * <p>
 * Thread-safe: {@link #aeron()} may be used from any thread; {@link #close()} is idempotent.
 */
public final class EmbeddedMediaDriver implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMediaDriver.class);
    /** Every directory of ours is named so (then the node name), which is how stale ones are recognised. */
    public static final String DIR_PREFIX = "tributary-aeron-";

    private final AeronTransportConfig config;
    private final String aeronDirectory;
    private final AutoCloseable driver;
    private final Aeron aeron;
    private final NetworkLoop network;
    private volatile boolean closed;

    private EmbeddedMediaDriver(final AeronTransportConfig config, final DriverLauncher.Launched driver,
        final Aeron aeron)
    {
        this.config = config;
        this.aeronDirectory = config.aeronDirectory();
        this.driver = driver == null ? null : driver.driver();
        this.aeron = aeron;
        this.network = new NetworkLoop(config.nodeName(), driver == null ? null : driver.invoker(),
            aeron.conductorAgentInvoker(),
            aeron.context().clientLock(), config.newNetworkIdleStrategy(), socketWait(config, driver));
        startWatchdog();
    }

    /** A wait on the driver's sockets, when the configuration asks for it and the driver's sockets can be found. */
    private static SocketWait socketWait(final AeronTransportConfig config, final DriverLauncher.Launched driver)
    {
        if (!config.networkWaitsOnSockets() || driver == null || driver.invoker() == null
            || driver.socketSelectors().length == 0)
        {
            return null;
        }
        try
        {
            return SocketWait.open(driver.socketSelectors(), config.networkSocketWaitTimeoutMs());
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot open a selector to wait on the media driver's sockets; the network thread parks between "
                + "polls",
                ex);
            return null;
        }
    }

    /**
     * Watches for the client closing itself (whatever Aeron reported, or did not, on its error
     * handler): nothing sent or received over Aeron works after that, so the fatal handler runs.
     */
    private void startWatchdog()
    {
        final Thread watchdog = new Thread(() ->
        {
            while (!closed)
            {
                if (aeron.isClosed())
                {
                    if (!closed)
                    {
                        LOG.error("Aeron client in {} closed itself (this process stalled longer than "
                            + "driver.timeout.ms={}" +
                            " or lost its driver); it can no longer send or receive over Aeron", aeronDirectory,
                            config.driverTimeoutMs());
                        fatalErrorHandler.accept(new IllegalStateException("the Aeron client in " + aeronDirectory
                            + " closed itself"));
                    }
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
            }
        }, "aeron-watchdog-" + config.nodeName());
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Starts the embedded driver (or checks the external one is alive) and connects a client.
     *
     * @throws IllegalArgumentException for a bad configuration.
     * @throws IllegalStateException if another live driver owns this node's directory, or the external driver is not
     * running.
     */
    public static EmbeddedMediaDriver launch(final AeronTransportConfig config)
    {
        config.validate();
        final String dir = config.aeronDirectory();
        DriverLauncher.Launched driver = null;
        if (config.externalDriver())
        {
            if (!CommonContext.isDriverActive(new File(dir), config.driverTimeoutMs(), message -> { }))
            {
                throw new IllegalStateException("Aeron transport: no live media driver in " + dir
                    + " (driver.external=true); start one with aeron.dir=" + dir + " or set driver.external=false");
            }
        }
        else
        {
            if (CommonContext.isDriverActive(new File(dir), config.driverTimeoutMs(), message -> { })
                && ownerAlive(dir))
            {
                throw new IllegalStateException("Aeron transport: a live media driver already uses " + dir
                    + "; is node.name=" + config.nodeName()
                        + " used by two processes? Give each node its own name or dir.base");
            }
            requireDriverClasses();
            sweepDirectoriesOfDeadProcesses(new File(dir).getParentFile());
            driver = DriverLauncher.launch(config, dir);
        }
        try
        {
            final Aeron.Context context = new Aeron.Context()
                .aeronDirectoryName(dir)
                .driverTimeoutMs(config.driverTimeoutMs())
                .errorHandler(ex -> onClientError(dir, ex));
            if (driver != null && driver.invoker() != null)
            {
                // While a command waits for the driver's answer, the client runs the driver itself (under its lock);
                // Aeron then requires the client's conductor to be invoked too: the network thread does both.
                context.driverAgentInvoker(driver.invoker()).useConductorAgentInvoker(true);
            }
            final Aeron aeron = Aeron.connect(context);
            LOG.info("Aeron ready: {} driver in {} ({})", driver == null ? "external" : "embedded", dir, config);
            return new EmbeddedMediaDriver(config, driver, aeron);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver == null ? null : driver.driver());
            throw ex;
        }
    }

    private static void requireDriverClasses()
    {
        try
        {
            Class.forName("io.aeron.driver.MediaDriver", false, EmbeddedMediaDriver.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            throw new
                IllegalStateException("Aeron transport: embedding a media driver needs io.aeron:aeron-driver on the "
                + "class path, which is missing; add it (same version as aeron-client), or run a media driver and set "
                + AeronTransportConfig.PREFIX + "driver.external=true with " + AeronTransportConfig.PREFIX
                + "driver.external.dir, or use the tcp transport", ex);
        }
    }

    /**
     * Deletes the Aeron directories of our drivers whose process is gone. A process killed with
     * SIGKILL (a crash, kill -9, a test or the Jepsen nemesis) never deletes its directory, about
     * 50 MB of term buffers in /dev/shm, which is memory: 371 of them had filled 18 GB of a 24 GB
     * machine. Only directories named like ours whose CnC file names a dead owner are removed.
     */
    static void sweepDirectoriesOfDeadProcesses(final File parent)
    {
        final File[] candidates = parent == null ? null
            : parent.listFiles(f -> f.isDirectory() && f.getName().startsWith(DIR_PREFIX));
        if (candidates == null)
        {
            return;
        }
        int removed = 0;
        for (final File candidate : candidates)
        {
            if (new File(candidate, CncFileDescriptor.CNC_FILE).exists() && !ownerAlive(candidate.getPath()))
            {
                IoUtil.delete(candidate, true);
                removed++;
            }
        }
        if (removed > 0)
        {
            LOG.info("removed {} Aeron directories of processes that are gone, under {}", removed, parent);
        }
    }

    /**
     * Whether the process that wrote the directory's CnC file still runs. A driver's heartbeat
     * stays fresh for driver.timeout.ms after its process is killed (kill -9 then restart), and
     * waiting that out would delay every restart; the pid Aeron records in the CnC file answers at
     * once. Unknown (no pid, unreadable file) counts as alive: refusing is the safe answer.
     */
    static boolean ownerAlive(final String dir)
    {
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        try (RandomAccessFile file = new RandomAccessFile(cnc, "r"))
        {
            final int pidOffset = CncFileDescriptor.PID_FIELD_OFFSET;
            if (file.length() < pidOffset + Long.BYTES)
            {
                return true;
            }
            final byte[] bytes = new byte[Long.BYTES];
            file.seek(pidOffset);
            file.readFully(bytes);
            final long pid = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (pid <= 0)
            {
                return true;
            }
            final boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive)
            {
                LOG.debug("Aeron directory {} belongs to process {}, which is gone: replacing it", dir, pid);
            }
            return alive;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * Called once when this process's Aeron client has closed itself for good: the process stalled
     * longer than the client liveness timeout (driver.timeout.ms), or its driver stopped answering.
     * Nothing sent or received over Aeron works after that. Nodes install a handler that exits
     * (a supervisor restarts them, as after a crash); by default it is only logged.
     */
    public static void onFatalError(final Consumer<Throwable> handler)
    {
        fatalErrorHandler = handler;
    }

    private static volatile Consumer<Throwable> fatalErrorHandler = ex -> { };

    private static void onClientError(final String dir, final Throwable ex)
    {
        if (ex instanceof ConductorServiceTimeoutException || ex instanceof DriverTimeoutException
            || ex instanceof ClientTimeoutException)
        {
            // The watchdog sees the client closed and runs the fatal handler.
            LOG.error("Aeron client in {}: fatal timeout (the process stalled or lost its driver)", dir, ex);
            return;
        }
        LOG.error("Aeron client error (dir {})", dir, ex);
    }

    /** The process's network thread: register subscriptions' polls with it, wake it after an offer. */
    public NetworkLoop network()
    {
        return network;
    }

    /** The connected client. Owned by this object: do not close it. */
    public Aeron aeron()
    {
        return aeron;
    }

    public String aeronDirectory()
    {
        return aeronDirectory;
    }

    public boolean isEmbedded()
    {
        return driver != null;
    }

    public AeronTransportConfig config()
    {
        return config;
    }

    /** Closes the client, then the embedded driver, and deletes the embedded driver's directory. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // Who closed it: a driver closed under a running node silences the node, so the log says why.
        LOG.info("closing the Aeron client{} in {} (from {})", driver != null ? " and embedded driver" : "",
            aeronDirectory,
            StackWalker.getInstance().walk(frames -> frames.skip(1).limit(4)
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .collect(Collectors.joining(" < "))));
        network.close();
        CloseHelper.closeAll(aeron, driver);
        if (driver != null)
        {
            IoUtil.delete(new File(aeronDirectory), true);
        }
    }
}
