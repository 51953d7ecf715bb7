package io.tributary.jepsen.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** The power-set construction: a deterministic model over the sets of states of a nondeterministic one. */
final class PowerSetModel<S, I, O> implements Model<StateSet<S>, I, O>
{
    private final NondeterministicModel<S, I, O> model;

    PowerSetModel(final NondeterministicModel<S, I, O> model)
    {
        this.model = model;
    }

    @Override
    public StateSet<S> init()
    {
        StateSet<S> initial = StateSet.of(model.init(), model::equal, model::hash);
        if (initial.isEmpty())
        {
            throw new IllegalStateException("nondeterministic model " + model.getClass().getName()
                + " has no initial state; init() must return at least one");
        }
        return initial;
    }

    @Override
    public StateSet<S> step(final StateSet<S> state, final I input, final O output)
    {
        List<S> next = new ArrayList<>();
        for (final S member : state.states())
        {
            next.addAll(model.step(member, input, output));
        }
        StateSet<S> merged = StateSet.of(next, model::equal, model::hash);
        return merged.isEmpty() ? null : merged;
    }

    @Override
    public boolean equal(final StateSet<S> state1, final StateSet<S> state2)
    {
        return state1.sameAs(state2, model::equal);
    }

    @Override
    public long hash(final StateSet<S> state)
    {
        return state.hash();
    }

    @Override
    public List<List<Operation<I, O>>> partition(final List<Operation<I, O>> history)
    {
        return model.partition(history);
    }

    @Override
    public List<List<Event<I, O>>> partitionEvents(final List<Event<I, O>> history)
    {
        return model.partitionEvents(history);
    }

    @Override
    public String describeOperation(final I input, final O output)
    {
        return model.describeOperation(input, output);
    }

    @Override
    public String describeState(final StateSet<S> state)
    {
        StringJoiner joined = new StringJoiner(", ", "{", "}");
        for (final S member : state.states())
        {
            joined.add(model.describeState(member));
        }
        return joined.toString();
    }
}
