package io.tributary.jepsen.checker;

import java.util.List;

/**
 * A sequential specification whose step may lead to several states, for systems that may legally do one
 * of several things. {@link #toModel()} turns it into a plain {@link Model} over sets of states (the
 * power-set construction), which the {@link Checker} accepts.
 *
 * <p>The same contract as {@link Model} applies: pure steps, non-null states, {@link #equal} consistent
 * with {@link #hash}, thread-safe.
 *
 * @param <S> state
 * @param <I> operation input
 * @param <O> operation output
 */
public interface NondeterministicModel<S, I, O>
{

    /** The possible initial states; at least one. */
    List<S> init();

    /** Every state the system may be in after the operation; empty if the operation is not legal. */
    List<S> step(S state, I input, O output);

    default boolean equal(final S state1, final S state2)
    {
        return state1.equals(state2);
    }

    default long hash(final S state)
    {
        return state.hashCode();
    }

    default List<List<Operation<I, O>>> partition(final List<Operation<I, O>> history)
    {
        return List.of(history);
    }

    default List<List<Event<I, O>>> partitionEvents(final List<Event<I, O>> history)
    {
        return List.of(history);
    }

    default String describeOperation(final I input, final O output)
    {
        return input + " -> " + output;
    }

    default String describeState(final S state)
    {
        return String.valueOf(state);
    }

    /**
     * A deterministic model whose state is the set of states this model may be in. Merging equal states
     * keeps the sets small; a model written directly as a {@link Model} is usually faster.
     */
    default Model<StateSet<S>, I, O> toModel()
    {
        return new PowerSetModel<>(this);
    }
}
