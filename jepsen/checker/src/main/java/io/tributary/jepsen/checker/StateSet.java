package io.tributary.jepsen.checker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.ToLongFunction;

/**
 * An immutable set of states of a {@link NondeterministicModel}, without duplicates under the model's
 * equality. Its hash is order independent (the XOR of its members' hashes), so two sets holding the same
 * states in a different order hash alike.
 *
 * @param <S> member state
 */
public final class StateSet<S>
{
    private final List<S> states;
    private final long hash;

    private StateSet(final List<S> states, final long hash)
    {
        this.states = states;
        this.hash = hash;
    }

    /** Builds a set from candidates, dropping those equal to an earlier one. */
    static <S> StateSet<S> of(final List<S> candidates, final BiPredicate<S, S> equal, final ToLongFunction<S> hasher)
    {
        List<S> unique = new ArrayList<>(candidates.size());
        long hash = 0;
        for (final S candidate : candidates)
        {
            if (candidate == null)
            {
                throw new IllegalArgumentException("a nondeterministic model returned a null state among "
                    + candidates + "; return an empty list for an illegal step instead");
            }
            if (!containsEqual(unique, candidate, equal))
            {
                unique.add(candidate);
                hash ^= hasher.applyAsLong(candidate);
            }
        }
        return new StateSet<>(Collections.unmodifiableList(unique), hash);
    }

    private static <S> boolean containsEqual(final List<S> states, final S candidate, final BiPredicate<S, S> equal)
    {
        for (final S state : states)
        {
            if (equal.test(state, candidate))
            {
                return true;
            }
        }
        return false;
    }

    /** The member states, in the order first produced. */
    public List<S> states()
    {
        return states;
    }

    public boolean isEmpty()
    {
        return states.isEmpty();
    }

    long hash()
    {
        return hash;
    }

    /** Set equality under the model's equality; both sides are duplicate free, so one direction suffices. */
    boolean sameAs(final StateSet<S> other, final BiPredicate<S, S> equal)
    {
        if (states.size() != other.states.size() || hash != other.hash)
        {
            return false;
        }
        for (final S state : states)
        {
            if (!containsEqual(other.states, state, equal))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString()
    {
        return states.toString();
    }
}
