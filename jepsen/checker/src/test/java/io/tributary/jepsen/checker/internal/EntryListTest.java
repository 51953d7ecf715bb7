package io.tributary.jepsen.checker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.testing.Seeds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EntryListTest
{

    /** Entries in history order: calls a, b; return a; call c; returns b, c. */
    private static EntryList sample()
    {
        return new EntryList(new int[] {0, 1, 0, 2, 1, 2}, new boolean[] {true, true, false, true, false, false});
    }

    private static List<Integer> walk(final EntryList list)
    {
        return walk(list, 6);
    }

    /** The entries from head to tail; the sentinels are numbered from {@code entryCount} up. */
    private static List<Integer> walk(final EntryList list, final int entryCount)
    {
        List<Integer> entries = new ArrayList<>();
        for (int e = list.first(); e < entryCount && entries.size() <= entryCount; e = list.next(e))
        {
            entries.add(e);
        }
        return entries;
    }

    @Test
    void liftRemovesACallAndItsReturnAndUnliftRestoresThem()
    {
        EntryList list = sample();
        assertThat(walk(list)).containsExactly(0, 1, 2, 3, 4, 5);
        list.lift(1);
        assertThat(walk(list)).containsExactly(0, 2, 3, 5);
        list.lift(0);
        assertThat(walk(list)).containsExactly(3, 5);
        list.lift(3);
        assertThat(list.isEmpty()).isTrue();
        list.unlift(3);
        list.unlift(0);
        list.unlift(1);
        assertThat(walk(list)).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void nestedLiftsAndUnliftsMatchAPlainList()
    {
        long seed = Seeds.base("EntryListTest");
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++)
        {
            int operations = 1 + random.nextInt(12);
            List<Integer> order = randomHistoryOrder(operations, random);
            int[] entryOperation = new int[order.size()];
            boolean[] entryIsCall = new boolean[order.size()];
            for (int k = 0; k < order.size(); k++)
            {
                entryOperation[k] = order.get(k) >>> 1;
                entryIsCall[k] = (order.get(k) & 1) == 0;
            }
            EntryList list = new EntryList(entryOperation, entryIsCall);
            Deque<Integer> lifted = new ArrayDeque<>();
            for (int step = 0; step < 50; step++)
            {
                List<Integer> calls = present(order.size(), lifted, list).stream().filter(list::isCall).toList();
                if (!calls.isEmpty() && (lifted.isEmpty() || random.nextBoolean()))
                {
                    int call = calls.get(random.nextInt(calls.size()));
                    list.lift(call);
                    lifted.push(call);
                }
                else if (!lifted.isEmpty())
                {
                    list.unlift(lifted.pop());
                }
                assertThat(walk(list, order.size())).as("seed %d round %d", seed, round)
                    .containsExactlyElementsOf(present(order.size(), lifted, list));
            }
        }
    }

    /** The entries not lifted, in order: everything except the lifted calls and their returns. */
    private static List<Integer> present(final int entries, final Deque<Integer> lifted, final EntryList list)
    {
        List<Integer> present = new ArrayList<>();
        List<Integer> liftedOps = lifted.stream().map(list::operation).toList();
        for (int k = 0; k < entries; k++)
        {
            if (!liftedOps.contains(list.operation(k)))
            {
                present.add(k);
            }
        }
        return present;
    }

    /** Entry codes (2 * op for calls, 2 * op + 1 for returns) in an order where each call precedes its return. */
    private static List<Integer> randomHistoryOrder(final int operations, final SplittableRandom random)
    {
        List<Integer> order = new ArrayList<>();
        List<Integer> open = new ArrayList<>();
        int nextCall = 0;
        while (order.size() < 2 * operations)
        {
            if (nextCall < operations && (open.isEmpty() || random.nextBoolean()))
            {
                order.add(2 * nextCall);
                open.add(nextCall++);
            }
            else
            {
                int op = open.remove(random.nextInt(open.size()));
                order.add(2 * op + 1);
            }
        }
        return order;
    }

    @Test
    void aReturnBeforeItsCallIsRejected()
    {
        assertThatThrownBy(() -> new EntryList(new int[] {0, 0}, new boolean[] {false, true}))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("operation 0 has its return at entry 0, not after its call at entry 1");
    }
}
