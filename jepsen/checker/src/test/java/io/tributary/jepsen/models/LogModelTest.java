package io.tributary.jepsen.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Checker;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.models.LogModel.Input;
import io.tributary.jepsen.models.LogModel.Output;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogModelTest
{
    private final LogModel model = new LogModel();

    @Test
    void appendsGetConsecutiveOffsetsAndReadsSeeTheirValues()
    {
        LogState state = model.step(model.init(), Input.append(null, "a"), Output.appended(0));
        assertThat(model.step(state, Input.append(null, "b"), Output.appended(0))).as("offset taken").isNull();
        state = model.step(state, Input.append(null, "b"), Output.appended(1));
        assertThat(model.step(state, Input.read(null, 1), Output.read("b"))).isSameAs(state);
        assertThat(model.step(state, Input.read(null, 1), Output.read("a"))).isNull();
        assertThat(model.step(state, Input.read(null, 2), Output.read(null))).as("not yet written").isSameAs(state);
        assertThat(model.step(state, Input.read(null, 2), Output.read("c"))).isNull();
        assertThat(model.step(state, Input.append(null, "c"), Output.unknown()).size()).isEqualTo(3);
        assertThat(model.step(state, Input.read(null, 0), Output.unknown())).isSameAs(state);
    }

    @Test
    void statesCompareByContentAndShowTheirTail()
    {
        LogState a = LogState.EMPTY;
        LogState b = LogState.EMPTY;
        for (int i = 0; i < 10; i++)
        {
            a = a.append((long) i);
            b = b.append((long) i);
        }
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.append(1L)).isNotEqualTo(b.append(2L));
        assertThat(a.get(0)).isEqualTo(0L);
        assertThat(a.get(9)).isEqualTo(9L);
        LogState ten = a;
        assertThatThrownBy(() -> ten.get(10)).hasMessageContaining("offset 10 is outside [0, 10)");
        assertThat(a.toString()).isEqualTo("[... 4 5 6 7 8 9] (10 entries)");
        assertThat(LogState.EMPTY.append("x").toString()).isEqualTo("[\"x\"] (1 entry)");
    }

    @Test
    void shardsAreIndependent()
    {
        List<Operation<Input, Output>> history = List.of(
            new Operation<>(0, Input.append("s1", "a"), 0, Output.appended(0), 1),
            new Operation<>(1, Input.append("s2", "b"), 0, Output.appended(0), 1),
            new Operation<>(0, Input.read("s1", 0), 2, Output.read("a"), 3),
            new Operation<>(1, Input.read("s2", 0), 2, Output.read("b"), 3));
        assertThat(model.partition(history)).hasSize(2);
        assertThat(Checker.checkOperations(model, history)).isEqualTo(CheckResult.OK);
        assertThat(model.describeOperation(Input.read("s1", 0), Output.read("a")))
            .isEqualTo("read(\"s1\", 0) -> \"a\"");
        assertThat(model.describeOperation(Input.append(null, 5L), Output.appended(3))).isEqualTo("append(5) -> 3");
    }

    @Test
    void aLostAcknowledgedAppendIsCaught()
    {
        List<Operation<Input, Output>> history = List.of(
            new Operation<>(0, Input.append(null, "a"), 0, Output.appended(0), 1),
            new Operation<>(1, Input.read(null, 0), 2, Output.read(null), 3));
        assertThat(Checker.checkOperations(model, history)).isEqualTo(CheckResult.ILLEGAL);
    }
}
