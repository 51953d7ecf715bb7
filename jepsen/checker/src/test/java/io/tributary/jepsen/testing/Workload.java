package io.tributary.jepsen.testing;

import java.util.SplittableRandom;

/**
 * How to make random operations of one model and run them against a true sequential system, for
 * {@link RandomHistories}.
 *
 * @param <S> the true system's state
 * @param <I> input
 * @param <O> output
 */
public interface Workload<S, I, O>
{

    S init();

    I randomInput(SplittableRandom random);

    /** Runs an input on the true system: its output and the state after (may choose at random). */
    Applied<S, O> apply(S state, I input, SplittableRandom random);

    /** The output of an operation whose outcome is unknown. */
    O unknownOutput();

    /** A plausible output that may well be wrong, or null if this operation has no output to get wrong. */
    O corrupt(I input, O output, SplittableRandom random);

    /** An output and the state after the operation that produced it. */
    record Applied<S, O>(O output, S state)
{
    }
}
