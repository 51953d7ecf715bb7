package io.tributary.protocol.aeron;

import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.tributary.protocol.frame.FrameDescriptor;
import org.agrona.concurrent.IdleStrategy;

/**
 * Settings of the Aeron transport: media driver, buffers, limits, timeouts and retries.
 * <p>
 * Mutable until handed to a component, which calls {@link #validate()} and fails fast with a
 * message naming the setting, its value and what to change. Not thread-safe; do not change an
 * instance after it was handed over.
 * <p>
 * Defaults suit a small machine (2 cores): one embedded driver per process in {@code INVOKER} mode, whose
 * duty cycle runs on the process's one network thread ({@link NetworkLoop}) together with every
 * subscription's poll, so a message costs one thread wake-up at each end; with nothing to do that thread
 * waits on the driver's sockets for up to 1 ms ({@link IdleStrategies#SOCKETS}), so a datagram wakes it at once.
 */
public final class AeronTransportConfig
{
    /** Prefix of the keys read by {@link #fromProperties(Properties)}. */
    public static final String PREFIX = "transport.aeron.";

    /** Aeron's smallest and largest term lengths (powers of two). */
    public static final int TERM_LENGTH_MIN = 64 * 1024;
    public static final int TERM_LENGTH_MAX = 1024 * 1024 * 1024;
    /** Aeron's MTU bounds; the MTU must be a multiple of the 32-byte frame alignment. */
    public static final int MTU_MIN = 64;
    public static final int MTU_MAX = 65504;
    public static final int RETRIES_MAX = 1_000_000;
    /** Upper bound of appender.inflight.max: each request in flight may hold a batch of entries in memory. */
    public static final int APPENDER_INFLIGHT_LIMIT = 1024;
    /**
     * Default of appender.commit.delay.us: how long a follower may go without learning a new commit index while
     * nothing else is sent to it. Longer than the gap between two entries of a shard at low rates (15 ms at 200
     * records/s over 3 shards), so the next entry carries it; far below a human's notice for follower reads.
     */
    public static final long DEFAULT_APPENDER_COMMIT_DELAY_US = 25_000;
    /** Upper bound of appender.commit.delay.us: a heartbeat carries the commit index at least this often anyway. */
    public static final long APPENDER_COMMIT_DELAY_LIMIT_US = 1_000_000;
    /**
     * Bounds of publication.connection.timeout.ms: above the receivers' 200 ms status message cadence, below a minute.
     */
    public static final long PUBLICATION_CONNECTION_TIMEOUT_MIN_MS = 500;
    public static final long PUBLICATION_CONNECTION_TIMEOUT_MAX_MS = 60_000;

    private String nodeName = "node";
    private Path aeronDirectoryBase = defaultAeronDirectoryBase();
    private boolean externalDriver = false;
    private String externalAeronDirectory = null;
    /** Aeron's ThreadingMode names; kept as text so that a client without aeron-driver can still read the settings. */
    public static final List<String> THREADING_MODES = List.of("INVOKER", "SHARED", "SHARED_NETWORK",
        "DEDICATED");

