package io.tributary.jepsen.checker;

import io.tributary.jepsen.checker.internal.PartitionRunner;
import io.tributary.jepsen.checker.internal.StopSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Checks histories for linearizability against a {@link Model}: a Java port of porcupine.
 *
 * <p>The search is Wing and Gong's, with Lowe's memoization of (linearized set, state) pairs, run on
 * each partition of the model in parallel (P-compositionality). The first illegal partition cancels the
 * others, in every mode: the verdict is known, and a partition may take exponential time to decide.
 * Cancelled partitions are UNKNOWN, and in explain mode they are explained as far as their search got.
 * The timeout covers everything, explanations included: when it passes, partitions still undecided are
 * UNKNOWN and unfinished explanations are marked incomplete.
 *
 * <p>A checker is immutable and thread-safe; each check uses its own threads and stops them before it
 * returns (a model step that never returns is abandoned on a daemon thread).
 */
public final class Checker
{
    private final CheckOptions options;
    private final LongSupplier clockNs;

    public Checker(final CheckOptions options)
    {
        this(options, System::nanoTime);
    }

    /** With a clock, for tests that drive time themselves. */
    public Checker(final CheckOptions options, final LongSupplier clockNs)
    {
        this.options = options;
        this.clockNs = clockNs;
    }

    /** Is the history linearizable? No timeout, so never UNKNOWN (but possibly slow). */
    public static <S, I, O> CheckResult checkOperations(final Model<S, I, O> model, final List<Operation<I, O>> history)
    {
        return new Checker(CheckOptions.defaults()).check(model, history).result();
    }

    /** Is the history linearizable? UNKNOWN if the timeout passes first; a zero timeout means none. */
    public static <S, I, O> CheckResult checkOperations(final Model<S, I, O> model, final List<Operation<I, O>> history,
                                                        final Duration timeout)
    {
        return new Checker(CheckOptions.defaults().withTimeout(timeout)).check(model, history).result();
    }

    public static <S, I, O> CheckResult checkEvents(final Model<S, I, O> model, final List<Event<I, O>> history,
        final Duration timeout)
    {
        return new Checker(CheckOptions.defaults().withTimeout(timeout)).checkEvents(model, history).result();
    }

    public CheckOptions options()
    {
        return options;
    }

    /** Checks a history of operations. */
    public <S, I, O> Analysis<I, O> check(final Model<S, I, O> model, final List<Operation<I, O>> history)
    {
        long startNs = clockNs.getAsLong();
        StopSignal stop = StopSignal.startingNow(clockNs, options.timeout());
        List<List<Operation<I, O>>> partitions = model.partition(history);
        requireAllPartitioned(history.size(), partitions);
        return run(model, partitions, stop, startNs);
    }

    /**
     * Checks a history of events, in order; the position of an event stands for its time.
     *
     * @throws IllegalArgumentException if the events do not pair up (see {@link History#toOperations})
     */
    public <S, I, O> Analysis<I, O> checkEvents(final Model<S, I, O> model, final List<Event<I, O>> history)
    {
        long startNs = clockNs.getAsLong();
        StopSignal stop = StopSignal.startingNow(clockNs, options.timeout());
        List<List<Event<I, O>>> eventPartitions = model.partitionEvents(history);
        List<List<Operation<I, O>>> partitions = new ArrayList<>(eventPartitions.size());
        for (final List<Event<I, O>> part : eventPartitions)
        {
            partitions.add(History.toOperations(part));
        }
        requireAllPartitioned(history.size() / 2, partitions);
        return run(model, partitions, stop, startNs);
    }

    private <S, I, O> Analysis<I, O> run(final Model<S, I, O> model, final List<List<Operation<I, O>>> partitions,
        final StopSignal stop,
                                         final long startNs)
    {
        List<PartitionAnalysis<I, O>> results = PartitionRunner.run(model, partitions, stop, options.threads(),
            options.cacheBytesMax(), options.explain());
        Duration elapsed = Duration.ofNanos(clockNs.getAsLong() - startNs);
        return new Analysis<>(combine(results), results, options.explain(), elapsed);
    }

    private static CheckResult combine(final List<? extends PartitionAnalysis<?, ?>> results)
    {
        boolean unknown = false;
        for (final PartitionAnalysis<?, ?> result : results)
        {
            if (result.result() == CheckResult.ILLEGAL)
            {
                return CheckResult.ILLEGAL;
            }
            unknown |= result.result() == CheckResult.UNKNOWN;
        }
        return unknown ? CheckResult.UNKNOWN : CheckResult.OK;
    }

    /** A partition function that drops or duplicates operations would make every verdict meaningless. */
    private static <T> void requireAllPartitioned(final int operations, final List<? extends List<T>> partitions)
    {
        long partitioned = 0;
        for (final List<T> partition : partitions)
        {
            partitioned += partition.size();
        }
        if (partitioned != operations)
        {
            throw new IllegalStateException("the model's partition function returned " + partitioned
                + " operations in " + partitions.size() + " partitions for a history of " + operations
                + "; every operation must be in exactly one partition");
        }
    }
}
