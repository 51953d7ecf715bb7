package io.tributary.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.RegisterModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The timeout is honoured in every mode, explanations included (porcupine's verbose mode once ran 72
 * minutes past a 5-minute limit), and the first illegal partition stops the others. Each test is bounded
 * by its own timeout; none asserts a wall-clock duration.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckerTimeoutTest
{
    /** Far beyond what these histories need to be decided: about 40 * 2^40 states. */
    private static final int HARD_WRITES = 40;
    private static final Duration SHORT = Duration.ofMillis(300);

    @Test
    void aHardHistoryWithAShortTimeoutIsUnknown()
    {
        Analysis<?, ?> analysis = new Checker(CheckOptions.defaults().withTimeout(SHORT))
            .check(new RegisterModel(), HardHistories.register(HARD_WRITES));
        assertThat(analysis.result()).isEqualTo(CheckResult.UNKNOWN);
        assertThat(analysis.unknownReason()).startsWith("timed out").contains("the longest linearization found covers");
    }

    @Test
    void theTimeoutHoldsWhileExplaining()
    {
        Analysis<?, ?> analysis = new Checker(CheckOptions.defaults().withTimeout(SHORT).withExplain(true))
            .check(new RegisterModel(), HardHistories.register(HARD_WRITES));
        assertThat(analysis.result()).isEqualTo(CheckResult.UNKNOWN);
        PartitionAnalysis<?, ?> partition = analysis.partitions().get(0);
        assertThat(partition.unknownReason()).startsWith("timed out")
            .contains("the longest linearization found covers");
        assertThat(partition.linearizations()).as("the partial linearizations found so far").isNotEmpty();
    }

    @Test
    void theTimeoutHoldsForEventHistories()
    {
        assertThat(Checker.checkEvents(new RegisterModel(), History.toEvents(HardHistories.register(HARD_WRITES)),
            SHORT))
            .isEqualTo(CheckResult.UNKNOWN);
    }

    @Test
    void theDeadlineFollowsTheGivenClock()
    {
        // A clock that advances 1 ms per reading: the deadline of 1 s passes after a thousand polls,
        // whatever the speed of this machine.
        AtomicLong nowNs = new AtomicLong();
        Checker checker = new Checker(CheckOptions.defaults().withTimeout(Duration.ofSeconds(1)),
            () -> nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(1)));
        Analysis<?, ?> analysis = checker.check(new RegisterModel(), HardHistories.register(HARD_WRITES));
        assertThat(analysis.result()).isEqualTo(CheckResult.UNKNOWN);
        assertThat(analysis.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void anIllegalPartitionCancelsAHardOne()
    {
        for (final boolean explain : new boolean[] {false, true})
        {
            List<Operation<KvModel.Input, KvModel.Output>> history =
                new ArrayList<>(HardHistories.kv("hard", HARD_WRITES));
            history.add(new Operation<>(0, KvModel.Input.put("bad", "x"), 0, KvModel.Output.ok(), 1));
            history.add(new Operation<>(1, KvModel.Input.get("bad"), 2, KvModel.Output.got("y"), 3));
            Analysis<KvModel.Input, KvModel.Output> analysis = new Checker(CheckOptions.defaults().withThreads(2)
                .withExplain(explain)).check(new KvModel(), history);
            assertThat(analysis.result()).as("explain %s", explain).isEqualTo(CheckResult.ILLEGAL);
            PartitionAnalysis<KvModel.Input, KvModel.Output> hard = analysis.partitions().get(0);
            assertThat(hard.result()).isEqualTo(CheckResult.UNKNOWN);
            assertThat(hard.unknownReason()).contains("another partition was found not linearizable");
        }
    }

    @Test
    void aModelStepThatNeverReturnsCannotHoldTheCallerPastItsTimeout()
    {
        CountDownLatch release = new CountDownLatch(1);
        RegisterModel register = new RegisterModel();
        Model<RegisterModel.State, RegisterModel.Input, RegisterModel.Output> stuck = new Model<>()
        {
            @Override
            public RegisterModel.State init()
            {
                return register.init();
            }

            @Override
            public RegisterModel.State step(final RegisterModel.State state, final RegisterModel.Input input,
                final RegisterModel.Output output)
            {
                try
                {
                    release.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
                return register.step(state, input, output);
            }
        };
        try
        {
            Analysis<?, ?> analysis = new Checker(CheckOptions.defaults().withTimeout(SHORT))
                .check(stuck, HardHistories.register(3));
            assertThat(analysis.result()).isEqualTo(CheckResult.UNKNOWN);
            assertThat(analysis.unknownReason()).contains("does a model step hang?");
        }
        finally
        {
            release.countDown();
        }
    }
}
