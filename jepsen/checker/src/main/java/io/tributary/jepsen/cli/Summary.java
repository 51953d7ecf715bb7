package io.tributary.jepsen.cli;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.FailurePoint;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.checker.PartitionAnalysis;
import io.tributary.jepsen.history.PairedOperation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The text the command prints before its verdict: what was checked, and for each illegal partition where
 * it fails, with the source lines of the operations involved. Bounded: a few partitions and candidates,
 * then a count of the rest. Not thread-safe.
 */
final class Summary
{
    private static final int PARTITIONS_SHOWN_MAX = 3;
    private static final int CANDIDATES_SHOWN_MAX = 10;

    private final PrintWriter out;
    private final Map<Operation<?, ?>, PairedOperation> sources;

    Summary(final PrintWriter out, final Map<Operation<?, ?>, PairedOperation> sources)
    {
        this.out = out;
        this.sources = sources;
    }

    void history(final Path file, final String format, final String model, final int pairedCount, final Analysis<?,
        ?> analysis)
    {
        int checked = analysis.operationCount();
        long indeterminate = analysis.partitions().stream()
            .flatMap(p -> p.operations().stream()).filter(Operation::isIndeterminate).count();
        out.printf("history: %s (--format %s, --model %s)%n", file, format, model);
        out.printf("operations: %d checked (%d indeterminate), %d failed and left out; %d partition(s)%n",
            checked, indeterminate, pairedCount - checked, analysis.partitions().size());
        out.printf("checked in %d ms%n", analysis.elapsed().toMillis());
    }

    <I, O> void partitions(final Analysis<I, O> analysis)
    {
        int shown = 0;
        for (final PartitionAnalysis<I, O> partition : analysis.partitions())
        {
            if (partition.result() == CheckResult.ILLEGAL && shown++ < PARTITIONS_SHOWN_MAX)
            {
                illegal(partition);
            }
        }
        if (shown > PARTITIONS_SHOWN_MAX)
        {
            out.printf("... and %d more partitions not linearizable (see --html)%n", shown - PARTITIONS_SHOWN_MAX);
        }
        long unknown = analysis.partitions().stream().filter(p -> p.result() == CheckResult.UNKNOWN).count();
        if (unknown > 0 && analysis.result() == CheckResult.ILLEGAL)
        {
            out.printf("%d partition(s) left undecided once the verdict was known%n", unknown);
        }
        if (analysis.result() == CheckResult.UNKNOWN)
        {
            out.printf("undecided: %s in %d of %d partition(s); a longer --timeout or a larger --cache-max may decide "
                + "it%n", analysis.unknownReason(), unknown, analysis.partitions().size());
        }
    }

    private <I, O> void illegal(final PartitionAnalysis<I, O> partition)
    {
        if (partition.linearizations().isEmpty() && partition.failures().isEmpty())
        {
            out.printf("partition %d: not linearizable (%d operations)%n", partition.index(), partition.operations()
                .size());
            return;
        }
        out.printf("partition %d: not linearizable; the longest linearizable prefix orders %d of %d operations%n",
            partition.index(), partition.longestLength(), partition.operations().size());
        if (partition.failures().isEmpty())
        {
            return;
        }
        FailurePoint failure = partition.failures().get(0);
        out.printf("  after it the state is %s%n", failure.state());
        if (failure.deadlineOperation() >= 0)
        {
            out.printf("  must take effect before it returns: %s%n", describe(partition, failure.deadlineOperation()));
        }
        out.println("  but none of the operations that could come next fits:");
        List<FailurePoint.Candidate> candidates = failure.candidates();
        for (int i = 0; i < Math.min(candidates.size(), CANDIDATES_SHOWN_MAX); i++)
        {
            FailurePoint.Candidate candidate = candidates.get(i);
            out.printf("    %s: %s%n", describe(partition, candidate.operation()), candidate.reason());
        }
        if (candidates.size() > CANDIDATES_SHOWN_MAX)
        {
            out.printf("    ... and %d more (see --html)%n", candidates.size() - CANDIDATES_SHOWN_MAX);
        }
    }

    private <I, O> String describe(final PartitionAnalysis<I, O> partition, final int id)
    {
        String description = partition.operationDescriptions().get(id);
        PairedOperation source = sources.get(partition.operations().get(id));
        if (source == null)
        {
            return description;
        }
        String lines = source.completionLine() > 0
            ? "lines " + source.invokeLine() + "-" + source.completionLine()
            : "line " + source.invokeLine() + ", never completed";
        return description + " [process " + source.process() + ", " + lines + "]";
    }
}
