package io.tributary.jepsen.testing;

import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.NondeterministicModel;
import io.tributary.jepsen.checker.Operation;
import java.util.List;

/**
 * An obviously correct, exponentially slow linearizability checker, to test the real one against.
 *
 * <p>Straight from the definition: a history is linearizable if some order of its operations is accepted
 * by the model and keeps real-time order (an operation may come next only if no remaining operation
 * returned strictly before it was called). An indeterminate operation either took effect at some point
 * after its call, or never did: this checker tries leaving out every subset of them, instead of relying on
 * the "returns at +infinity" encoding the fast checker uses. No memoization. The model's partition
 * function is applied, because it is part of the model's specification (its {@code init} and {@code step}
 * may describe one partition only). Only for histories of about ten operations per partition.
 */
public final class BruteForceChecker
{
    private BruteForceChecker()
{
    }

    public static <S, I, O> boolean isLinearizable(final Model<S, I, O> model, final List<Operation<I, O>> history)
    {
        for (final List<Operation<I, O>> partition : model.partition(history))
        {
            if (!isLinearizable(asNondeterministic(model), partition))
            {
                return false;
            }
        }
        return true;
    }

    private static <S, I, O> NondeterministicModel<S, I, O> asNondeterministic(final Model<S, I, O> model)
    {
        return new NondeterministicModel<S, I, O>()
        {
            @Override
            public List<S> init()
            {
                return List.of(model.init());
            }

            @Override
            public List<S> step(final S state, final I input, final O output)
            {
                S next = model.step(state, input, output);
                return next == null ? List.of() : List.of(next);
            }
        };
    }

    /** For a nondeterministic model, with no partitioning: a model that partitions is not a test case here. */
    public static <S, I, O> boolean isLinearizable(final NondeterministicModel<S, I, O> model, final List<Operation<I,
        O>> history)
    {
        int n = history.size();
        if (n > 16)
        {
            throw new IllegalArgumentException("brute force is for small histories, got " + n + " operations");
        }
        int indeterminateMask = 0;
        for (int i = 0; i < n; i++)
        {
            if (history.get(i).isIndeterminate())
            {
                indeterminateMask |= 1 << i;
            }
        }
        // Every subset of the indeterminate operations may be left out: iterate the subsets of the mask.
        for (int leftOut = indeterminateMask; ; leftOut = (leftOut - 1) & indeterminateMask)
        {
            for (final S initial : model.init())
            {
                if (search(model, history, leftOut, initial))
                {
                    return true;
                }
            }
            if (leftOut == 0)
            {
                return false;
            }
        }
    }

    /** Is there an order of the operations not yet in {@code done} that the model accepts from {@code state}? */
    private static <S, I, O> boolean search(final NondeterministicModel<S, I, O> model, final List<Operation<I,
        O>> history, final int done,
                                            final S state)
    {
        int n = history.size();
        if (done == (1 << n) - 1)
        {
            return true;
        }
        for (int next = 0; next < n; next++)
        {
            if ((done & (1 << next)) != 0 || !mayComeNext(history, done, next))
            {
                continue;
            }
            Operation<I, O> op = history.get(next);
            for (final S after : model.step(state, op.input(), op.output()))
            {
                if (search(model, history, done | (1 << next), after))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static <I, O> boolean mayComeNext(final List<Operation<I, O>> history, final int done, final int candidate)
    {
        long call = history.get(candidate).callTime();
        for (int other = 0; other < history.size(); other++)
        {
            if ((done & (1 << other)) == 0 && other != candidate && history.get(other).returnTime() < call)
            {
                return false;
            }
        }
        return true;
    }
}
