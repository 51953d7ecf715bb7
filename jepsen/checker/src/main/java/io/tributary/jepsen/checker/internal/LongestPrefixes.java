package io.tributary.jepsen.checker.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * For each operation, the longest partial linearization seen that contains it (as porcupine records for
 * its visualisation). Recorded at every dead end of the search, so only in explain mode: it costs
 * O(depth) per dead end. Sequences are shared between the operations they belong to. Not thread-safe.
 */
final class LongestPrefixes
{
    private final int[] bestLength;
    private final int[][] best;

    LongestPrefixes(final int operations)
    {
        bestLength = new int[operations];
        best = new int[operations][];
    }

    /** The search is at a dead end with {@code stack[0..depth)} linearized, in that order. */
    void record(final int[] stack, final int depth)
    {
        int[] shared = null;
        for (int i = 0; i < depth; i++)
        {
            int op = stack[i];
            if (bestLength[op] < depth)
            {
                if (shared == null)
                {
                    shared = Arrays.copyOf(stack, depth);
                }
                best[op] = shared;
                bestLength[op] = depth;
            }
        }
    }

    /** A complete linearization was found: it is the longest for everyone. */
    void recordComplete(final int[] stack, final int depth)
    {
        int[] complete = Arrays.copyOf(stack, depth);
        Arrays.fill(best, complete);
        Arrays.fill(bestLength, depth);
    }

    /** The distinct sequences, longest first (ties in the order of their first operation). */
    List<int[]> distinctLongestFirst()
    {
        Set<int[]> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<int[]> distinct = new ArrayList<>();
        for (final int[] sequence : best)
        {
            if (sequence != null && seen.add(sequence))
            {
                distinct.add(sequence);
            }
        }
        distinct.sort((a, b) -> Integer.compare(b.length, a.length));
        return distinct;
    }
}
