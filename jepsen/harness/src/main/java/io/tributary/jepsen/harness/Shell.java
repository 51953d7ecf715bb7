package io.tributary.jepsen.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands (ip, iptables, kill) and reports their failures with their output. */
final class Shell
{
    private static final long TIMEOUT_S = 30;

    private Shell()
    {
    }

    /** The result of one command: its exit code and everything it printed. */
    record Result(int exitCode, String output)
    {
        boolean ok()
        {
            return exitCode == 0;
        }
    }

    /** Runs the command; never throws for a non-zero exit (see {@link #run}). */
    static Result tryRun(final List<String> command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " did not finish in " + TIMEOUT_S + " s");
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        }
        catch (final IOException e)
        {
            return new Result(-1, "cannot run " + String.join(" ", command) + ": " + e.getMessage());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted running " + String.join(" ", command));
        }
    }

    static Result tryRun(final String... command)
    {
        return tryRun(List.of(command));
    }

    /** Runs the command and throws, with the command and its output, unless it exits 0. */
    static String run(final String... command) throws IOException
    {
        final Result result = tryRun(List.of(command));
        if (!result.ok())
        {
            throw new IOException("`" + String.join(" ", command) + "` failed (exit " + result.exitCode() + "): "
                + result.output());
        }
        return result.output();
    }
}
