package io.tributary.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NondeterministicModelTest
{

    /** A counter whose "bump" adds 1 or 2; "get" must return the value. */
    private static final NondeterministicModel<Integer, String, Integer> COUNTER = new NondeterministicModel<>()
    {
        @Override
        public List<Integer> init()
        {
            return List.of(0, 0);
        }

        @Override
        public List<Integer> step(final Integer state, final String input, final Integer output)
        {
            if (input.equals("bump"))
            {
                return List.of(state + 1, state + 2);
            }
            return state.equals(output) ? List.of(state) : List.of();
        }

        @Override
        public String describeState(final Integer state)
        {
            return "#" + state;
        }
    };

    @Test
    void thePowerSetModelTracksEveryPossibleState()
    {
        Model<StateSet<Integer>, String, Integer> model = COUNTER.toModel();
        StateSet<Integer> initial = model.init();
        assertThat(initial.states()).as("duplicates merged").containsExactly(0);
        StateSet<Integer> once = model.step(initial, "bump", null);
        StateSet<Integer> twice = model.step(once, "bump", null);
        assertThat(twice.states()).containsExactly(2, 3, 4);
        assertThat(model.step(twice, "get", 3).states()).containsExactly(3);
        assertThat(model.step(twice, "get", 5)).as("no state fits: illegal").isNull();
        assertThat(model.describeState(twice)).isEqualTo("{#2, #3, #4}");
    }

    @Test
    void setsOfTheSameStatesInAnotherOrderAreEqualAndHashAlike()
    {
        Model<StateSet<Integer>, String, Integer> model = COUNTER.toModel();
        StateSet<Integer> a = StateSet.of(List.of(1, 2, 3), Integer::equals, Integer::longValue);
        StateSet<Integer> b = StateSet.of(List.of(3, 1, 2, 1), Integer::equals, Integer::longValue);
        assertThat(model.equal(a, b)).isTrue();
        assertThat(model.hash(a)).isEqualTo(model.hash(b));
        assertThat(model.equal(a, StateSet.of(List.of(1, 2), Integer::equals, Integer::longValue))).isFalse();
    }

    @Test
    void historiesAreCheckedThroughThePowerSet()
    {
        List<Operation<String, Integer>> history = List.of(
            new Operation<>(0, "bump", 0, null, 1),
            new Operation<>(0, "bump", 2, null, 3),
            new Operation<>(1, "get", 4, 3, 5));
        assertThat(Checker.checkOperations(COUNTER.toModel(), history)).isEqualTo(CheckResult.OK);
        List<Operation<String, Integer>> tooHigh =
            List.of(history.get(0), history.get(1), new Operation<>(1, "get", 4, 5, 5));
        assertThat(Checker.checkOperations(COUNTER.toModel(), tooHigh)).isEqualTo(CheckResult.ILLEGAL);
    }

    @Test
    void aModelWithoutInitialStatesIsRejected()
    {
        NondeterministicModel<Integer, String, Integer> empty = new NondeterministicModel<>()
        {
            @Override
            public List<Integer> init()
            {
                return List.of();
            }

            @Override
            public List<Integer> step(final Integer state, final String input, final Integer output)
            {
                return List.of(state);
            }
        };
        assertThatThrownBy(() -> empty.toModel().init()).hasMessageContaining("has no initial state");
    }
}
