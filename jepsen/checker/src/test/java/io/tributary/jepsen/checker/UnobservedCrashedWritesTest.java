package io.tributary.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.models.RegisterModel;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import io.tributary.jepsen.testing.BruteForceChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crashed register writes whose value nothing observes are left out of the search: the rule's conditions
 * each matter (a read of the value, a cas comparing with it, a failed cas after the write's call keep it),
 * the verdicts stay those of the full search (BruteForceAgreementTest, random histories with crashed
 * writes), and such writes no longer multiply the states explored.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnobservedCrashedWritesTest
{
    private static final Checker CHECKER = new Checker(CheckOptions.defaults());
    private static final RegisterModel REGISTER = new RegisterModel();

    @Test
    void aCrashedWriteIsLeftOutOnlyWhenNothingCanObserveIt()
    {
        Operation<Input, Output> crashed = Operation.indeterminate(1, Input.write(7L), 50, Output.unknown());
        List<Operation<Input, Output>> base = List.of(
            new Operation<>(0, Input.write(1L), 0, Output.ok(), 10),
            crashed,
            new Operation<>(0, Input.read(), 100, Output.read(1L), 110));
        assertThat(leftOut(base).test(crashed)).as("nothing reads 7 or compares with it").isTrue();

        assertThat(leftOut(with(base, new Operation<>(2, Input.read(), 200, Output.read(7L), 210))).test(crashed))
            .as("a read returned 7").isFalse();
        assertThat(leftOut(with(base, Operation.indeterminate(2, Input.cas(7L, 8L), 200, Output.unknown())))
            .test(crashed))
            .as("a cas compares with 7").isFalse();
        assertThat(leftOut(with(base, new Operation<>(2, Input.cas(1L, 8L), 20, Output.casFailed(), 60))).test(crashed))
            .as("a failed cas returned after the write's call").isFalse();
        assertThat(leftOut(with(base, new Operation<>(2, Input.cas(1L, 8L), 20, Output.unknown(), 60))).test(crashed))
            .as("a cas of unknown outcome returned after the write's call").isFalse();
        assertThat(leftOut(with(base, new Operation<>(2, Input.cas(1L, 8L), 20, Output.casFailed(), 40))).test(crashed))
            .as("a failed cas that returned before the write's call").isTrue();
        assertThat(leftOut(base).test(base.get(0))).as("a write that returned").isFalse();
    }

    @Test
    void aCrashedWriteThatExplainsAFailedCasIsKeptAndTheHistoryIsLinearizable()
    {
        // Only the crashed write(7) explains why cas(1, 2) failed: the register held 7, then 1 again.
        List<Operation<Input, Output>> history = List.of(
            new Operation<>(0, Input.write(1L), 0, Output.ok(), 10),
            Operation.indeterminate(1, Input.write(7L), 20, Output.unknown()),
            new Operation<>(0, Input.cas(1L, 2L), 30, Output.casFailed(), 40),
            new Operation<>(0, Input.write(1L), 50, Output.ok(), 60),
            new Operation<>(0, Input.read(), 70, Output.read(1L), 80));
        assertThat(CHECKER.check(REGISTER, history).result()).isEqualTo(CheckResult.OK);
        assertThat(BruteForceChecker.isLinearizable(REGISTER, history)).isTrue();
    }

    @Test
    void unobservedCrashedWritesNoLongerMultiplyTheStatesExplored()
    {
        // 12 crashed writes of values nobody reads, then a read of a value overwritten before it began.
        List<Operation<Input, Output>> illegal = new ArrayList<>();
        for (int client = 1; client <= 12; client++)
        {
            illegal.add(Operation.indeterminate(client, Input.write(1_000L + client), client, Output.unknown()));
        }
        for (int i = 1; i <= 10; i++)
        {
            illegal.add(new Operation<>(0, Input.write((long) i), 100L * i, Output.ok(), 100L * i + 10));
        }
        illegal.add(new Operation<>(99, Input.read(), 1_005, Output.read(3L), 1_006));
        Analysis<Input, Output> analysis = CHECKER.check(REGISTER, illegal);
        Analysis<Input, Output> searched = CHECKER.check(new WithoutTheRule(), illegal);
        assertThat(analysis.result()).isEqualTo(CheckResult.ILLEGAL);
        assertThat(searched.result()).isEqualTo(CheckResult.ILLEGAL);
        long leftOut = analysis.partitions().get(0).cacheEntries();
        assertThat(leftOut).as("states explored with the 12 crashed writes left out").isLessThanOrEqualTo(12);
        assertThat(searched.partitions().get(0).cacheEntries()).as("states explored with them searched")
            .isGreaterThan(1_000 * leftOut);
    }

    /** The register model with crashed writes searched, as before the rule (reads still left out). */
    private static final class WithoutTheRule implements Model<RegisterModel.State, Input, Output>
    {
        @Override
        public RegisterModel.State init()
        {
            return REGISTER.init();
        }

        @Override
        public RegisterModel.State step(final RegisterModel.State state, final Input input, final Output output)
        {
            return REGISTER.step(state, input, output);
        }

        @Override
        public boolean inertWhenIndeterminate(final Input input)
        {
            return REGISTER.inertWhenIndeterminate(input);
        }

        @Override
        public long hash(final RegisterModel.State state)
        {
            return REGISTER.hash(state);
        }
    }

    private static Predicate<Operation<Input, Output>> leftOut(final List<Operation<Input, Output>> history)
    {
        return REGISTER.unobservedWhenIndeterminate(history);
    }

    private static List<Operation<Input,
        Output>> with(final List<Operation<Input, Output>> history, final Operation<Input, Output> more)
    {
        List<Operation<Input, Output>> longer = new ArrayList<>(history);
        longer.add(more);
        return longer;
    }
}
