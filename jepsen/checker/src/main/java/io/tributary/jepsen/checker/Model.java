package io.tributary.jepsen.checker;

import java.util.List;
import java.util.function.Predicate;

/**
 * A sequential specification of a system, against which the {@link Checker} tests histories for
 * linearizability.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #step} is a pure function: it must not modify the given state, input or output, and it
 *   returns a new (or the same) state. The checker memoizes states, so a mutated state corrupts the
 *   search silently.</li>
 *   <li>States are never {@code null}: {@code step} returns {@code null} to say "this operation cannot
 *   produce this output from this state".</li>
 *   <li>{@link #equal} and {@link #hash} must agree: equal states have equal hashes.</li>
 *   <li>An indeterminate operation (crashed or timed out) carries an output that stands for "unknown";
 *   the model applies its effect without checking that output (see {@link Operation#indeterminate}).</li>
 *   <li>If {@link #partition} is overridden, a history must be linearizable if and only if every
 *   partition is (P-compositionality, e.g. a key-value store partitioned by key). Then {@code init} and
 *   {@code step} may describe a single partition. {@link #partitionEvents} must split the same way.</li>
 * </ul>
 *
 * <p>Implementations are called from several checker threads at once (one per partition), so they must
 * be thread-safe; stateless implementations are.
 *
 * @param <S> state
 * @param <I> operation input
 * @param <O> operation output
 */
public interface Model<S, I, O>
{

    /** The initial state; never {@code null}. */
    S init();

    /**
     * Applies an operation.
     *
     * @return the state after the operation, or {@code null} if the operation with this output is not
     *     legal in {@code state}
     */
    S step(S state, I input, O output);

    /** State equality; by default {@link Object#equals}. */
    default boolean equal(final S state1, final S state2)
    {
        return state1.equals(state2);
    }

    /** A hash consistent with {@link #equal}; by default {@link Object#hashCode}. */
    default long hash(final S state)
    {
        return state.hashCode();
    }

    /**
     * True when an indeterminate operation with this input leaves every state as it is, whatever it did (a
     * read, a status query): the checker then leaves such operations out of the search, which keeps every
     * verdict and can save it exponential work (each one left in doubles the states reachable after its
     * call). Only say so when {@code step(s, input, unknownOutput)} equals {@code s} for every state
     * {@code s}. By default false.
     */
    default boolean inertWhenIndeterminate(final I input)
    {
        return false;
    }

    /**
     * The indeterminate operations of one part of a history (as {@link #partition} made it) that no
     * linearization of it needs: the checker leaves them out of the search, as it does inert ones. Sound only
     * for operations that never returned (a pending operation may be left out of a linearization, Herlihy and
     * Wing) and whose effect no other operation of the part can observe, so that a linearization with one
     * of them stays a linearization without it. By default none.
     */
    default Predicate<Operation<I, O>> unobservedWhenIndeterminate(final List<Operation<I, O>> part)
    {
        return operation -> false;
    }

    /** Splits a history of operations into independently checkable parts; by default one part. */
    default List<List<Operation<I, O>>> partition(final List<Operation<I, O>> history)
    {
        return List.of(history);
    }

    /**
     * Splits a history of events into independently checkable parts, keeping each part in order and each
     * call with its return; by default one part.
     */
    default List<List<Event<I, O>>> partitionEvents(final List<Event<I, O>> history)
    {
        return List.of(history);
    }

    /** A short human description of an operation, such as {@code "read() -> 3"}. */
    default String describeOperation(final I input, final O output)
    {
        return input + " -> " + output;
    }

    /** A short human description of a state. */
    default String describeState(final S state)
    {
        return String.valueOf(state);
    }
}
