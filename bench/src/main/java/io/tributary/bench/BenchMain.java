package io.tributary.bench;

import io.tributary.protocol.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks with the project's JVM flags added to every fork.
 *
 * <p>Why not JMH's own Main: the engine needs the module flags of {@code tributary.jvm.flags}
 * (parent pom) in the forked JVMs, or Chronicle may open a queue read-only and Agrona's CRC32C
 * falls off the intrinsic. They come from {@code tributary-jvm.options}, written by Maven
 * resource filtering, so the pom stays their one home. Accepts every JMH command-line option;
 * a {@code -jvmArgsAppend} given there is added after the project's flags, so it can override them.
 */
public final class BenchMain
{
    static final String JVM_OPTIONS_RESOURCE = "/tributary-jvm.options";

    private BenchMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final CommandLineOptions cli;
        try
        {
            cli = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException e)
        {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(ExitCodes.USAGE);
            return;
        }
        if (cli.shouldHelp())
        {
            cli.showHelp();
            return;
        }
        if (cli.shouldListProfilers())
        {
            cli.listProfilers();
            return;
        }
        if (cli.shouldListResultFormats())
        {
            cli.listResultFormats();
            return;
        }
        final Runner runner = new Runner(options(cli));
        if (cli.shouldList())
        {
            runner.list();
            return;
        }
        if (cli.shouldListWithParams())
        {
            runner.listWithParams(cli);
            return;
        }
        try
        {
            runner.run();
        }
        catch (final RunnerException e)
        {
            System.err.println("Benchmark run failed: " + e.getMessage());
            e.printStackTrace(System.err);
            System.exit(ExitCodes.FAILED);
        }
    }

    /** The command line, with the project's JVM flags prepended to its -jvmArgsAppend. */
    static Options options(final CommandLineOptions cli) throws IOException
    {
        final List<String> append = new ArrayList<>(projectJvmFlags());
        append.addAll(cli.getJvmArgsAppend().orElse(List.of()));
        return new OptionsBuilder().parent(cli).jvmArgsAppend(append.toArray(new String[0])).build();
    }

    /** The flags from {@code tributary.jvm.flags}, as filtered into the classpath resource. */
    static List<String> projectJvmFlags() throws IOException
    {
        try (InputStream in = BenchMain.class.getResourceAsStream(JVM_OPTIONS_RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException(JVM_OPTIONS_RESOURCE + " is missing from the classpath: build the bench"
                    + " module with Maven (mvn -pl bench -am package), which writes it from ${tributary.jvm.flags}");
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (text.isEmpty() || text.contains("${"))
            {
                throw new IllegalStateException(JVM_OPTIONS_RESOURCE + " holds '" + text + "': Maven resource filtering"
                    + " did not substitute tributary.jvm.flags; check the <resources> section of bench/pom.xml");
            }
            return Arrays.asList(text.split("\\s+"));
        }
    }
}