    private String threadingMode = "INVOKER";
    private String networkIdleStrategy = IdleStrategies.SOCKETS;
    private long networkActiveParkUs = 20;
    private long networkIdleParkUs = 1_000;
    private long networkActiveWindowUs = 5_000;
    private String sharedIdleStrategy = IdleStrategies.BACKOFF;
    private String conductorIdleStrategy = IdleStrategies.BACKOFF;
    private String senderIdleStrategy = IdleStrategies.BACKOFF;
    private String receiverIdleStrategy = IdleStrategies.BACKOFF;
    private String pollerIdleStrategy = IdleStrategies.BACKOFF;
    private int termLengthBytes = 2 * 1024 * 1024;
    private int mtuBytes = 1408;
    // Loopback carries datagrams of up to 64 KiB without IP fragmentation (lo's MTU is 65536), as TCP on loopback
    // sends 64 KiB segments by itself; with Ethernet's 1408 a 180 KiB Raft entry left as 130 datagrams, each a
    // sendto and a recvfrom. 0: loopback uses mtu.bytes like any other address.
    private int mtuLoopbackBytes = MTU_MAX;
    // Aeron's defaults (128 KiB socket buffer and receiver window) overflowed on loopback under load: the kernel
    // dropped 160,000 datagrams in a 40 s maximum-throughput run (RcvbufErrors in /proc/net/snmp), and every drop
    // cost a NAK round and a retransmission. A node receives from every peer and client at once, so its socket
    // buffer holds many windows.
    private int socketRcvbufBytes = 4 * 1024 * 1024;
    private int socketSndbufBytes = 2 * 1024 * 1024;
    private int receiverWindowBytes = 256 * 1024;
    private int frameBytesMax = 0;
    private int messageBytesMax = 32 * 1024 * 1024;
    private long reassemblyBytesMax = 64L * 1024 * 1024;
    private int reassemblySourcesMax = 64;
    private long reassemblyTimeoutMs = 5_000;
    private int offerRetriesMax = 1_000;
    private long offerTimeoutMs = 1_000;
    private long requestTimeoutMs = 3_000;
    private int appenderInflightMax = 8;
    private long appenderCommitDelayUs = DEFAULT_APPENDER_COMMIT_DELAY_US;
    private long connectTimeoutMs = 5_000;
    // How long a publication counts as connected after its receiver's last status message (Aeron's own
    // default is 5 s). Within that time a message to a peer that died is accepted and lost, and so is one
    // to its new incarnation at the same address until the new receiver has joined the stream: a node
    // restarted within 5 s of a kill -9 lost the first request sent to it (a leadership transfer then
    // waited out its 60 s timeout). Receivers send a status message at least every 200 ms; once the
    // publication counts as not connected, one send waits (offer.timeout.ms) for the new receiver's handshake, and
    // later ones fail at once until it has joined (FramedPublication.peerGone).
    private long publicationConnectionTimeoutMs = 1_000;
    // Also the client liveness timeout: a process stalled longer (GC, VM freeze, SIGSTOP) finds its own Aeron
    // client closed when it resumes. Aeron's 10 s default made a node paused for 12 s deaf for good.
    private long driverTimeoutMs = 30_000;
    private String serverAddress = null;
    private String clientHost = null;

