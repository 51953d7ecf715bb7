package io.tributary.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.LogModel;
import io.tributary.jepsen.models.RegisterModel;
import io.tributary.jepsen.testing.BruteForceChecker;
import io.tributary.jepsen.testing.RandomHistories;
import io.tributary.jepsen.testing.Seeds;
import io.tributary.jepsen.testing.Workload;
import io.tributary.jepsen.testing.Workloads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fast checker (in both modes, on operations and on events) agrees with an exhaustive one on
 * thousands of small random histories, linearizable and not, with indeterminate operations. The seed is
 * printed; {@code -Dtributary.seed=N} replays a run.
 */
class BruteForceAgreementTest
{
    private static final int HISTORIES_PER_MODEL = 5000;
    private static final int OPERATIONS_MAX = 9;
    /** Generated histories are linearizable about 3 times in 4 (uncorrupted ones always): both must be common. */
    private static final double VERDICT_SHARE_MIN = 0.15;

    private static long baseSeed;
    private static final Checker FAST = new Checker(CheckOptions.defaults());
    private static final Checker EXPLAINING = new Checker(CheckOptions.defaults().withExplain(true).withThreads(1));

    @BeforeAll
    static void seed()
    {
        baseSeed = Seeds.base("BruteForceAgreementTest");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void registerHistories()
    {
        Tally tally = agree("register", new RegisterModel(), Workloads.register(), 1);
        assertThat(tally.withUnobservedWrites)
            .as("histories with a crashed write left out unobserved (the rule is exercised)")
            .isGreaterThan(HISTORIES_PER_MODEL / 100);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void kvHistoriesPartitionedByKey()
    {
        agree("kv", new KvModel(), Workloads.kv(), 2);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void logHistoriesPartitionedByShard()
    {
        agree("log", new LogModel(), Workloads.log(), 3);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void nondeterministicModelThroughThePowerSet()
    {
        var lossy = Workloads.lossyRegisterModel();
        Tally tally = new Tally();
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < HISTORIES_PER_MODEL; i++)
        {
            var generated = RandomHistories.generate(Workloads.lossyRegister(),
                Seeds.of(baseSeed, 4L * HISTORIES_PER_MODEL + i),
                OPERATIONS_MAX);
            boolean expected = BruteForceChecker.isLinearizable(lossy, generated.operations());
            compare(lossy.toModel(), generated, expected, disagreements);
            tally.count(expected);
        }
        report("lossy register", tally, disagreements);
    }

    private <S, I, O, T> Tally agree(final String name, final Model<S, I, O> model, final Workload<T, I, O> workload,
        final int stream)
    {
        Tally tally = new Tally();
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < HISTORIES_PER_MODEL; i++)
        {
            var generated = RandomHistories.generate(workload,
                Seeds.of(baseSeed, (long) stream * HISTORIES_PER_MODEL + i),
                OPERATIONS_MAX);
            boolean expected = BruteForceChecker.isLinearizable(model, generated.operations());
            compare(model, generated, expected, disagreements);
            tally.count(expected);
            if (generated.operations().stream().anyMatch(model.unobservedWhenIndeterminate(generated.operations())))
            {
                tally.withUnobservedWrites++;
            }
        }
        report(name, tally, disagreements);
        return tally;
    }

    private static <S, I, O> void compare(final Model<S, I, O> model, final RandomHistories.Generated<I, O> generated,
        final boolean expected,
                                          final List<String> disagreements)
    {
        CheckResult want = expected ? CheckResult.OK : CheckResult.ILLEGAL;
        CheckResult fast = FAST.check(model, generated.operations()).result();
        CheckResult explaining = EXPLAINING.check(model, generated.operations()).result();
        CheckResult events = FAST.checkEvents(model, History.toEvents(generated.operations())).result();
        if (fast != want || explaining != want || events != want)
        {
            disagreements.add("brute force says " + want + ", fast " + fast + ", explaining " + explaining + ", events "
                + events + " for history " + generated);
        }
        if (!generated.corrupted() && !expected)
        {
            disagreements.add("an uncorrupted history must be linearizable, but brute force says not: " + generated);
        }
    }

    private static void report(final String name, final Tally tally, final List<String> disagreements)
    {
        System.out.printf("BruteForceAgreementTest %s: %d linearizable, %d not, %d with unobserved crashed writes "
            + "left out%n", name, tally.linearizable, tally.not, tally.withUnobservedWrites);
        assertThat(disagreements).as("%s histories where the checkers disagree (replay with -D%s=%d)", name,
            Seeds.PROPERTY, baseSeed).isEmpty();
        int total = tally.linearizable + tally.not;
        assertThat(tally.linearizable).as("%s: linearizable share of %d", name, total)
            .isGreaterThan((int) (total * VERDICT_SHARE_MIN));
        assertThat(tally.not).as("%s: non-linearizable share of %d", name, total)
            .isGreaterThan((int) (total * VERDICT_SHARE_MIN));
    }

    private static final class Tally
    {
        int linearizable;
        int not;
        int withUnobservedWrites;

        void count(final boolean isLinearizable)
        {
            if (isLinearizable)
            {
                linearizable++;
            }
            else
            {
                not++;
            }
        }
    }
}
