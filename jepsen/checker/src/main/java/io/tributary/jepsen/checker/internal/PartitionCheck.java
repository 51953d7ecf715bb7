package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.checker.PartitionAnalysis;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Checks, and in explain mode explains, one partition; the unit of work of {@link PartitionRunner}. */
final class PartitionCheck<S, I, O> implements Callable<PartitionAnalysis<I, O>>
{
    private final int index;
    private final Model<S, I, O> model;
    private final List<Operation<I, O>> operations;
    private final StopSignal stop;
    private final long cacheBytesMax;
    private final boolean explain;

    PartitionCheck(final int index, final Model<S, I, O> model, final List<Operation<I, O>> operations,
        final StopSignal stop,
                   final long cacheBytesMax, final boolean explain)
    {
        this.index = index;
        this.model = model;
        this.operations = operations;
        this.stop = stop;
        this.cacheBytesMax = cacheBytesMax;
        this.explain = explain;
    }

    @Override
    public PartitionAnalysis<I, O> call()
    {
        Predicate<Operation<I, O>> unobserved = model.unobservedWhenIndeterminate(operations);
        PartitionProblem<I, O> problem = new PartitionProblem<>(operations, operation -> operation.isIndeterminate()
            && (model.inertWhenIndeterminate(operation.input()) || unobserved.test(operation)));
        SearchOutcome outcome = stop.shouldStop()
            ? new SearchOutcome(CheckResult.UNKNOWN, stop.reason(), List.of(), 0)
            : new PartitionSearch<>(model, problem, stop, cacheBytesMax, explain).run();
        if (explain)
        {
            return new Explainer<>(model, problem, stop).explain(index, outcome);
        }
        return notExplained(index, outcome, problem.operations());
    }

    static <I, O> PartitionAnalysis<I,
        O> notExplained(final int index, final SearchOutcome outcome, final List<Operation<I, O>> operations)
    {
        return new PartitionAnalysis<>(index, outcome.result(), outcome.unknownReason(), operations,
            outcome.cacheEntries(), List.of(), "", List.of(), List.of(), false);
    }
}
