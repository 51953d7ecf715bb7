package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Model;
import java.util.List;

/**
 * Wing and Gong's linearizability search with Lowe's memoization, for one partition.
 *
 * <p>Walk the entry list from the front. At a call, try to linearize its operation now: if the model
 * accepts it and the resulting (linearized set, state) pair is new, push it, lift its entries out of the
 * list and start again from the front. At a return, the operation it belongs to should have been
 * linearized before this point but was not: backtrack by popping the last operation, unlifting it and
 * trying the entry after its call. The history is linearizable when the list empties, and not when a
 * return is reached with nothing left to pop. Not thread-safe: one instance per partition and run.
 *
 * @param <S> state
 * @param <I> input
 * @param <O> output
 */
final class PartitionSearch<S, I, O>
{
    /** Steps between polls of the stop signal: a clock read costs about as much as a few model steps. */
    private static final int STEPS_PER_POLL = 1 << 10;

    private final Model<S, I, O> model;
    private final PartitionProblem<I, O> problem;
    private final StopSignal stop;
    private final long cacheBytesMax;
    private final LongestPrefixes longest;

    PartitionSearch(final Model<S, I, O> model, final PartitionProblem<I, O> problem, final StopSignal stop,
        final long cacheBytesMax,
                    final boolean explain)
    {
        this.model = model;
        this.problem = problem;
        this.stop = stop;
        this.cacheBytesMax = cacheBytesMax;
        this.longest = explain ? new LongestPrefixes(problem.size()) : null;
    }

    SearchOutcome run()
    {
        int n = problem.size();
        EntryList list = problem.newEntryList();
        LinearizedSet linearized = new LinearizedSet(problem.callRanks());
        StateCache<S> cache = new StateCache<>(model, cacheBytesMax);
        int[] stackEntry = new int[n];
        int[] stackOperation = new int[n];
        Object[] stackState = new Object[n];
        int depth = 0;
        int deepest = 0;
        S state = initialState();
        int entry = list.first();
        int stepsToPoll = STEPS_PER_POLL;
        while (!list.isEmpty())
        {
            if (--stepsToPoll == 0)
            {
                stepsToPoll = STEPS_PER_POLL;
                if (stop.shouldStop())
                {
                    return stopped(stop.reason() + progress(deepest), cache);
                }
            }
            if (list.isCall(entry))
            {
                int id = list.operation(entry);
                S next = model.step(state, problem.input(id), problem.output(id));
                if (next != null)
                {
                    linearized.set(id);
                    StateCache.Outcome cached = cache.add(linearized, next);
                    if (cached == StateCache.Outcome.ADDED)
                    {
                        stackEntry[depth] = entry;
                        stackOperation[depth] = id;
                        stackState[depth] = state;
                        depth++;
                        if (depth > deepest)
                        {
                            deepest = depth;
                        }
                        state = next;
                        list.lift(entry);
                        entry = list.first();
                        continue;
                    }
                    if (cached == StateCache.Outcome.FULL)
                    {
                        return stopped("search cache full: " + cache.entries()
                            + " states explored, the limit for about "
                            + cacheBytesMax / (1024 * 1024) + " MiB" + progress(deepest), cache);
                    }
                    linearized.clear(id);
                }
                entry = list.next(entry);
            }
            else
            {
                if (longest != null)
                {
                    longest.record(stackOperation, depth);
                }
                if (depth == 0)
                {
                    return outcome(CheckResult.ILLEGAL, "", cache);
                }
                depth--;
                entry = stackEntry[depth];
                state = castState(stackState[depth]);
                stackState[depth] = null;
                linearized.clear(stackOperation[depth]);
                list.unlift(entry);
                entry = list.next(entry);
            }
        }
        if (longest != null)
        {
            longest.recordComplete(stackOperation, depth);
        }
        return outcome(CheckResult.OK, "", cache);
    }

    private S initialState()
    {
        S initial = model.init();
        if (initial == null)
        {
            throw new IllegalStateException("model " + model.getClass().getName() + " returned a null initial state");
        }
        return initial;
    }

    @SuppressWarnings("unchecked")
    private S castState(final Object state)
    {
        return (S) state;
    }

    /** How far the search got, for an honest "unknown". */
    private String progress(final int deepest)
    {
        int leftOut = problem.size() - problem.searched();
        return "; the longest linearization found covers " + deepest + " of the partition's " + problem.searched()
            + " operations" + (leftOut == 0 ? "" : " (" + leftOut
                + " indeterminate operations without effect left out)");
    }

    private SearchOutcome stopped(final String reason, final StateCache<S> cache)
    {
        return outcome(CheckResult.UNKNOWN, reason, cache);
    }

    private SearchOutcome outcome(final CheckResult result, final String reason, final StateCache<S> cache)
    {
        List<int[]> partials = longest == null ? List.of() : longest.distinctLongestFirst();
        return new SearchOutcome(result, reason, partials, cache.entries());
    }
}
