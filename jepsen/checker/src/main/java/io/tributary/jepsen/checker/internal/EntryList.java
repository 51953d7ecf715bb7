package io.tributary.jepsen.checker.internal;

import java.util.Arrays;

/**
 * The calls and returns of one partition as a doubly linked list in arrays, in history order, so that
 * linearizing an operation (lifting its call and return out of the list) and undoing it on backtrack
 * (unlifting) are O(1) and allocate nothing.
 *
 * <pre>
 *   head -> [call a] -> [call b] -> [ret a] -> [call c] -> [ret b] -> [ret c] -> tail
 * </pre>
 *
 * Entry {@code k} is the k-th event in history order; {@code head} and {@code tail} are sentinels, so
 * lift and unlift need no null checks. Not thread-safe: one search owns one list.
 */
final class EntryList
{
    private final int[] next;
    private final int[] prev;
    /** For a call entry the index of its return entry; -1 for a return entry. */
    private final int[] match;
    private final int[] operation;
    private final int head;
    private final int tail;

    EntryList(final int[] entryOperation, final boolean[] entryIsCall)
    {
        int entries = entryOperation.length;
        if (entries != entryIsCall.length)
        {
            throw new IllegalArgumentException("entries " + entries + " != kinds " + entryIsCall.length);
        }
        head = entries;
        tail = entries + 1;
        next = new int[entries + 2];
        prev = new int[entries + 2];
        match = new int[entries];
        operation = entryOperation.clone();
        for (int k = 0; k < entries; k++)
        {
            next[k] = k + 1;
            prev[k] = k == 0 ? head : k - 1;
        }
        next[head] = entries == 0 ? tail : 0;
        prev[tail] = entries == 0 ? head : entries - 1;
        if (entries > 0)
        {
            next[entries - 1] = tail;
        }
        linkCallsToReturns(entryIsCall);
    }

    private void linkCallsToReturns(final boolean[] entryIsCall)
    {
        // Operation ids may run past the entry count: operations left out of the search have ids but no entries.
        int operations = 0;
        for (final int id : operation)
        {
            operations = Math.max(operations, id + 1);
        }
        int[] returnEntryOf = new int[operations];
        Arrays.fill(returnEntryOf, -1);
        for (int k = 0; k < match.length; k++)
        {
            if (!entryIsCall[k])
            {
                returnEntryOf[operation[k]] = k;
            }
        }
        for (int k = 0; k < match.length; k++)
        {
            match[k] = entryIsCall[k] ? returnEntryOf[operation[k]] : -1;
            if (entryIsCall[k] && match[k] < k)
            {
                throw new IllegalStateException("operation " + operation[k] + " has its return at entry "
                    + match[k] + ", not after its call at entry " + k);
            }
        }
    }

    boolean isEmpty()
    {
        return next[head] == tail;
    }

    int first()
    {
        return next[head];
    }

    int next(final int entry)
    {
        return next[entry];
    }

    boolean isCall(final int entry)
    {
        return match[entry] >= 0;
    }

    int operation(final int entry)
    {
        return operation[entry];
    }

    /** Removes a call entry and its return entry from the list; the entries keep their own links. */
    void lift(final int call)
    {
        next[prev[call]] = next[call];
        prev[next[call]] = prev[call];
        int ret = match[call];
        next[prev[ret]] = next[ret];
        prev[next[ret]] = prev[ret];
    }

    /** Puts back the entries of the last {@link #lift}: lifts and unlifts must nest like a stack. */
    void unlift(final int call)
    {
        int ret = match[call];
        next[prev[ret]] = ret;
        prev[next[ret]] = ret;
        next[prev[call]] = call;
        prev[next[call]] = call;
    }
}
