package io.tributary.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.RegisterModel;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CheckerTest
{
    private static final RegisterModel REGISTER = new RegisterModel();
    private static final Checker EXPLAINING = new Checker(CheckOptions.defaults().withExplain(true));

    private static Operation<Input,
        Output> op(final int client, final Input input, final long call, final Output output, final long ret)
    {
        return new Operation<>(client, input, call, output, ret);
    }

    /** write(1) overlaps both reads; once a read saw 1, a later read cannot see nil. */
    private static List<Operation<Input, Output>> staleRead()
    {
        return List.of(
            op(0, Input.write(1L), 0, Output.ok(), 10),
            op(1, Input.read(), 2, Output.read(1L), 3),
            op(1, Input.read(), 4, Output.read(null), 5));
    }

    @Test
    void sequentialHistoryIsLinearizable()
    {
        List<Operation<Input, Output>> history = List.of(
            op(0, Input.write(1L), 0, Output.ok(), 1),
            op(0, Input.read(), 2, Output.read(1L), 3),
            op(1, Input.cas(1L, 2L), 4, Output.ok(), 5),
            op(1, Input.cas(1L, 3L), 6, Output.casFailed(), 7),
            op(0, Input.read(), 8, Output.read(2L), 9));
        assertThat(Checker.checkOperations(REGISTER, history)).isEqualTo(CheckResult.OK);
    }

    @Test
    void readOfAValueOverwrittenBeforeItStartedIsIllegal()
    {
        assertThat(Checker.checkOperations(REGISTER, staleRead())).isEqualTo(CheckResult.ILLEGAL);
        List<Operation<Input, Output>> fresh = List.of(staleRead().get(0), staleRead().get(1),
            op(1, Input.read(), 4, Output.read(1L), 5));
        assertThat(Checker.checkOperations(REGISTER, fresh)).isEqualTo(CheckResult.OK);
    }

    @Test
    void touchingOperationsAreConcurrentBecauseIntervalsAreClosed()
    {
        // The read is called when the write returns: it may still come first and see nil.
        List<Operation<Input, Output>> touching = List.of(
            op(0, Input.write(1L), 0, Output.ok(), 5),
            op(1, Input.read(), 5, Output.read(null), 6));
        assertThat(Checker.checkOperations(REGISTER, touching)).isEqualTo(CheckResult.OK);
        List<Operation<Input, Output>> after = List.of(
            op(0, Input.write(1L), 0, Output.ok(), 5),
            op(1, Input.read(), 6, Output.read(null), 7));
        assertThat(Checker.checkOperations(REGISTER, after)).isEqualTo(CheckResult.ILLEGAL);
    }

    @Test
    void indeterminateOperationMayTakeEffectLateOrNever()
    {
        Operation<Input, Output> crashedWrite = Operation.indeterminate(0, Input.write(1L), 0, Output.unknown());
        assertThat(crashedWrite.isIndeterminate()).isTrue();
        assertThat(crashedWrite.returnTime()).isEqualTo(Operation.INFINITY);
        List<Operation<Input, Output>> tookEffectLate = List.of(crashedWrite,
            op(1, Input.read(), 10, Output.read(null), 11),
            op(1, Input.read(), 100, Output.read(1L), 101));
        assertThat(Checker.checkOperations(REGISTER, tookEffectLate)).isEqualTo(CheckResult.OK);
        List<Operation<Input, Output>> never = List.of(crashedWrite, op(1, Input.read(), 100, Output.read(null), 101));
        assertThat(Checker.checkOperations(REGISTER, never)).isEqualTo(CheckResult.OK);
        List<Operation<Input, Output>> undone = List.of(crashedWrite,
            op(1, Input.read(), 10, Output.read(1L), 11),
            op(1, Input.read(), 100, Output.read(null), 101));
        assertThat(Checker.checkOperations(REGISTER, undone)).isEqualTo(CheckResult.ILLEGAL);
    }

    @Test
    void eventHistoriesGiveTheSameVerdicts()
    {
        assertThat(Checker.checkEvents(REGISTER, History.toEvents(staleRead()), Duration.ZERO))
            .isEqualTo(CheckResult.ILLEGAL);
        List<Event<Input, Output>> events = List.of(
            Event.call(0, 7, Input.write(1L)),
            Event.call(1, 9, Input.read()),
            Event.ret(1, 9, Output.read(null)),
            Event.ret(0, 7, Output.ok()),
            Event.call(1, 3, Input.read()),
            Event.ret(1, 3, Output.read(1L)));
        assertThat(Checker.checkEvents(REGISTER, events, Duration.ZERO)).isEqualTo(CheckResult.OK);
        // read -> 1 completes before read -> nil starts, all inside the write.
        List<Event<Input, Output>> stale = List.of(events.get(0), events.get(4), events.get(5), events.get(1),
            events.get(2), events.get(3));
        assertThat(Checker.checkEvents(REGISTER, stale, Duration.ZERO)).isEqualTo(CheckResult.ILLEGAL);
    }

    @Test
    void emptyHistoriesAreLinearizable()
    {
        assertThat(Checker.checkOperations(REGISTER, List.of())).isEqualTo(CheckResult.OK);
        Analysis<Input, Output> analysis = EXPLAINING.checkEvents(REGISTER, List.of());
        assertThat(analysis.result()).isEqualTo(CheckResult.OK);
        assertThat(analysis.partitions()).hasSize(1);
    }

    @Test
    void eachPartitionIsCheckedAndTheIllegalOneNamed()
    {
        var ok = List.of(
            new Operation<>(0, KvModel.Input.put("a", "x"), 0, KvModel.Output.ok(), 1),
            new Operation<>(1, KvModel.Input.get("a"), 2, KvModel.Output.got("x"), 3));
        var bad = List.of(
            new Operation<>(0, KvModel.Input.append("b", "y"), 0, KvModel.Output.ok(), 1),
            new Operation<>(1, KvModel.Input.get("b"), 2, KvModel.Output.got(""), 3));
        var history = new ArrayList<>(ok);
        history.addAll(bad);
        // On one register-like state this would be illegal anyway; per key only "b" is.
        Analysis<KvModel.Input, KvModel.Output> analysis = EXPLAINING.check(new KvModel(), history);
        assertThat(analysis.result()).isEqualTo(CheckResult.ILLEGAL);
        assertThat(analysis.partitions()).hasSize(2);
        assertThat(analysis.firstWith(CheckResult.ILLEGAL).orElseThrow().operations()).containsExactlyElementsOf(bad);
        assertThat(Checker.checkOperations(new KvModel(), ok)).isEqualTo(CheckResult.OK);
    }

    @Test
    void explainsWhereAnIllegalHistoryGetsStuck()
    {
        Analysis<Input, Output> analysis = EXPLAINING.check(REGISTER, staleRead());
        PartitionAnalysis<Input, Output> partition = analysis.partitions().get(0);
        assertThat(analysis.explained()).isTrue();
        assertThat(partition.result()).isEqualTo(CheckResult.ILLEGAL);
        assertThat(partition.explanationComplete()).isTrue();
        assertThat(partition.operationDescriptions()).containsExactly("write(1)", "read() -> 1", "read() -> nil");
        assertThat(partition.initialState()).isEqualTo("nil");
        PartialLinearization longest = partition.linearizations().get(0);
        assertThat(longest.operations()).containsExactly(0, 1);
        assertThat(longest.statesAfter()).containsExactly("1", "1");
        FailurePoint failure = partition.failures().get(0);
        assertThat(failure.linearization()).isEqualTo(0);
        assertThat(failure.state()).isEqualTo("1");
        assertThat(failure.deadlineOperation()).isEqualTo(2);
        assertThat(failure.candidates()).containsExactly(new FailurePoint.Candidate(2, "not legal in state 1"));
    }

    @Test
    void explainsALinearizableHistoryWithACompleteLinearization()
    {
        List<Operation<Input, Output>> history = List.of(
            op(0, Input.write(1L), 0, Output.ok(), 10),
            op(1, Input.read(), 2, Output.read(null), 3),
            op(1, Input.read(), 4, Output.read(1L), 5));
        PartitionAnalysis<Input, Output> partition = EXPLAINING.check(REGISTER, history).partitions().get(0);
        assertThat(partition.result()).isEqualTo(CheckResult.OK);
        assertThat(partition.linearizations()).hasSize(1);
        assertThat(partition.linearizations().get(0).operations()).containsExactly(1, 0, 2);
        assertThat(partition.linearizations().get(0).statesAfter()).containsExactly("nil", "1", "1");
        assertThat(partition.failures()).isEmpty();
    }

    @Test
    void explainsAHistoryWhoseFirstOperationAlreadyFails()
    {
        PartitionAnalysis<Input, Output> partition = EXPLAINING.check(REGISTER,
            List.of(op(0, Input.read(), 0, Output.read(5L), 1))).partitions().get(0);
        assertThat(partition.result()).isEqualTo(CheckResult.ILLEGAL);
        assertThat(partition.linearizations()).isEmpty();
        assertThat(partition.failures()).singleElement().satisfies(f ->
        {
            assertThat(f.linearization()).isEqualTo(-1);
            assertThat(f.state()).isEqualTo("nil");
            assertThat(f.candidates()).extracting(FailurePoint.Candidate::operation).containsExactly(0);
        });
    }

    @Test
    void aSmallCacheLimitEndsTheSearchAsUnknown()
    {
        Checker tiny = new Checker(CheckOptions.defaults().withCacheBytesMax(1));
        Analysis<Input, Output> analysis = tiny.check(REGISTER, HardHistories.register(12));
        assertThat(analysis.result()).isEqualTo(CheckResult.UNKNOWN);
        assertThat(analysis.unknownReason()).contains("search cache full");
    }

    @Test
    void aPartitionFunctionThatLosesOperationsIsRejected()
    {
        Model<RegisterModel.State, Input, Output> lossy = new Model<>()
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
            public List<List<Operation<Input, Output>>> partition(final List<Operation<Input, Output>> history)
            {
                return List.of(history.subList(1, history.size()));
            }
        };
        assertThatThrownBy(() -> Checker.checkOperations(lossy, staleRead()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("returned 2 operations in 1 partitions for a history of 3");
    }

    @Test
    void exceptionsFromTheModelReachTheCaller()
    {
        Model<Integer, Input, Output> broken = new Model<>()
        {
            @Override
            public Integer init()
            {
                return 0;
            }

            @Override
            public Integer step(final Integer state, final Input input, final Output output)
            {
                throw new ArithmeticException("model bug on " + input);
            }
        };
        assertThatThrownBy(() -> Checker.checkOperations(broken, staleRead()))
            .isInstanceOf(ArithmeticException.class).hasMessageContaining("model bug");
    }

    @Test
    void invalidInputsAreRejectedWithTheirValues()
    {
        assertThatThrownBy(() -> op(3, Input.read(), 10, Output.read(null), 9))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("returns at 9, before its call at 10");
        assertThatThrownBy(() -> CheckOptions.defaults().withThreads(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> CheckOptions.defaults().withTimeout(Duration.ofSeconds(-1)))
            .hasMessageContaining("PT-1S");
        Model<Object, Input, Output> noInit = new Model<>()
        {
            @Override
            public Object init()
            {
                return null;
            }

            @Override
            public Object step(final Object state, final Input input, final Output output)
            {
                return state;
            }
        };
        assertThatThrownBy(() -> Checker.checkOperations(noInit, staleRead()))
            .hasMessageContaining("null initial state");
    }
}
