package io.tributary.raft.node;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import io.opentelemetry.api.OpenTelemetry;

/**
 * {@code java ... NodeMain CONFIG}: runs one node until SIGTERM or SIGINT, then shuts down
 * cleanly (closes every group, which flushes the logs) and exits 0. Prints one line
 * {@code READY id host:port} on stdout once the Raft server listens. A bad configuration is
 * reported on stderr with exit code 2.
 */
public final class NodeMain
{
    public static final int EXIT_BAD_CONFIG = 2;

    private NodeMain()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length != 1)
        {
            System.err.println("usage: NodeMain CONFIG_FILE");
            System.exit(EXIT_BAD_CONFIG);
        }
        final NodeConfig config;
        try
        {
            config = NodeConfig.load(Path.of(args[0]));
        }
        catch (final IllegalArgumentException e)
        {
            System.err.println("tributary node: " + e.getMessage());
            System.exit(EXIT_BAD_CONFIG);
            return;
        }
        System.exit(run(config, Tracing.openTelemetry(config)));
    }

    /** Runs until a termination signal; returns the exit code. */
    public static int run(final NodeConfig config, final OpenTelemetry openTelemetry)
    {
        final CountDownLatch stop = new CountDownLatch(1);
        final TributaryNode node;
        try
        {
            node = TributaryNode.start(config, openTelemetry);
        }
        catch (final Exception e)
        {
            System.err.println("tributary node " + config.nodeId + ": cannot start: " + e);
            return 1;
        }
        final sun.misc.SignalHandler handler = signal -> stop.countDown();
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
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
