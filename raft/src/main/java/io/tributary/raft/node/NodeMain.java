package io.tributary.raft.node;

import io.tributary.protocol.ExitCodes;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import io.opentelemetry.api.OpenTelemetry;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code java ... NodeMain CONFIG}: runs one node until SIGTERM or SIGINT, then shuts down
 * cleanly (closes every group, which flushes the logs) and exits 0. Prints one line
 * {@code READY id host:port} on stdout once the Raft server listens. A bad configuration is
 * reported on stderr with exit code 2.
 */
public final class NodeMain
{
    private NodeMain()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length != 1)
        {
            System.err.println("usage: NodeMain CONFIG_FILE");
            System.exit(ExitCodes.NODE_BAD_CONFIG);
        }
        final NodeConfig config;
        try
        {
            config = NodeConfig.load(Path.of(args[0]));
        }
        catch (final IllegalArgumentException e)
        {
            System.err.println("tributary node: " + e.getMessage());
            System.exit(ExitCodes.NODE_BAD_CONFIG);
            return;
        }
        System.exit(run(config, Tracing.openTelemetry(config)));
    }

    /**
     * The root cause, when it is damage to stored data: Ratis's checks of its log segments (a gap
     * between segments, a bad checksum, a truncated entry) or the engine's corrupt-log error.
     */
    static String damagedStorage(final Throwable error)
    {
        for (Throwable cause = error; cause != null; cause = cause.getCause())
        {
            final String message = String.valueOf(cause.getMessage());
            if (cause.getClass().getSimpleName().equals("CorruptLogException") || message.contains("log segment")
                || message.contains("Found a gap between logs") || message.contains("ChecksumException")
                || cause.getClass().getSimpleName().contains("Checksum") || message.contains("corrupt")
                // A segment cut inside an entry's length prefix: Ratis's reader fails in protobuf, not at EOF
                // (Jepsen run 105, seed 517: the node refused to start instead of setting the copy aside).
                || cause.getClass().getSimpleName().equals("InvalidProtocolBufferException"))
            {
                return cause.getClass().getSimpleName() + ": " + message;
            }
        }
        return null;
    }

    /**
     * The process-wide filter of Java deserialization (JEP 290). Tributary's own wire formats are data
     * (the Aeron transport sends exceptions as class name and message: {@code RemoteExceptions}), but
     * Ratis's gRPC and Netty transports send Java-serialized exceptions, and Ratis's client decodes
     * Java-serialized stack traces. What a peer's bytes can make this process instantiate is limited
     * to exceptions, stack traces and the JDK and Ratis classes they hold, in bounded graphs; any
     * other class is refused before it is loaded.
     */
    static final String SERIAL_FILTER = "maxdepth=32;maxrefs=10000;maxbytes=4194304;maxarray=100000;"
        + "java.lang.*;java.io.*;java.util.*;java.util.concurrent.*;org.apache.ratis.**;!*";

    static ObjectInputFilter serialFilter()
    {
        return ObjectInputFilter.Config.createFilter(SERIAL_FILTER);
    }

    /** Runs until a termination signal; returns the exit code. */
    public static int run(final NodeConfig config, final OpenTelemetry openTelemetry)
    {
        if (ObjectInputFilter.Config.getSerialFilter() == null)
        {
            ObjectInputFilter.Config.setSerialFilter(serialFilter());
        }
        final CountDownLatch stop = new CountDownLatch(1);
        // A node whose Aeron client died (a stall longer than the client liveness timeout) would stay up but deaf:
        // exit instead, like a crash, so its supervisor restarts it and it rejoins from its log.
        EmbeddedMediaDriver.onFatalError(error ->
        {
            System.err.println("tributary node " + config.nodeId + ": the Aeron transport closed itself (" + error
                + "); exiting with code " + ExitCodes.NODE_TRANSPORT_CLOSED + " so a supervisor restarts this node");
            System.err.flush();
            Runtime.getRuntime().halt(ExitCodes.NODE_TRANSPORT_CLOSED);
        });
        final TributaryNode node;
        try
        {
            node = TributaryNode.start(config, openTelemetry);
        }
        catch (final Exception e)
        {
            System.err.println("tributary node " + config.nodeId + ": cannot start: " + e);
            final String damage = damagedStorage(e);
            if (damage != null)
            {
                System.err.println("tributary node " + config.nodeId + ": its stored data under " + config.dataDir
                    + " is damaged (" + damage +
                    "). A damaged copy of a shard is set aside (quarantine/) and rebuilt from the peers, but this "
                    + "damage is to the metadata group's log, or could not be traced to one shard's copy; the node "
                    + "refuses to start rather than vote or serve with a log that lost entries it may have "
                    + "acknowledged. Restore that folder from a backup, or retire this node (tributary cluster "
                    + "remove-node " + config.nodeId + ") and add a new node with an empty data folder.");
            }
            return 1;
        }
        final SignalHandler handler = signal -> stop.countDown();
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
        System.out.println("READY " + config.nodeId + " " + config.address());
        System.out.flush();
        try
        {
            stop.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            node.close();
            Tracing.shutdown(openTelemetry);
            return 0;
        }
        catch (final Exception e)
        {
            System.err.println("tributary node " + config.nodeId + ": unclean shutdown: " + e);
            return 1;
        }
    }
}
