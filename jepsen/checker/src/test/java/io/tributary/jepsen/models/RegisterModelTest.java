package io.tributary.jepsen.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import io.tributary.jepsen.models.RegisterModel.State;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RegisterModelTest
{
    private final RegisterModel model = new RegisterModel();
    private final State one = new State(1L);

    @Test
    void readsMustSeeTheValueUnlessUnknown()
    {
        assertThat(model.step(model.init(), Input.read(), Output.read(null))).isEqualTo(model.init());
        assertThat(model.step(one, Input.read(), Output.read(1L))).isSameAs(one);
        assertThat(model.step(one, Input.read(), Output.read(2L))).isNull();
        assertThat(model.step(one, Input.read(), Output.unknown())).isSameAs(one);
    }

    @Test
    void writesAlwaysApply()
    {
        assertThat(model.step(one, Input.write("x"), Output.ok())).isEqualTo(new State("x"));
        assertThat(model.step(one, Input.write(List.of(1L)), Output.unknown())).isEqualTo(new State(List.of(1L)));
    }

    @Test
    void casSwapsOnlyOnAMatchAndAFailedCasMeansAMismatch()
    {
        assertThat(model.step(one, Input.cas(1L, 2L), Output.ok())).isEqualTo(new State(2L));
        assertThat(model.step(one, Input.cas(3L, 2L), Output.ok())).isNull();
        assertThat(model.step(one, Input.cas(3L, 2L), Output.casFailed())).isSameAs(one);
        assertThat(model.step(one, Input.cas(1L, 2L), Output.casFailed())).isNull();
        assertThat(model.step(one, Input.cas(1L, 2L), Output.unknown())).isEqualTo(new State(2L));
        assertThat(model.step(one, Input.cas(3L, 2L), Output.unknown())).isSameAs(one);
    }

    @Test
    void describesOperationsAndStatesAsHistoriesWriteThem()
    {
        assertThat(model.describeOperation(Input.read(), Output.read(null))).isEqualTo("read() -> nil");
        assertThat(model.describeOperation(Input.read(), Output.unknown())).isEqualTo("read() -> unknown");
        assertThat(model.describeOperation(Input.write("a"), Output.ok())).isEqualTo("write(\"a\")");
        assertThat(model.describeOperation(Input.cas(1L, 2L), Output.casFailed())).isEqualTo("cas(1, 2) -> fail");
        assertThat(model.describeState(new State(List.of(1L, "b")))).isEqualTo("[1 \"b\"]");
        assertThat(model.hash(new State(5L))).isEqualTo(model.hash(new State(5L)));
    }
}
