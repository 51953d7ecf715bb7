package io.tributary.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark run in a child process (a fresh JVM and a fresh cluster per run, so no run
 * inherits another's JIT state, heap or files), its output in a log file, stopped when it
 * overruns. Shared by the comparisons ({@code bench compare-transports}, {@code compare-kafka}).
 */
public final class ChildRun
{
    private static final Duration TERMINATE_GRACE = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 40;

    private ChildRun()
    {
    }

    /** {@code -Dtributary.home}, else the nearest folder up from here holding bin/tributary. */
    public static Path repositoryRoot()
    {
        final String home = System.getProperty("tributary.home");
        if (home != null && !home.isBlank())
        {
            return Path.of(home).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            if (Files.isRegularFile(dir.resolve("bin/tributary")))
            {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Tributary repository (a folder with bin/tributary) from "
            + Path.of("").toAbsolutePath() + ": run from inside it or pass -Dtributary.home=<repository>");
    }

    /**
     * Starts {@code command} in {@code dir}, its output (after a "$ command" line) appended to {@code output}; stdin
     * closed.
     */
    public static Process start(final List<String> command, final Path dir, final Path output) throws IOException
    {
        Files.writeString(output, "$ " + String.join(" ", command) + "\n");
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
        process.getOutputStream().close();
        return process;
    }

    /** Waits for the process; after {@code timeout} stops it (and its descendants) and returns false. */
    public static boolean await(final Process process, final Duration timeout) throws InterruptedException
    {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            return true;
        }
        terminate(process);
        return false;
    }

    /** SIGTERM first so a bench stops its local nodes itself; then SIGKILL for whatever is left, descendants too. */
    public static void terminate(final Process process)
    {
        final List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try
        {
            process.waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** The last lines of a log, headed by its path, for an error message. */
    public static String tail(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty())
            {
                return "";
            }
            return "[" + file + ", last " + Math.min(LOG_TAIL_LINES, lines.size()) + " lines]\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())) + "\n";
        }
        catch (final IOException e)
        {
            return "[" + file + ": " + e.getMessage() + "]\n";
        }
    }

    /**
     * {@code docs} with the text between {@code startMarker} and {@code endMarker} replaced by
     * {@code section} (markers kept), or the heading and the section with its markers appended when
     * there are none.
     */
    public static String replaceSection(final String docs, final String section, final String heading,
        final String startMarker,
        final String endMarker)
    {
        final String body = startMarker + "\n" + section.strip() + "\n" + endMarker;
        final int start = docs.indexOf(startMarker);
        final int end = docs.indexOf(endMarker);
        if (start >= 0 && end > start)
        {
            return docs.substring(0, start) + body + docs.substring(end + endMarker.length());
        }
        if (start >= 0 || end >= 0)
        {
            throw new IllegalStateException("docs has only one of the markers " + startMarker + " and " + endMarker
                + " (or the end before the start): fix them by hand, then run again");
        }
        final String separator = docs.isEmpty() || docs.endsWith("\n\n") ? "" : docs.endsWith("\n") ? "\n" : "\n\n";
        return docs + separator + heading + "\n\n" + body + "\n";
    }
}
