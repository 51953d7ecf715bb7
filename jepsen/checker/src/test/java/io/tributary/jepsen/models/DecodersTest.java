package io.tributary.jepsen.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.Completion;
import io.tributary.jepsen.history.PairedOperation;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DecodersTest
{

    private static PairedOperation paired(final String f, final Object key, final Object invoke,
        final Completion completion, final Object result)
    {
        long ret = completion == Completion.INDETERMINATE ? Long.MAX_VALUE : 4;
        return new PairedOperation("h", 7, f, key, invoke, completion, result, 3, ret, 3, 4);
    }

    @Test
    void registerOperations() throws Exception
    {
        RegisterDecoder decoder = new RegisterDecoder();
        assertThat(decoder.decode(paired("read", null, null, Completion.OK, 5L))).contains(
            new Operation<>(7, RegisterModel.Input.read(), 3, RegisterModel.Output.read(5L), 4));
        assertThat(decoder.decode(paired("write", null, 5L, Completion.FAILED, 5L))).as("did not happen").isEmpty();
        assertThat(decoder.decode(paired("cas", null, List.of(1L, 2L), Completion.FAILED, null))).contains(
            new Operation<>(7, RegisterModel.Input.cas(1L, 2L), 3, RegisterModel.Output.casFailed(), 4));
        Optional<Operation<RegisterModel.Input, RegisterModel.Output>> unknown =
            decoder.decode(paired("write", null, 5L, Completion.INDETERMINATE, null));
        assertThat(unknown.orElseThrow().isIndeterminate()).isTrue();
        assertThat(unknown.orElseThrow().output()).isEqualTo(RegisterModel.Output.unknown());
        assertThatThrownBy(() -> decoder.decode(paired("cas", null, 1L, Completion.OK, null)))
            .hasMessage("h:3: process 7 :cas (lines 3-4): expected [expected new] as the value of :cas, found 1");
        assertThatThrownBy(() -> decoder.decode(paired("incr", null, 1L, Completion.OK, null)))
            .hasMessageContaining("the register model has no operation :incr; expected :read, :write or :cas");
    }

    @Test
    void kvOperations() throws Exception
    {
        KvDecoder decoder = new KvDecoder();
        assertThat(decoder.decode(paired("get", "k", null, Completion.OK, null)).orElseThrow().output())
            .as("nil reads as empty").isEqualTo(KvModel.Output.got(""));
        assertThat(decoder.decode(paired("put", 3L, 5L, Completion.OK, 5L)).orElseThrow().input())
            .isEqualTo(KvModel.Input.put(3L, "5"));
        assertThat(decoder.decode(paired("append", "k", "x", Completion.FAILED, null))).isEmpty();
        assertThatThrownBy(() -> decoder.decode(paired("get", null, null, Completion.OK, "")))
            .hasMessageContaining("expected a key");
        assertThatThrownBy(() -> decoder.decode(paired("put", "k", List.of(1L), Completion.OK, null)))
            .hasMessageContaining("expected the value to put (a string or a number), found [1]");
    }

    @Test
    void logOperations() throws Exception
    {
        LogDecoder decoder = new LogDecoder();
        assertThat(decoder.decode(paired("append", "s", "x", Completion.OK, 7L)).orElseThrow().output())
            .isEqualTo(LogModel.Output.appended(7));
        assertThat(decoder.decode(paired("read", "s", 7L, Completion.OK, "x")).orElseThrow().input())
            .isEqualTo(LogModel.Input.read("s", 7));
        assertThat(decoder.decode(paired("append", "s", "x", Completion.INDETERMINATE, null)).orElseThrow().output())
            .isEqualTo(LogModel.Output.unknown());
        assertThatThrownBy(() -> decoder.decode(paired("append", "s", "x", Completion.OK, "x")))
            .hasMessageContaining("expected the offset the append got as the ok value (an integer >= 0), found \"x\"");
        assertThatThrownBy(() -> decoder.decode(paired("read", "s", -1L, Completion.OK, null)))
            .hasMessageContaining("expected the offset to read as the invoke value (an integer >= 0), found -1");
    }
}
