package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.Operation;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One partition made ready for the search: its operations' inputs and outputs by operation id (the index
 * in the partition), and its call and return entries in history order. Immutable once built.
 *
 * <p>Operations the model calls inert when indeterminate ({@link Model#inertWhenIndeterminate}: a read that
 * never returned) keep their ids but get no entries: they neither constrain nor change any state, so
 * leaving them out of the search keeps every verdict (a pending operation may be left out of a
 * linearization, Herlihy and Wing), while each one left in doubles the states the search can reach after
 * its call (linearized or not).
 *
 * @param <I> input
 * @param <O> output
 */
final class PartitionProblem<I, O>
{
    private final List<Operation<I, O>> operations;
    private final Object[] inputs;
    private final Object[] outputs;
    /** Operation id of each entry, in history order. */
    private final int[] entryOperation;
    private final boolean[] entryIsCall;
    private final boolean[] leftOut;
    private final int searched;

    /** Every operation searched. */
    PartitionProblem(final List<Operation<I, O>> operations)
    {
        this(operations, operation -> false);
    }

    /** @param leaveOut operations the search may leave out (inert whatever they did) */
    PartitionProblem(final List<Operation<I, O>> operations, final Predicate<Operation<I, O>> leaveOut)
    {
        this.operations = List.copyOf(operations);
        int n = this.operations.size();
        inputs = new Object[n];
        outputs = new Object[n];
        leftOut = new boolean[n];
        int kept = 0;
        for (int id = 0; id < n; id++)
        {
            inputs[id] = this.operations.get(id).input();
            outputs[id] = this.operations.get(id).output();
            leftOut[id] = leaveOut.test(this.operations.get(id));
            kept += leftOut[id] ? 0 : 1;
        }
        searched = kept;
        Integer[] order = historyOrder(this.operations);
        entryOperation = new int[2 * kept];
        entryIsCall = new boolean[2 * kept];
        int k = 0;
        for (final Integer entry : order)
        {
            if (!leftOut[entry >>> 1])
            {
                entryOperation[k] = entry >>> 1;
                entryIsCall[k] = (entry & 1) == 0;
                k++;
            }
        }
    }

    /**
     * Entries coded as {@code 2 * id} for a call and {@code 2 * id + 1} for a return, sorted by time with
     * calls before returns on equal times (intervals are closed), then by id, so the order is stable.
     */
    private static <I, O> Integer[] historyOrder(final List<Operation<I, O>> operations)
    {
        Integer[] order = new Integer[2 * operations.size()];
        for (int k = 0; k < order.length; k++)
        {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) ->
        {
            int byTime = Long.compare(timeOf(operations, a), timeOf(operations, b));
            if (byTime != 0)
            {
                return byTime;
            }
            int byKind = Integer.compare(a & 1, b & 1);
            return byKind != 0 ? byKind : Integer.compare(a, b);
        });
        return order;
    }

    private static <I, O> long timeOf(final List<Operation<I, O>> operations, final int entry)
    {
        Operation<I, O> op = operations.get(entry >>> 1);
        return (entry & 1) == 0 ? op.callTime() : op.returnTime();
    }

    int size()
    {
        return inputs.length;
    }

    /** Operations the search linearizes: {@link #size} less those left out. */
    int searched()
    {
        return searched;
    }

    List<Operation<I, O>> operations()
    {
        return operations;
    }

    @SuppressWarnings("unchecked")
    I input(final int id)
    {
        return (I) inputs[id];
    }

    @SuppressWarnings("unchecked")
    O output(final int id)
    {
        return (O) outputs[id];
    }

    /**
     * Each operation's rank by call time (history order of the calls): what {@link LinearizedSet} packs by.
     * Operations left out rank after all the others (never members, they never hold a prefix back).
     */
    int[] callRanks()
    {
        int[] ranks = new int[size()];
        int next = 0;
        for (int entry = 0; entry < entryOperation.length; entry++)
        {
            if (entryIsCall[entry])
            {
                ranks[entryOperation[entry]] = next++;
            }
        }
        for (int id = 0; id < ranks.length; id++)
        {
            if (leftOut[id])
            {
                ranks[id] = next++;
            }
        }
        return ranks;
    }

    EntryList newEntryList()
    {
        return new EntryList(entryOperation, entryIsCall);
    }

    int entries()
    {
        return entryOperation.length;
    }

    int entryOperation(final int entry)
    {
        return entryOperation[entry];
    }

    boolean entryIsCall(final int entry)
    {
        return entryIsCall[entry];
    }
}
