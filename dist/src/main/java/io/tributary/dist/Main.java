package io.tributary.dist;

import io.tributary.jepsen.cli.CheckCommand;
import io.tributary.jepsen.harness.cli.JepsenCommand;
import io.tributary.protocol.ExitCodes;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tributary}: the one command line. Subcommands come from the modules; this class only
 * assembles them, so no lower layer depends on the launcher.
 */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    version = "tributary 0.1.0-SNAPSHOT",
    description = "A replicated log storage engine for high-rate data acquisition.",
    subcommands = {DemoCommand.class, DevCommand.class, NodeCommand.class, StreamCommand.class, ProduceCommand.class,
        ConsumeCommand.class, ClusterCommand.class, CheckCommand.class, JepsenCommand.class, EngineDemoCommand.class,
            BenchCommand.class, CertsCommand.class, AclCommand.class, AuditCommand.class})
public final class Main implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExitCodeExceptionMapper(e -> ExitCodes.FAILED);
        commandLine.setParameterExceptionHandler((e, args) ->
        {
            e.getCommandLine().getErr().println("tributary: " + e.getMessage() + " (see --help)");
            return ExitCodes.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) ->
        {
            cmd.getErr().println("tributary " + cmd.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return commandLine;
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
