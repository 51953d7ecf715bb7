package io.tributary.jepsen.cli;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.checker.CheckOptions;
import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Checker;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.HistoryFormat;
import io.tributary.jepsen.history.HistoryFormatException;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.visual.HtmlReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tributary check}: is a history linearizable? Prints a summary, an explanation of any failure,
 * and the verdict as the last line: {@code linearizable}, {@code not linearizable} or {@code unknown},
 * with exit code 0, 1 or 2; 64 on bad input (usage, unreadable or malformed history) with one line on
 * stderr naming the problem and its place. Not thread-safe: picocli makes one instance per run.
 */
@Command(name = "check", exitCodeOnInvalidInput = CheckCommand.EXIT_BAD_INPUT,
    exitCodeOnExecutionException = CheckCommand.EXIT_SOFTWARE, sortOptions = false,
    description = {"Checks a history for linearizability against a model.",
        "The verdict is the last line printed: linearizable, not linearizable or unknown",
        "(exit code 0, 1 or 2; 64 on bad input)."})
public final class CheckCommand implements Callable<Integer>
{
    static final int EXIT_LINEARIZABLE = 0;
    static final int EXIT_NOT_LINEARIZABLE = 1;
    static final int EXIT_UNKNOWN = 2;
    static final int EXIT_BAD_INPUT = 64;
    /** An output file could not be written (sysexits EX_IOERR). */
    static final int EXIT_IO_ERROR = 74;
    /** A bug: an exception escaped (sysexits EX_SOFTWARE). */
    static final int EXIT_SOFTWARE = 70;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--model", paramLabel = "register|kv|log", description = "The model: register (read, write, cas), "
        + "kv (get, put, append; by key) or log (append -> offset, read offset -> value; by shard).")
    private String model;

    @Option(names = "--format", paramLabel = "jepsen-log|edn|jsonl", description = "The history's format: Jepsen log "
        + "lines, Jepsen EDN maps one per line, or Tributary JSON lines.")
    private String format;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", description = "Time allowed for the "
        + "check, explanations included, e.g. 500ms, 60s, 5m; 0 for no limit. Default: ${DEFAULT-VALUE}.")
    private String timeout;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write an HTML report (one self-contained file).")
    private Path html;

    @Option(names = "--threads", paramLabel = "N", description =
        "Partitions checked at once. Default: the number of processors.")
    private Integer threads;

    @Option(names = "--cache-max", paramLabel = "SIZE", description = "Memory the searches may use together (split "
        + "among the partitions checked at once) before giving up with unknown, e.g. 512m, 2g. Default: half the "
        + "JVM's maximum heap.")
    private String cacheMax;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The history to check.")
    private Path file;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new CheckCommand()).execute(args));
    }

    @Override
    public Integer call()
    {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try
        {
            Settings settings = settings();
            return check(settings, settings.model.binding(), out);
        }
        catch (final BadInput e)
        {
            err.println("tributary check: " + e.getMessage());
            err.flush();
            return EXIT_BAD_INPUT;
        }
        catch (final HistoryFormatException e)
        {
            err.println("tributary check: " + e.getMessage() + " (checked as --format " + format + " --model " + model
                + ")");
            err.flush();
            return EXIT_BAD_INPUT;
        }
        catch (final ReportFailure e)
        {
            err.println("tributary check: " + e.getMessage());
            err.flush();
            return EXIT_IO_ERROR;
        }
    }

    private <S, I, O> int check(final Settings settings, final ModelChoice.Binding<S, I, O> binding,
        final PrintWriter out)
        throws BadInput, HistoryFormatException, ReportFailure
    {
        List<PairedOperation> paired;
        try
        {
            paired = settings.format.readOperations(file);
        }
        catch (final IOException e)
        {
            throw new BadInput("cannot read " + file + ": " + e + "; check the path and permissions");
        }
        Map<Operation<?, ?>, PairedOperation> sources = new IdentityHashMap<>();
        List<Operation<I, O>> operations = new ArrayList<>(paired.size());
        for (final PairedOperation pair : paired)
        {
            Optional<Operation<I, O>> op = binding.decoder().decode(pair);
            if (op.isPresent())
            {
                operations.add(op.get());
                sources.put(op.get(), pair);
            }
        }
        Analysis<I, O> analysis = analyse(settings.options, binding, operations);
        Summary summary = new Summary(out, sources);
        summary.history(file, format, model, paired.size(), analysis);
        summary.partitions(analysis);
        if (analysis.result() == CheckResult.ILLEGAL && !analysis.explained())
        {
            out.println("explanation: not found within the rest of --timeout; a longer one shows where it fails");
        }
        if (html != null)
        {
            writeReport(analysis, out);
        }
        out.println(verdict(analysis.result()));
        out.flush();
        return exitCode(analysis.result());
    }

    /**
     * Decides first without explanations, then explains only a history that is not linearizable, in the time
     * left. Why: explaining records the longest linearization of every operation at each dead end of the
     * search, which took more than half of the time on 3,000-operation register histories (JFR), while most
     * histories are linearizable and print no explanation. The HTML report shows every verdict's
     * linearizations, so {@code --html} explains from the start.
     */
    private <S, I, O> Analysis<I, O> analyse(final CheckOptions options, final ModelChoice.Binding<S, I, O> binding,
                                             final List<Operation<I, O>> operations)
    {
        if (html != null)
        {
            return new Checker(options).check(binding.model(), operations);
        }
        long startNs = System.nanoTime();
        Analysis<I, O> decided = new Checker(options.withExplain(false)).check(binding.model(), operations);
        if (decided.result() != CheckResult.ILLEGAL)
        {
            return decided;
        }
        Duration timeout = options.timeout();
        Duration left = timeout.isZero() ? timeout : timeout.minusNanos(System.nanoTime() - startNs);
        if (!timeout.isZero() && (left.isNegative() || left.isZero()))
        {
            return decided;
        }
        Analysis<I, O> explained = new Checker(options.withTimeout(left)).check(binding.model(), operations);
        return explained.result() == CheckResult.ILLEGAL
            ? explained.withElapsed(decided.elapsed().plus(explained.elapsed())) : decided;
    }

    private <I, O> void writeReport(final Analysis<I, O> analysis, final PrintWriter out) throws ReportFailure
    {
        try
        {
            HtmlReport.write(analysis, file.getFileName() + ": " + verdict(analysis.result()), html);
            out.println("report: " + html);
        }
        catch (final IOException e)
        {
            throw new ReportFailure("cannot write the report to " + html + ": " + e
                + "; check the path and free space");
        }
    }

    static String verdict(final CheckResult result)
    {
        switch (result)
        {
            case OK: return "linearizable";
            case ILLEGAL: return "not linearizable";
            default: return "unknown";
        }
    }

    static int exitCode(final CheckResult result)
    {
        switch (result)
        {
            case OK: return EXIT_LINEARIZABLE;
            case ILLEGAL: return EXIT_NOT_LINEARIZABLE;
            default: return EXIT_UNKNOWN;
        }
    }

    /** Validates every option up front, so that bad input costs no checking time. */
    private Settings settings() throws BadInput
    {
        ModelChoice modelChoice = model == null ? null : ModelChoice.fromCliName(model);
        if (modelChoice == null)
        {
            throw new BadInput((model == null ? "missing --model" : "unknown --model '" + model + "'")
                + "; use --model register, kv or log");
        }
        HistoryFormat historyFormat = format == null ? null : HistoryFormat.fromCliName(format);
        if (historyFormat == null)
        {
            throw new BadInput((format == null ? "missing --format" : "unknown --format '" + format + "'")
                + "; use --format jepsen-log, edn or jsonl");
        }
        if (file == null)
        {
            throw new BadInput("missing the history FILE to check; e.g. "
                + "tributary check --model register --format jsonl history.jsonl");
        }
        if (!Files.isRegularFile(file))
        {
            throw new BadInput("no history file at " + file + (Files.isDirectory(file) ? " (it is a directory)" : ""));
        }
        if (html != null && html.toAbsolutePath().getParent() != null
            && !Files.isDirectory(html.toAbsolutePath().getParent()))
        {
            throw new BadInput("--html " + html + ": the directory " + html.toAbsolutePath().getParent()
                + " does not exist");
        }
        return new Settings(modelChoice, historyFormat, options());
    }

    private CheckOptions options() throws BadInput
    {
        try
        {
            CheckOptions options = CheckOptions.defaults().withExplain(true)
                .withTimeout(Quantities.duration(timeout, "--timeout"));
            if (threads != null)
            {
                if (threads < 1 || threads > 1024)
                {
                    throw new BadInput("--threads " + threads + " is out of range; use 1 to 1024");
                }
                options = options.withThreads(threads);
            }
            return cacheMax == null ? options : options.withCacheBytesMax(Quantities.bytes(cacheMax, "--cache-max"));
        }
        catch (final IllegalArgumentException e)
        {
            throw new BadInput(e.getMessage());
        }
    }

    private record Settings(ModelChoice model, HistoryFormat format, CheckOptions options)
{
    }

    /** Input the user can fix: bad options or an unreadable file (exit 64). */
    private static final class BadInput extends Exception
    {
        BadInput(final String message)
        {
            super(message);
        }
    }

    /** The report could not be written (exit 74). */
    private static final class ReportFailure extends Exception
    {
        ReportFailure(final String message)
        {
            super(message);
        }
    }
}
