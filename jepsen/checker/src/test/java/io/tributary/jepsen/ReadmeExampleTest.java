package io.tributary.jepsen;

import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Checker;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.models.RegisterModel;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java example of the checker's README, line for line: if the API changes, the README must change with it. */
@Timeout(30)
class ReadmeExampleTest
{
    @Test
    void aReadOfNothingAfterACompletedWriteIsIllegal()
    {
        var w1 = new Operation<>(0, Input.write(1), 0, Output.ok(), 10);      // client 0 writes 1 during [0, 10]
        var r1 = new Operation<>(1, Input.read(), 5, Output.read(1), 15);     // client 1 reads 1 during [5, 15]
        var r0 = new Operation<>(1, Input.read(), 20, Output.read(null), 30); // then reads nothing, after the write
        CheckResult verdict = Checker.checkOperations(new RegisterModel(), List.of(w1, r1, r0));
        assert verdict == CheckResult.ILLEGAL;                                // a write cannot be undone

        assertThat(verdict).isEqualTo(CheckResult.ILLEGAL);
    }

    @Test
    void withoutTheLastReadTheHistoryIsLinearizable()
    {
        var w1 = new Operation<>(0, Input.write(1), 0, Output.ok(), 10);
        var r1 = new Operation<>(1, Input.read(), 5, Output.read(1), 15);
        assertThat(Checker.checkOperations(new RegisterModel(), List.of(w1, r1))).isEqualTo(CheckResult.OK);
    }
}
