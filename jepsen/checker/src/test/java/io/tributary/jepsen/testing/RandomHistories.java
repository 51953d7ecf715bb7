package io.tributary.jepsen.testing;

import io.tributary.jepsen.checker.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Small random histories from a seed. Each is made by running operations of random clients, with random
 * overlapping intervals on a coarse clock (so that touching and equal times are common), against a true
 * sequential system at a random point inside each interval: that history is linearizable. Then, half the
 * time, one output is replaced by a plausible one, which usually makes it not linearizable. Some
 * operations are indeterminate: their client gives up on them (and a new client takes its place, as
 * Jepsen does), and they took effect or not at random.
 */
public final class RandomHistories
{
    private static final double INDETERMINATE_PROBABILITY = 0.15;

    private RandomHistories()
{
    }

    /** A generated history, in random list order. */
    public record Generated<I, O>(long seed, boolean corrupted, List<Operation<I, O>> operations)
    {
        @Override
        public String toString()
        {
            StringBuilder out = new StringBuilder("seed " + seed + (corrupted ? " (corrupted)" : "") + ":");
            for (final Operation<I, O> op : operations)
            {
                out.append("\n  ").append(op);
            }
            return out.toString();
        }
    }

    public static <S, I, O> Generated<I,
        O> generate(final Workload<S, I, O> workload, final long seed, final int operationsMax)
    {
        SplittableRandom random = new SplittableRandom(seed);
        List<Planned<I>> plans = plan(workload, random, 1 + random.nextInt(operationsMax));
        List<Operation<I, O>> operations = run(workload, random, plans);
        boolean corrupted = random.nextBoolean() && corruptOne(workload, random, operations);
        Collections.shuffle(operations, new Random(random.nextLong()));
        return new Generated<>(seed, corrupted, operations);
    }

    private static <I> List<Planned<I>> plan(final Workload<?, I, ?> workload, final SplittableRandom random,
        final int count)
    {
        int clients = 1 + random.nextInt(4);
        long[] freeAt = new long[clients];
        int[] clientId = new int[clients];
        for (int c = 0; c < clients; c++)
        {
            clientId[c] = c;
        }
        int nextClientId = clients;
        List<Planned<I>> plans = new ArrayList<>(count);
        for (int k = 0; k < count; k++)
        {
            int c = random.nextInt(clients);
            long call = freeAt[c] + random.nextInt(3);
            long ret = call + random.nextInt(4);
            long point = call + random.nextInt((int) (ret - call) + 1);
            boolean indeterminate = random.nextDouble() < INDETERMINATE_PROBABILITY;
            plans.add(new Planned<>(clientId[c], workload.randomInput(random), call, ret, point, random.nextInt(),
                indeterminate, indeterminate && random.nextBoolean()));
            freeAt[c] = ret;
            if (indeterminate)
            {
                clientId[c] = nextClientId++;
            }
        }
        return plans;
    }

    /** Runs the plans in the order of their linearization points; an indeterminate one may not take effect. */
    private static <S, I, O> List<Operation<I, O>> run(final Workload<S, I, O> workload, final SplittableRandom random,
                                                       final List<Planned<I>> plans)
    {
        List<Planned<I>> byPoint = new ArrayList<>(plans);
        byPoint.sort(Comparator.comparingLong((Planned<I> p) -> p.point).thenComparingInt(p -> p.tieBreak));
        S state = workload.init();
        List<Operation<I, O>> operations = new ArrayList<>(plans.size());
        for (final Planned<I> plan : byPoint)
        {
            if (plan.indeterminate)
            {
                if (plan.tookEffect)
                {
                    state = workload.apply(state, plan.input, random).state();
                }
                operations.add(Operation.indeterminate(plan.client, plan.input, plan.call, workload.unknownOutput()));
                continue;
            }
            Workload.Applied<S, O> applied = workload.apply(state, plan.input, random);
            state = applied.state();
            operations.add(new Operation<>(plan.client, plan.input, plan.call, applied.output(), plan.ret));
        }
        return operations;
    }

    private static <S, I, O> boolean corruptOne(final Workload<S, I, O> workload, final SplittableRandom random,
                                                final List<Operation<I, O>> operations)
    {
        int start = random.nextInt(operations.size());
        for (int i = 0; i < operations.size(); i++)
        {
            int k = (start + i) % operations.size();
            Operation<I, O> op = operations.get(k);
            O wrong = op.isIndeterminate() ? null : workload.corrupt(op.input(), op.output(), random);
            if (wrong != null)
            {
                operations.set(k, new Operation<>(op.clientId(), op.input(), op.callTime(), wrong, op.returnTime()));
                return true;
            }
        }
        return false;
    }

    private record Planned<I>(int client, I input, long call, long ret, long point, int tieBreak, boolean indeterminate,
                              boolean tookEffect)
{
    }
}