    private static Path defaultAeronDirectoryBase()
    {
        // tmpfs keeps the mapped term buffers off the disk; fall back where there is none.
        final File shm = new File("/dev/shm");
        return shm.isDirectory() && shm.canWrite() ? shm.toPath() : Paths.get(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Reads the settings present under {@link #PREFIX} (e.g. {@code transport.aeron.term.length.bytes});
     * absent keys keep their defaults. Does not validate.
     */
    public static AeronTransportConfig fromProperties(final Properties properties)
    {
        return fromProperties((Function<String, String>)properties::getProperty);
    }

    /**
     * As {@link #fromProperties(Properties)}, reading each full key (e.g. {@code transport.aeron.mtu.bytes})
     * through {@code lookup} (null: absent), e.g. {@code RaftProperties::get}.
     */
    public static AeronTransportConfig fromProperties(final Function<String, String> lookup)
    {
        final Properties properties = new Properties()
        {
            @Override
            public String getProperty(final String key)
            {
                return lookup.apply(key);
            }

            @Override
            public String getProperty(final String key, final String defaultValue)
            {
                final String value = lookup.apply(key);
                return value == null ? defaultValue : value;
            }
        };
        final AeronTransportConfig c = new AeronTransportConfig();
        c.nodeName = properties.getProperty(PREFIX + "node.name", c.nodeName);
        final String base = properties.getProperty(PREFIX + "dir.base");
        if (base != null)
        {
            c.aeronDirectoryBase = Paths.get(base);
        }
        c.externalDriver = Boolean.parseBoolean(properties.getProperty(PREFIX + "driver.external",
            Boolean.toString(c.externalDriver)));
        c.externalAeronDirectory = properties.getProperty(PREFIX + "driver.external.dir", c.externalAeronDirectory);
        c.threadingMode = properties.getProperty(PREFIX + "driver.threading.mode", c.threadingMode);
        c.sharedIdleStrategy = properties.getProperty(PREFIX + "idle.shared", c.sharedIdleStrategy);
        c.conductorIdleStrategy = properties.getProperty(PREFIX + "idle.conductor", c.conductorIdleStrategy);
        c.senderIdleStrategy = properties.getProperty(PREFIX + "idle.sender", c.senderIdleStrategy);
        c.receiverIdleStrategy = properties.getProperty(PREFIX + "idle.receiver", c.receiverIdleStrategy);
        c.pollerIdleStrategy = properties.getProperty(PREFIX + "idle.poller", c.pollerIdleStrategy);
        c.networkIdleStrategy = properties.getProperty(PREFIX + "idle.network", c.networkIdleStrategy);
        c.networkActiveParkUs = longValue(properties, "idle.network.active.park.us", c.networkActiveParkUs);
        c.networkIdleParkUs = longValue(properties, "idle.network.idle.park.us", c.networkIdleParkUs);
        c.networkActiveWindowUs = longValue(properties, "idle.network.active.window.us", c.networkActiveWindowUs);
        c.termLengthBytes = intValue(properties, "term.length.bytes", c.termLengthBytes);
        c.mtuBytes = intValue(properties, "mtu.bytes", c.mtuBytes);
        c.mtuLoopbackBytes = intValue(properties, "mtu.loopback.bytes", c.mtuLoopbackBytes);
        c.socketRcvbufBytes = intValue(properties, "socket.rcvbuf.bytes", c.socketRcvbufBytes);
        c.socketSndbufBytes = intValue(properties, "socket.sndbuf.bytes", c.socketSndbufBytes);
        c.receiverWindowBytes = intValue(properties, "receiver.window.bytes", c.receiverWindowBytes);
        c.frameBytesMax = intValue(properties, "frame.bytes.max", c.frameBytesMax);
        c.messageBytesMax = intValue(properties, "message.bytes.max", c.messageBytesMax);
        c.reassemblyBytesMax = longValue(properties, "reassembly.bytes.max", c.reassemblyBytesMax);
        c.reassemblySourcesMax = intValue(properties, "reassembly.sources.max", c.reassemblySourcesMax);
        c.reassemblyTimeoutMs = longValue(properties, "reassembly.timeout.ms", c.reassemblyTimeoutMs);
        c.offerRetriesMax = intValue(properties, "offer.retries.max", c.offerRetriesMax);
        c.offerTimeoutMs = longValue(properties, "offer.timeout.ms", c.offerTimeoutMs);
        c.requestTimeoutMs = longValue(properties, "request.timeout.ms", c.requestTimeoutMs);
        c.appenderInflightMax = intValue(properties, "appender.inflight.max", c.appenderInflightMax);
        c.appenderCommitDelayUs = longValue(properties, "appender.commit.delay.us", c.appenderCommitDelayUs);
        c.connectTimeoutMs = longValue(properties, "connect.timeout.ms", c.connectTimeoutMs);
        c.publicationConnectionTimeoutMs = longValue(properties, "publication.connection.timeout.ms",
            c.publicationConnectionTimeoutMs);
        c.driverTimeoutMs = longValue(properties, "driver.timeout.ms", c.driverTimeoutMs);
        c.serverAddress = properties.getProperty(PREFIX + "server.address", c.serverAddress);
        c.clientHost = properties.getProperty(PREFIX + "client.host", c.clientHost);
        return c;
    }

    private static int intValue(final Properties properties, final String key, final int defaultValue)
    {
        final long value = longValue(properties, key, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(PREFIX + key + "=" + value + " does not fit in an int; use at most "
                + Integer.MAX_VALUE);
        }
        return (int)value;
    }

    private static long longValue(final Properties properties, final String key, final long defaultValue)
    {
        final String text = properties.getProperty(PREFIX + key);
        if (text == null)
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(PREFIX + key + "=" + text + " is not a whole number (default "
                + defaultValue + ")", ex);
        }
    }

    /**
     * Checks every setting and their relationships.
     *
     * @return this, for chaining.
     * @throws IllegalArgumentException naming the first bad setting, its value and a hint.
     */
    public AeronTransportConfig validate()
    {
        require(nodeName != null && nodeName.matches("[A-Za-z0-9._-]{1,64}"),
            "node.name=" + nodeName + " must be 1-64 characters of [A-Za-z0-9._-] (it names the Aeron directory)");
        if (externalDriver)
        {
            require(externalAeronDirectory != null && !externalAeronDirectory.isBlank(),
                "driver.external=true needs driver.external.dir, the aeron.dir of the running media driver");
        }
        else
        {
            require(aeronDirectoryBase != null, "dir.base is missing: set a writable folder (e.g. /dev/shm)");
        }
        threadingMode();
        for (final String name : new String[]{sharedIdleStrategy, conductorIdleStrategy, senderIdleStrategy,
            receiverIdleStrategy, pollerIdleStrategy})
        {
            IdleStrategies.validate(name);
        }
        if (!IdleStrategies.SOCKETS.equals(networkIdleStrategy))
        {
            IdleStrategies.validate(networkIdleStrategy);
        }
        require(Integer.bitCount(termLengthBytes) == 1 && termLengthBytes >= TERM_LENGTH_MIN
            && termLengthBytes <= TERM_LENGTH_MAX,
            "term.length.bytes=" + termLengthBytes + " must be a power of two in [" + TERM_LENGTH_MIN + ", "
                + TERM_LENGTH_MAX + "]; e.g. 65536 for tests, 2097152 by default");
        require(mtuBytes >= MTU_MIN && mtuBytes <= MTU_MAX && mtuBytes % 32 == 0,
            "mtu.bytes=" + mtuBytes + " must be a multiple of 32 in [" + MTU_MIN + ", " + MTU_MAX
                + "]; 1408 fits an Ethernet frame");
        require(mtuBytes <= termLengthBytes / 8,
            "mtu.bytes=" + mtuBytes + " exceeds term.length.bytes/8=" + termLengthBytes / 8
                + "; lower the MTU or raise the term length");
        require(mtuLoopbackBytes == 0 || mtuLoopbackBytes >= MTU_MIN && mtuLoopbackBytes <= MTU_MAX
            && mtuLoopbackBytes % 32 == 0, "mtu.loopback.bytes=" + mtuLoopbackBytes
            + " must be 0 (use mtu.bytes) or a multiple of 32 in [" + MTU_MIN + ", " + MTU_MAX + "]");
        validateFrameAndMessageLimits();
        require(socketRcvbufBytes >= 65_536 && socketSndbufBytes >= 65_536, "socket.rcvbuf.bytes=" + socketRcvbufBytes
            + " and socket.sndbuf.bytes=" + socketSndbufBytes
                + " must be at least 65536 (the OS caps them at its maximum)");
        require(receiverWindowBytes >= 2 * mtuBytes, "receiver.window.bytes=" + receiverWindowBytes
            + " must be at least 2 x" + " mtu.bytes=" + 2 * mtuBytes);
        require(reassemblySourcesMax >= 1 && reassemblySourcesMax <= 65_536,
            "reassembly.sources.max=" + reassemblySourcesMax
                + " must be in [1, 65536] (senders with a message in reassembly at once)");
        require(reassemblyTimeoutMs >= 1, "reassembly.timeout.ms=" + reassemblyTimeoutMs + " must be at least 1");
        require(offerRetriesMax >= 0 && offerRetriesMax <= RETRIES_MAX,
            "offer.retries.max=" + offerRetriesMax + " must be in [0, " + RETRIES_MAX + "]");
        require(offerTimeoutMs >= 1, "offer.timeout.ms=" + offerTimeoutMs + " must be at least 1");
        require(networkActiveParkUs >= 1 && networkActiveParkUs <= networkIdleParkUs && networkIdleParkUs <= 100_000,
            "idle.network.active.park.us=" + networkActiveParkUs + " and idle.network.idle.park.us=" + networkIdleParkUs
                + " must satisfy 1 <= active <= idle <= 100000 (microseconds)");
        require(requestTimeoutMs >= 1, "request.timeout.ms=" + requestTimeoutMs + " must be at least 1");
        require(appenderInflightMax >= 1 && appenderInflightMax <= APPENDER_INFLIGHT_LIMIT,
            "appender.inflight.max=" + appenderInflightMax + " must be in [1, " + APPENDER_INFLIGHT_LIMIT
                + "] (appendEntries in flight per follower; 1 = one at a time)");
        require(appenderCommitDelayUs >= 0 && appenderCommitDelayUs <= APPENDER_COMMIT_DELAY_LIMIT_US,
            "appender.commit.delay.us=" + appenderCommitDelayUs + " must be in [0, " + APPENDER_COMMIT_DELAY_LIMIT_US
                + "] (microseconds a follower may wait for a new commit index; 0 = send it at once)");
        require(connectTimeoutMs >= 1, "connect.timeout.ms=" + connectTimeoutMs + " must be at least 1");
        require(publicationConnectionTimeoutMs >= PUBLICATION_CONNECTION_TIMEOUT_MIN_MS
                && publicationConnectionTimeoutMs <= PUBLICATION_CONNECTION_TIMEOUT_MAX_MS,
            "publication.connection.timeout.ms=" + publicationConnectionTimeoutMs + " must be in ["
                + PUBLICATION_CONNECTION_TIMEOUT_MIN_MS + ", " + PUBLICATION_CONNECTION_TIMEOUT_MAX_MS
                    + "] (receivers send a status"
                + " message every 200 ms; a peer silent this long counts as gone)");
        require(driverTimeoutMs >= 1_000, "driver.timeout.ms=" + driverTimeoutMs
            + " must be at least 1000 (Aeron's client keepalive)");
        require(serverAddress == null || serverAddress.matches("[^:]+:[0-9]{1,5}"),
            "server.address=" + serverAddress + " must be host:port, e.g. 127.0.0.1:9870");
        require(clientHost == null || clientHost.matches("[^:\\s]+"),
            "client.host=" + clientHost + " must be a host name or IPv4 address without a port, e.g. 10.0.0.1");
        require(offerTimeoutMs < requestTimeoutMs,
            "offer.timeout.ms=" + offerTimeoutMs + " must be below request.timeout.ms=" + requestTimeoutMs
                + ": a request must be able to fail on back-pressure before it times out");
        return this;
    }

    private void validateFrameAndMessageLimits()
    {
        final int frameMax = frameBytesMax();
        require(frameBytesMax == 0 || (frameBytesMax >= FrameDescriptor.HEADER_LENGTH + 1
            && frameBytesMax <= termLengthBytes / 8),
            "frame.bytes.max=" + frameBytesMax + " must be 0 (term.length.bytes/8) or in ["
                + (FrameDescriptor.HEADER_LENGTH + 1)
                + ", " + termLengthBytes / 8 + "] (Aeron's max message length for this term length)");
        require(messageBytesMax >= 1 && messageBytesMax <= FrameDescriptor.MESSAGE_LENGTH_MAX,
            "message.bytes.max=" + messageBytesMax + " must be in [1, " + FrameDescriptor.MESSAGE_LENGTH_MAX
                + "]; it must cover Ratis's largest appendEntries and snapshot chunk");
        require(reassemblyBytesMax >= messageBytesMax,
            "reassembly.bytes.max=" + reassemblyBytesMax + " is below message.bytes.max=" + messageBytesMax
                + ": one largest message must fit; raise reassembly.bytes.max");
        require(frameMax > FrameDescriptor.HEADER_LENGTH, "frame.bytes.max=" + frameMax
            + " leaves no payload after the " + FrameDescriptor.HEADER_LENGTH + "-byte header");
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("Aeron transport: " + PREFIX + message);
        }
    }

    /** The Aeron directory this node's client uses: its own embedded driver's, or the external driver's. */
    public String aeronDirectory()
    {
        if (externalDriver)
        {
            return externalAeronDirectory;
        }
        return aeronDirectoryBase.resolve(EmbeddedMediaDriver.DIR_PREFIX + nodeName).toString();
    }

    /**
     * The embedded driver's threading mode, one of {@link #THREADING_MODES} (Aeron's {@code ThreadingMode} names).
     * INVOKER (default): the driver has no thread of its own; the network thread runs it.
     */
    public String threadingMode()
    {
        final String mode = threadingMode == null ? "" : threadingMode.trim().toUpperCase(Locale.ROOT);
        if (!THREADING_MODES.contains(mode))
        {
            throw new IllegalArgumentException("Aeron transport: " + PREFIX + "driver.threading.mode=" + threadingMode
                + " is not one of " + String.join(", ", THREADING_MODES) + "; INVOKER (default) suits small machines");
        }
        return mode;
    }

    /** True when the network thread runs the embedded driver's duty cycle. */
    public boolean driverInvoked()
    {
        return !externalDriver && "INVOKER".equals(threadingMode());
    }

    /** Idle strategy of the network thread (driver duty cycle in INVOKER mode, and every subscription's poll). */
    public String networkIdleStrategy()
    {
        return networkIdleStrategy;
    }

    public AeronTransportConfig networkIdleStrategy(final String name)
    {
        this.networkIdleStrategy = name;
        return this;
    }

    /**
     * Whether the network thread waits on the embedded driver's sockets when it has nothing to do ({@code
     * idle.network=sockets}, the default), for at most {@link #networkSocketWaitTimeoutMs()}. Where the sockets cannot
     * be watched (an external driver, a threading mode other than INVOKER) it idles with {@code adaptive}.
     */
    public boolean networkWaitsOnSockets()
    {
        return IdleStrategies.SOCKETS.equals(networkIdleStrategy);
    }

    /** The longest wait on the sockets: {@code idle.network.idle.park.us} in whole milliseconds, at least 1. */
    public long networkSocketWaitTimeoutMs()
    {
        return Math.max(1, TimeUnit.MICROSECONDS.toMillis(networkIdleParkUs));
    }

    /**
     * The network thread's idle strategy: for {@code adaptive}, parks of {@code idle.network.active.park.us} while
     * traffic flows and up to {@code idle.network.idle.park.us} once it stops; {@code sockets} uses the same parks
     * when it cannot wait on the sockets (see {@link #networkWaitsOnSockets()}).
     */
    public IdleStrategy newNetworkIdleStrategy()
    {
        if (IdleStrategies.ADAPTIVE.equals(networkIdleStrategy) || IdleStrategies.SOCKETS.equals(networkIdleStrategy))
        {
            return new AdaptiveIdleStrategy(TimeUnit.MICROSECONDS.toNanos(networkActiveParkUs),
                TimeUnit.MICROSECONDS.toNanos(networkIdleParkUs),
                TimeUnit.MICROSECONDS.toNanos(networkActiveWindowUs));
        }
        return IdleStrategies.create(networkIdleStrategy);
    }

    /**
     * The largest frame (header and payload) given to Aeron in one offer: the setting, or Aeron's max message length.
     */
    public int frameBytesMax()
    {
        return frameBytesMax == 0 ? termLengthBytes / 8 : frameBytesMax;
    }

    public String nodeName()
    {
        return nodeName;
    }

    public AeronTransportConfig nodeName(final String nodeName)
    {
        this.nodeName = nodeName;
        return this;
    }

    public Path aeronDirectoryBase()
    {
        return aeronDirectoryBase;
    }

    public AeronTransportConfig aeronDirectoryBase(final Path aeronDirectoryBase)
    {
        this.aeronDirectoryBase = aeronDirectoryBase;
        return this;
    }

    public boolean externalDriver()
    {
        return externalDriver;
    }

    /** Use a media driver started elsewhere (e.g. {@code io.aeron.driver.MediaDriver}) in {@code aeronDirectory}. */
    public AeronTransportConfig externalDriver(final String aeronDirectory)
    {
        this.externalDriver = aeronDirectory != null;
        this.externalAeronDirectory = aeronDirectory;
        return this;
    }

    public AeronTransportConfig threadingMode(final String threadingMode)
    {
        this.threadingMode = threadingMode;
        return this;
    }

    public String sharedIdleStrategy()
    {
        return sharedIdleStrategy;
    }

    public AeronTransportConfig sharedIdleStrategy(final String name)
    {
        this.sharedIdleStrategy = name;
        return this;
    }

    public String conductorIdleStrategy()
    {
        return conductorIdleStrategy;
    }

    public AeronTransportConfig conductorIdleStrategy(final String name)
    {
        this.conductorIdleStrategy = name;
        return this;
    }

    public String senderIdleStrategy()
    {
        return senderIdleStrategy;
    }

    public AeronTransportConfig senderIdleStrategy(final String name)
    {
        this.senderIdleStrategy = name;
        return this;
    }

    public String receiverIdleStrategy()
    {
        return receiverIdleStrategy;
    }

    public AeronTransportConfig receiverIdleStrategy(final String name)
    {
        this.receiverIdleStrategy = name;
        return this;
    }

    /** Idle strategy of the transport's own threads that poll subscriptions. */
    public String pollerIdleStrategy()
    {
        return pollerIdleStrategy;
    }

    public AeronTransportConfig pollerIdleStrategy(final String name)
    {
        this.pollerIdleStrategy = name;
        return this;
    }

    public int termLengthBytes()
    {
        return termLengthBytes;
    }

    public AeronTransportConfig termLengthBytes(final int termLengthBytes)
    {
        this.termLengthBytes = termLengthBytes;
        return this;
    }

    public int socketRcvbufBytes()
    {
        return socketRcvbufBytes;
    }

    public int socketSndbufBytes()
    {
        return socketSndbufBytes;
    }

    /** The receiver window: the setting, at most half a term and the receive buffer (Aeron's own bounds). */
    public int receiverWindowBytes()
    {
        return Math.max(2 * mtuBytes, Math.min(receiverWindowBytes, Math.min(termLengthBytes / 2, socketRcvbufBytes)));
    }

    public int mtuBytes()
    {
        return mtuBytes;
    }

    /**
     * The MTU of publications to a loopback address: {@code mtu.loopback.bytes}, within what the term length
     * (an eighth of it) and the receiver window (half of it) allow, and never below {@code mtu.bytes}.
     */
    public int mtuLoopbackBytes()
    {
        if (mtuLoopbackBytes == 0)
        {
            return mtuBytes;
        }
        final int bound = Math.min(mtuLoopbackBytes, Math.min(termLengthBytes / 8, receiverWindowBytes() / 2));
        return Math.max(mtuBytes, bound - bound % 32);
    }

    public AeronTransportConfig mtuLoopbackBytes(final int mtuLoopbackBytes)
    {
        this.mtuLoopbackBytes = mtuLoopbackBytes;
        return this;
    }

    /**
     * The channel of a publication to {@code address} (host:port): with the loopback MTU when the host is a
     * loopback literal (127.0.0.0/8, ::1) or {@code localhost}, else the driver's {@code mtu.bytes}. Never resolves a
     * name: other host names get the default.
     */
    public String publicationChannel(final String address)
    {
        final int loopbackMtu = mtuLoopbackBytes();
        return loopbackMtu != mtuBytes && isLoopback(address) ? udpChannel(address) + "|mtu=" + loopbackMtu
            : udpChannel(address);
    }

    /** The Aeron UDP channel of {@code address} (host:port), as subscriptions bind it and publications reach it. */
    public static String udpChannel(final String address)
    {
        return "aeron:udp?endpoint=" + address;
    }

    static boolean isLoopback(final String address)
    {
        final int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equalsIgnoreCase("localhost"))
        {
            return true;
        }
        // Literals only (IPv4 digits and dots, or IPv6): InetAddress would resolve a name here, on the caller's thread
        if (!host.contains(":") && !host.chars().allMatch(c -> c == '.' || Character.isDigit(c)))
        {
            return false;
        }
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException notAnAddress)
        {
            return false;
        }
    }

    public AeronTransportConfig mtuBytes(final int mtuBytes)
    {
        this.mtuBytes = mtuBytes;
        return this;
    }

    /** 0 (the default) means Aeron's max message length, term length / 8. */
    public AeronTransportConfig frameBytesMax(final int frameBytesMax)
    {
        this.frameBytesMax = frameBytesMax;
        return this;
    }

    /** Largest message (one Ratis request or reply, before fragmentation) sent or accepted. */
    public int messageBytesMax()
    {
        return messageBytesMax;
    }

    public AeronTransportConfig messageBytesMax(final int messageBytesMax)
    {
        this.messageBytesMax = messageBytesMax;
        return this;
    }

    /** Memory all partly received messages of one receiver may hold together. */
    public long reassemblyBytesMax()
    {
        return reassemblyBytesMax;
    }

    public AeronTransportConfig reassemblyBytesMax(final long reassemblyBytesMax)
    {
        this.reassemblyBytesMax = reassemblyBytesMax;
        return this;
    }

    public int reassemblySourcesMax()
    {
        return reassemblySourcesMax;
    }

    public AeronTransportConfig reassemblySourcesMax(final int reassemblySourcesMax)
    {
        this.reassemblySourcesMax = reassemblySourcesMax;
        return this;
    }

    public long reassemblyTimeoutMs()
    {
        return reassemblyTimeoutMs;
    }

    public AeronTransportConfig reassemblyTimeoutMs(final long reassemblyTimeoutMs)
    {
        this.reassemblyTimeoutMs = reassemblyTimeoutMs;
        return this;
    }

    /** Offer/claim attempts after a back-pressured, not-connected or admin-action result before giving up. */
    public int offerRetriesMax()
    {
        return offerRetriesMax;
    }

    public AeronTransportConfig offerRetriesMax(final int offerRetriesMax)
    {
        this.offerRetriesMax = offerRetriesMax;
        return this;
    }

    /** Time limit of the retries of one frame, whichever of count and time comes first. */
    public long offerTimeoutMs()
    {
        return offerTimeoutMs;
    }

    public AeronTransportConfig offerTimeoutMs(final long offerTimeoutMs)
    {
        this.offerTimeoutMs = offerTimeoutMs;
        return this;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    public AeronTransportConfig requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /** AppendEntries requests in flight per follower in the log appender (1 = one at a time). */
    public int appenderInflightMax()
    {
        return appenderInflightMax;
    }

    public AeronTransportConfig appenderInflightMax(final int appenderInflightMax)
    {
        this.appenderInflightMax = appenderInflightMax;
        return this;
    }

    /**
     * How long a follower may wait to learn that the leader's commit index moved, while no appendEntries goes to it
     * (one would carry it): after this long a heartbeat carries it. 0 sends a heartbeat as soon as the commit index
     * moves, as Ratis's own appenders do. Only followers' apply (follower reads) waits for it; the leader acknowledges
     * a write when it commits.
     */
    public long appenderCommitDelayUs()
    {
        return appenderCommitDelayUs;
    }

    public AeronTransportConfig appenderCommitDelayUs(final long appenderCommitDelayUs)
    {
        this.appenderCommitDelayUs = appenderCommitDelayUs;
        return this;
    }

    public long publicationConnectionTimeoutMs()
    {
        return publicationConnectionTimeoutMs;
    }

    public AeronTransportConfig publicationConnectionTimeoutMs(final long publicationConnectionTimeoutMs)
    {
        this.publicationConnectionTimeoutMs = publicationConnectionTimeoutMs;
        return this;
    }

    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    public AeronTransportConfig connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    /** host:port a server listens on (UDP); null: the address of this server in its Raft group. */
    /**
     * The interface a client listens on for replies; null: the address the OS routes from towards
     * the server it first calls (127.0.0.1 for a server on loopback).
     */
    public String clientHost()
    {
        return clientHost;
    }

    public AeronTransportConfig clientHost(final String clientHost)
    {
        this.clientHost = clientHost;
        return this;
    }

    public String serverAddress()
    {
        return serverAddress;
    }

    public AeronTransportConfig serverAddress(final String serverAddress)
    {
        this.serverAddress = serverAddress;
        return this;
    }

    public long driverTimeoutMs()
    {
        return driverTimeoutMs;
    }

    public AeronTransportConfig driverTimeoutMs(final long driverTimeoutMs)
    {
        this.driverTimeoutMs = driverTimeoutMs;
        return this;
    }

    @Override
    public String toString()
    {
        return "AeronTransportConfig{node=" + nodeName + ", dir="
            + (externalDriver ? externalAeronDirectory + " (external driver)" : aeronDirectoryBase)
            + ", threading=" + threadingMode + ", idle=" + networkIdleStrategy + "/" + sharedIdleStrategy + ", term="
                + termLengthBytes + ", mtu=" + mtuBytes + "/" + mtuLoopbackBytes() + " loopback"
            + ", frameMax=" + frameBytesMax() + ", messageMax=" + messageBytesMax + ", reassemblyMax="
                + reassemblyBytesMax
            + ", offerRetries=" + offerRetriesMax + ", offerTimeoutMs=" + offerTimeoutMs + ", requestTimeoutMs="
                + requestTimeoutMs
            + ", appenderInflightMax=" + appenderInflightMax + ", appenderCommitDelayUs=" + appenderCommitDelayUs
            + ", publicationConnectionTimeoutMs=" + publicationConnectionTimeoutMs + "}";
    }
}
