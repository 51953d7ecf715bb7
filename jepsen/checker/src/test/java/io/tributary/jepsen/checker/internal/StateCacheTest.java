package io.tributary.jepsen.checker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.checker.Model;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StateCacheTest
{
    /** States are integers; the hash is deliberately poor, so that equality does the work. */
    private static final Model<Integer, Object, Object> MODEL = new Model<>()
    {
        @Override
        public Integer init()
        {
            return 0;
        }

        @Override
        public Integer step(final Integer state, final Object input, final Object output)
        {
            return state;
        }

        @Override
        public long hash(final Integer state)
        {
            return state % 3;
        }
    };

    @Test
    void aPairIsFoundOnlyWithTheSameSetAndAnEqualState()
    {
        LinearizedSet set = new LinearizedSet(70);
        StateCache<Integer> cache = new StateCache<>(MODEL, Long.MAX_VALUE);
        set.set(3);
        assertThat(cache.add(set, 1)).isEqualTo(StateCache.Outcome.ADDED);
        assertThat(cache.add(set, Integer.valueOf(1))).isEqualTo(StateCache.Outcome.PRESENT);
        assertThat(cache.add(set, 4)).as("same hash, other state").isEqualTo(StateCache.Outcome.ADDED);
        set.set(65);
        assertThat(cache.add(set, 1)).as("other set").isEqualTo(StateCache.Outcome.ADDED);
        set.clear(65);
        assertThat(cache.add(set, 1)).isEqualTo(StateCache.Outcome.PRESENT);
        assertThat(cache.entries()).isEqualTo(3);
    }

    @Test
    void everyEntrySurvivesGrowth()
    {
        Model<Integer, Object, Object> wellHashed = new Model<>()
        {
            @Override
            public Integer init()
            {
                return 0;
            }

            @Override
            public Integer step(final Integer state, final Object input, final Object output)
            {
                return state;
            }
        };
        LinearizedSet set = new LinearizedSet(100);
        StateCache<Integer> cache = new StateCache<>(wellHashed, Long.MAX_VALUE);
        int entries = 200_000;
        for (int i = 0; i < entries; i++)
        {
            assertThat(cache.add(set, i)).isEqualTo(StateCache.Outcome.ADDED);
        }
        for (int i = 0; i < entries; i++)
        {
            assertThat(cache.add(set, i)).as("entry %d", i).isEqualTo(StateCache.Outcome.PRESENT);
        }
        assertThat(cache.entries()).isEqualTo(entries);
    }

    @Test
    void theByteLimitMakesTheCacheFull()
    {
        long bytesMax = 10 * StateCache.bytesPerEntry(3);   // an empty set's form: prefix, high water, a count of 0
        StateCache<Integer> cache = new StateCache<>(MODEL, bytesMax);
        LinearizedSet set = new LinearizedSet(10);
        for (int i = 0; i < 10; i++)
        {
            assertThat(cache.add(set, i)).isEqualTo(StateCache.Outcome.ADDED);
        }
        assertThat(cache.add(set, 10)).isEqualTo(StateCache.Outcome.FULL);
        assertThat(cache.add(set, 3)).as("still found when full").isEqualTo(StateCache.Outcome.PRESENT);
    }

    @Test
    void theSetHashDependsOnlyOnTheMembers()
    {
        LinearizedSet a = new LinearizedSet(130);
        LinearizedSet b = new LinearizedSet(130);
        long empty = a.hash();
        a.set(1);
        a.set(129);
        a.set(64);
        b.set(64);
        b.set(1);
        b.set(129);
        assertThat(a.hash()).isEqualTo(b.hash()).isNotEqualTo(empty);
        assertThat(a.contains(129)).isTrue();
        assertThat(a.contains(2)).isFalse();
        a.clear(1);
        a.clear(129);
        a.clear(64);
        assertThat(a.hash()).isEqualTo(empty);
    }

    @Test
    void anEntryCostsAFewIntsWhereABitsetCostAWordPer64Operations()
    {
        int operations = 3_000;
        LinearizedSet set = new LinearizedSet(operations);
        for (int id = 0; id < 2_000; id++)
        {
            set.set(id);
        }
        set.set(2_010);
        set.set(2_500);
        assertThat(set.compactLength()).as("prefix, high water, count, two ranks above").isEqualTo(5);
        set.clear(2_010);
        set.clear(2_500);
        set.clear(17);   // a crashed client's operation, never linearized: the prefix stops at it
        for (int id = 2_000; id < 2_900; id++)
        {
            set.set(id);
        }
        assertThat(set.compactLength()).as("prefix, high water, count, the one hole").isEqualTo(4);
        assertThat(StateCache.bytesPerEntry(set.compactLength())).isLessThan(8L * ((operations + 63) / 64));
    }

    /**
     * The compact form is exact: seeded random walks of set and clear (as the search does: mostly in call
     * order, sometimes far ahead, backtracking) on a ranked set and on a plain model of it; at every step two
     * sets compare equal through their compact forms exactly when the models are equal, and the form of the
     * current set decodes to its members.
     */
    @Test
    void twoSetsHaveTheSameCompactFormExactlyWhenTheyHaveTheSameMembers()
    {
        long seed = Long.getLong("tributary.seed", 20261205L);
        System.out.println("StateCacheTest compact-form seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        int operations = 200;
        int[] rankOf = new int[operations];
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < operations; i++)
        {
            ranks.add(i);
        }
        Collections.shuffle(ranks, new Random(seed));
        for (int id = 0; id < operations; id++)
        {
            rankOf[id] = ranks.get(id);
        }
        LinearizedSet set = new LinearizedSet(rankOf);
        BitSet members = new BitSet();
        List<int[]> forms = new ArrayList<>();
        List<BitSet> memberSets = new ArrayList<>();
        for (int step = 0; step < 20_000; step++)
        {
            int id = random.nextInt(operations);
            if (members.get(id))
            {
                set.clear(id);
                members.clear(id);
            }
            else
            {
                set.set(id);
                members.set(id);
            }
            int[] form = new int[set.compactLength()];
            set.writeCompact(form, 0);
            BitSet decoded = new BitSet();
            decoded.set(0, form[0]);
            if (form[2] >= 0)
            {
                for (int k = 0; k < form[2]; k++)
                {
                    decoded.set(form[3 + k]);
                }
            }
            else
            {
                decoded.set(form[0] + 1, form[1]);
                for (int k = 0; k < -form[2]; k++)
                {
                    decoded.clear(form[3 + k]);
                }
            }
            BitSet byRank = new BitSet();
            members.stream().forEach(m -> byRank.set(rankOf[m]));
            assertThat(decoded).as("seed %d step %d", seed, step).isEqualTo(byRank);
            assertThat(set.size()).isEqualTo(members.cardinality());
            if (step % 50 == 0)
            {
                forms.add(form);
                memberSets.add((BitSet) members.clone());
            }
            int earlier = random.nextInt(forms.size() == 0 ? 1 : forms.size());
            if (!forms.isEmpty())
            {
                assertThat(set.sameAsCompact(forms.get(earlier), 0))
                    .as("seed %d step %d against %d", seed, step, earlier)
                    .isEqualTo(members.equals(memberSets.get(earlier)));
            }
        }
    }
}
