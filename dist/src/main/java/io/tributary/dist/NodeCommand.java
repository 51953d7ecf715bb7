package io.tributary.dist;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.tributary.protocol.ExitCodes;
import io.tributary.raft.node.NodeConfig;
import io.tributary.raft.node.NodeMain;
import io.tributary.raft.node.Tracing;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary node --config FILE}: one node process, until SIGTERM or Ctrl-C. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one node from a configuration file (see docs/configuration.md) until SIGTERM or Ctrl-C.")
public final class NodeCommand implements Callable<Integer>
{
    @Option(names = "--config", required = true, description = "The node's configuration file (Java properties).")
    Path config;

    @Override
    public Integer call()
    {
        final NodeConfig nodeConfig;
        try
        {
            nodeConfig = NodeConfig.load(config);
        }
        catch (final IllegalArgumentException e)
        {
            System.err.println("tributary node: " + e.getMessage());
            return ExitCodes.NODE_BAD_CONFIG;
        }
        return NodeMain.run(nodeConfig, Tracing.openTelemetry(nodeConfig));
    }
}
