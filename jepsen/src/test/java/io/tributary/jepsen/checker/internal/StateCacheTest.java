package io.tributary.jepsen.checker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.checker.Model;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StateCacheTest {
    /** States are integers; the hash is deliberately poor, so that equality does the work. */
    private static final Model<Integer, Object, Object> MODEL = new Model<>() {
        @Override
        public Integer init() {
            return 0;
        }

        @Override
        public Integer step(Integer state, Object input, Object output) {
            return state;
        }

        @Override
        public long hash(Integer state) {
            return state % 3;
        }
    };

    @Test
    void aPairIsFoundOnlyWithTheSameSetAndAnEqualState() {
        LinearizedSet set = new LinearizedSet(70);
        StateCache<Integer> cache = new StateCache<>(MODEL, Long.MAX_VALUE, set.wordCount());
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
    void everyEntrySurvivesGrowth() {
        Model<Integer, Object, Object> wellHashed = new Model<>() {
            @Override
            public Integer init() {
                return 0;
            }

            @Override
            public Integer step(Integer state, Object input, Object output) {
                return state;
            }
        };
        LinearizedSet set = new LinearizedSet(100);
        StateCache<Integer> cache = new StateCache<>(wellHashed, Long.MAX_VALUE, set.wordCount());
        int entries = 200_000;
        for (int i = 0; i < entries; i++) {
            assertThat(cache.add(set, i)).isEqualTo(StateCache.Outcome.ADDED);
        }
        for (int i = 0; i < entries; i++) {
            assertThat(cache.add(set, i)).as("entry %d", i).isEqualTo(StateCache.Outcome.PRESENT);
        }
        assertThat(cache.entries()).isEqualTo(entries);
    }

    @Test
    void theByteLimitMakesTheCacheFull() {
        long bytesMax = 10 * StateCache.bytesPerEntry(1);
        StateCache<Integer> cache = new StateCache<>(MODEL, bytesMax, 1);
        LinearizedSet set = new LinearizedSet(10);
        for (int i = 0; i < 10; i++) {
            assertThat(cache.add(set, i)).isEqualTo(StateCache.Outcome.ADDED);
        }
        assertThat(cache.add(set, 10)).isEqualTo(StateCache.Outcome.FULL);
        assertThat(cache.add(set, 3)).as("still found when full").isEqualTo(StateCache.Outcome.PRESENT);
    }

    @Test
    void theSetHashDependsOnlyOnTheMembers() {
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
}
