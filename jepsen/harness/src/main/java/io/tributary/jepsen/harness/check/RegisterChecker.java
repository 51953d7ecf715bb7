package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.checker.CheckOptions;
import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Checker;
import io.tributary.jepsen.checker.FailurePoint;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.checker.PartitionAnalysis;
import io.tributary.jepsen.models.RegisterModel;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import io.tributary.jepsen.visual.HtmlReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the register workload for linearizability, one register per key: each key's operations are checked
 * on their own with {@link Checker} and {@link RegisterModel} (registers are independent, so the history is
 * linearizable iff every key's is). Keys are checked one after the other rather than as partitions of one
 * check, because one check cancels the other partitions at the first illegal one, and we want a verdict per
 * key. A key that is not linearizable is checked again with explanations and written as
 * {@code linearizability-KEY.html}.
 *
 * <p>Time: {@code timeout} bounds the verdicts of all keys together (keys left when it passes are unknown);
 * each explanation gets up to {@code timeout} again, for at most {@link #REPORTS_MAX} keys. Zero means no
 * limit. Immutable and thread-safe.
 */
public final class RegisterChecker
{
    public static final String NAME = "linearizability";
    /** The error of a cas that failed because the register did not hold the expected value. */
    public static final String CAS_FAILED = "cas-failed";
    /** Keys explained and drawn: each report costs a search with explanations. */
    static final int REPORTS_MAX = 10;

    private final Duration timeout;
    private final RegisterModel model = new RegisterModel();

    public RegisterChecker(final Duration timeout)
    {
        if (timeout == null || timeout.isNegative())
        {
            throw new IllegalArgumentException("timeout must be zero (no limit) or positive, got " + timeout);
        }
        this.timeout = timeout;
    }

    /**
     * Checks every key and writes the report of each key that is not linearizable into {@code outDir}.
     *
     * @throws IllegalArgumentException if an operation is malformed (the message names the file and lines)
     * @throws IOException if a report cannot be written
     */
    public RegisterCheckResult check(final HistoryFile history, final Path outDir) throws IOException
    {
        RegisterOperations operations = RegisterOperations.decode(history);
        long startNs = System.nanoTime();
        Map<String, CheckResult> verdicts = new LinkedHashMap<>();
        Map<String, String> unknownReasons = new LinkedHashMap<>();
        Map<String, String> reports = new LinkedHashMap<>();
        List<String> anomalies = new ArrayList<>();
        for (final Map.Entry<String, List<Operation<Input, Output>>> key : operations.byKey.entrySet())
        {
            // Differences of nanoTime only: it may be any value, and overflow.
            long leftNs = timeout.isZero() ? Long.MAX_VALUE : timeout.toNanos() - (System.nanoTime() - startNs);
            if (leftNs <= 0)
            {
                verdicts.put(key.getKey(), CheckResult.UNKNOWN);
                unknownReasons.put(key.getKey(), "not checked: the timeout of " + timeout + " passed on earlier keys");
                continue;
            }
            Analysis<Input, Output> analysis =
                checker(timeout.isZero() ? Duration.ZERO : Duration.ofNanos(leftNs), false)
                .check(model, key.getValue());
            verdicts.put(key.getKey(), analysis.result());
            if (analysis.result() == CheckResult.UNKNOWN)
            {
                unknownReasons.put(key.getKey(), analysis.unknownReason());
            }
            if (analysis.result() == CheckResult.ILLEGAL)
            {
                anomalies.add(explain(key.getKey(), key.getValue(), history, outDir, reports));
            }
        }
        return new RegisterCheckResult(verdicts, unknownReasons, reports, anomalies, operations.outcomes,
            operations.leftOut);
    }

    private Checker checker(final Duration limit, final boolean explain)
    {
        // One partition per check, so one thread: the machine is shared with the cluster under test.
        return new Checker(CheckOptions.defaults().withThreads(1).withTimeout(limit).withExplain(explain));
    }

    /** Writes the key's report (for the first few keys) and says in one line where it fails. */
    private String explain(final String key, final List<Operation<Input, Output>> ops, final HistoryFile history,
        final Path outDir,
                           final Map<String, String> reports) throws IOException
    {
        String head = "key " + key + ": not linearizable (" + ops.size() + " operations)";
        if (reports.size() >= REPORTS_MAX)
        {
            return head + "; no report: only the first " + REPORTS_MAX + " such keys are explained";
        }
        Analysis<Input, Output> explained = checker(timeout, true).check(model, ops);
        String file = "linearizability-" + key.replaceAll("[^A-Za-z0-9._-]", "_") + ".html";
        Files.createDirectories(outDir);
        HtmlReport.write(explained, "register " + key + " (" + history.source() + ")", outDir.resolve(file));
        reports.put(key, file);
        return head + where(explained, history) + "; see " + file;
    }

    private static String where(final Analysis<Input, Output> explained, final HistoryFile history)
    {
        Optional<PartitionAnalysis<Input, Output>> illegal = explained.firstWith(CheckResult.ILLEGAL);
        if (illegal.isEmpty() || illegal.get().failures().isEmpty())
        {
            return "";
        }
        PartitionAnalysis<Input, Output> partition = illegal.get();
        FailurePoint failure = partition.failures().get(0);
        Operation<Input, Output> stuck = partition.operations().get(failure.deadlineOperation());
        return String.format(": the longest linearizable prefix orders %d; after it the register holds %s, and "
                + "%s by process %d [%.3f-%.3fs] must take effect before it returns but cannot",
            partition.longestLength(), failure.state(), partition.operationDescriptions()
                .get(failure.deadlineOperation()),
            stuck.clientId(), history.seconds(stuck.callTime()), history.seconds(stuck.returnTime()));
    }
}
