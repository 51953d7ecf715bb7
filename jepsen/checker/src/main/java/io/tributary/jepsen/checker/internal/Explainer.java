package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.FailurePoint;
import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.PartialLinearization;
import io.tributary.jepsen.checker.PartitionAnalysis;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a search outcome into a {@link PartitionAnalysis} a human can read: describes operations, replays
 * the longest partial linearizations through the model to describe the states along them, and finds
 * where the longest ones got stuck. Honours the stop signal (the deadline, or the cancellation once the
 * verdict is known): what it has not done by then is left out and the analysis is marked incomplete. Not
 * thread-safe: one instance per partition.
 */
final class Explainer<S, I, O>
{
    private final Model<S, I, O> model;
    private final PartitionProblem<I, O> problem;
    private final StopSignal stop;
    /** States repeat across linearizations that share a prefix; share their descriptions. */
    private final Map<String, String> descriptions = new HashMap<>();
    private boolean complete = true;

    Explainer(final Model<S, I, O> model, final PartitionProblem<I, O> problem, final StopSignal stop)
    {
        this.model = model;
        this.problem = problem;
        this.stop = stop;
    }

    PartitionAnalysis<I, O> explain(final int index, final SearchOutcome outcome)
    {
        List<String> operationDescriptions = describeOperations();
        List<int[]> kept = outcome.partials().subList(0, Math.min(outcome.partials().size(),
            PartitionAnalysis.LINEARIZATIONS_MAX));
        List<PartialLinearization> linearizations = new ArrayList<>(kept.size());
        List<FailurePoint> failures = new ArrayList<>();
        int longest = kept.isEmpty() ? 0 : kept.get(0).length;
        for (int i = 0; i < kept.size(); i++)
        {
            int[] sequence = kept.get(i);
            List<S> states = stop.shouldStop() ? null : replay(sequence);
            complete &= states != null;
            linearizations.add(new PartialLinearization(boxed(sequence), states == null ? List.of()
                : describe(states)));
            boolean stuck = outcome.result() == CheckResult.ILLEGAL && sequence.length == longest;
            if (stuck && states != null && failures.size() < PartitionAnalysis.FAILURES_MAX)
            {
                S last = states.isEmpty() ? model.init() : states.get(states.size() - 1);
                failures.add(failurePoint(i, sequence, last));
            }
        }
        if (outcome.result() == CheckResult.ILLEGAL && kept.isEmpty() && !stop.shouldStop())
        {
            failures.add(failurePoint(-1, new int[0], model.init()));
        }
        return new PartitionAnalysis<>(index, outcome.result(), outcome.unknownReason(), problem.operations(),
            outcome.cacheEntries(), operationDescriptions, model.describeState(model.init()), linearizations,
            failures, complete);
    }

    private List<String> describeOperations()
    {
        List<String> described = new ArrayList<>(problem.size());
        for (int id = 0; id < problem.size(); id++)
        {
            described.add(model.describeOperation(problem.input(id), problem.output(id)));
        }
        return described;
    }

    /** The states after each operation of a sequence the search accepted; it must replay the same way. */
    private List<S> replay(final int[] sequence)
    {
        List<S> states = new ArrayList<>(sequence.length);
        S state = model.init();
        for (final int id : sequence)
        {
            S next = model.step(state, problem.input(id), problem.output(id));
            if (next == null)
            {
                throw new IllegalStateException("model " + model.getClass().getName() + " rejected operation " + id
                    + " (" + model.describeOperation(problem.input(id), problem.output(id))
                    + ") on replay though the search accepted it: is its step pure and deterministic?");
            }
            states.add(next);
            state = next;
        }
        return states;
    }

    private List<String> describe(final List<S> states)
    {
        List<String> described = new ArrayList<>(states.size());
        for (final S state : states)
        {
            String description = model.describeState(state);
            described.add(descriptions.computeIfAbsent(description, d -> d));
        }
        return described;
    }

    /**
     * The operations that could come next after a prefix are those called before the first return of an
     * operation outside the prefix (that one is the deadline): walk the entries in history order.
     */
    private FailurePoint failurePoint(final int linearization, final int[] prefix, final S state)
    {
        boolean[] inPrefix = new boolean[problem.size()];
        for (final int id : prefix)
        {
            inPrefix[id] = true;
        }
        List<FailurePoint.Candidate> candidates = new ArrayList<>();
        int deadline = -1;
        for (int entry = 0; entry < problem.entries() && deadline < 0; entry++)
        {
            int id = problem.entryOperation(entry);
            if (inPrefix[id])
            {
                continue;
            }
            if (problem.entryIsCall(entry))
            {
                candidates.add(new FailurePoint.Candidate(id, whyNotNext(state, id)));
            }
            else
            {
                deadline = id;
            }
        }
        return new FailurePoint(linearization, model.describeState(state), deadline, candidates);
    }

    private String whyNotNext(final S state, final int id)
    {
        S next = model.step(state, problem.input(id), problem.output(id));
        if (next == null)
        {
            return "not legal in state " + model.describeState(state);
        }
        return "legal in state " + model.describeState(state) + " (leading to " + model.describeState(next)
            + "), but no linearization continues from there";
    }

    private static List<Integer> boxed(final int[] sequence)
    {
        List<Integer> list = new ArrayList<>(sequence.length);
        for (final int id : sequence)
        {
            list.add(id);
        }
        return list;
    }
}
