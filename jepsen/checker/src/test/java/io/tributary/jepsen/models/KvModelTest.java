package io.tributary.jepsen.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.models.KvModel.Input;
import io.tributary.jepsen.models.KvModel.Output;
import io.tributary.jepsen.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KvModelTest
{
    private final KvModel model = new KvModel();

    @Test
    void getPutAndAppendActOnOneKeysString()
    {
        KvValue state = model.step(model.init(), Input.put("k", "ab"), Output.ok());
        state = model.step(state, Input.append("k", "c"), Output.ok());
        assertThat(model.step(state, Input.get("k"), Output.got("abc"))).isSameAs(state);
        assertThat(model.step(state, Input.get("k"), Output.got("ab"))).isNull();
        assertThat(model.step(state, Input.get("k"), Output.unknown())).isSameAs(state);
        assertThat(model.step(model.init(), Input.get("k"), Output.got(""))).isNotNull();
        assertThat(model.describeState(state)).isEqualTo("\"abc\"");
        assertThat(model.describeOperation(Input.append("k", "c"), Output.ok())).isEqualTo("append(\"k\", \"c\")");
        assertThat(model.describeOperation(Input.get(7L), Output.got("x"))).isEqualTo("get(7) -> \"x\"");
    }

    @Test
    void partitionsByKey()
    {
        var a1 = new Operation<>(0, Input.put("a", "1"), 0, Output.ok(), 1);
        var b1 = new Operation<>(0, Input.put("b", "1"), 2, Output.ok(), 3);
        var a2 = new Operation<>(1, Input.get("a"), 4, Output.got("1"), 5);
        assertThat(model.partition(List.of(a1, b1, a2))).containsExactly(List.of(a1, a2), List.of(b1));
    }

    /** Values built by different puts and appends are equal exactly when their strings are. */
    @Test
    void kvValuesBehaveLikeTheirStrings()
    {
        long seed = Seeds.base("KvModelTest");
        SplittableRandom random = new SplittableRandom(seed);
        String[] pieces = {"", "a", "b", "ab", "ba", "aab"};
        List<KvValue> values = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < 400; i++)
        {
            KvValue value = KvValue.EMPTY;
            StringBuilder text = new StringBuilder();
            if (!values.isEmpty() && random.nextBoolean())
            {
                int from = random.nextInt(values.size());
                value = values.get(from);
                text.append(strings.get(from));
            }
            for (int k = random.nextInt(4); k > 0; k--)
            {
                String piece = pieces[random.nextInt(pieces.length)];
                value = random.nextInt(5) == 0 ? KvValue.of(piece) : value.append(piece);
                text = random.nextInt(5) == 0 ? new StringBuilder(piece) : text.append(piece);
                if (!value.toString().equals(text.toString()))
                {
                    value = KvValue.of(text.toString());
                }
            }
            values.add(value);
            strings.add(text.toString());
        }
        for (int i = 0; i < values.size(); i++)
        {
            assertThat(values.get(i).toString()).isEqualTo(strings.get(i));
            assertThat(values.get(i).length()).isEqualTo(strings.get(i).length());
            for (int j = 0; j < values.size(); j += 7)
            {
                boolean same = strings.get(i).equals(strings.get(j));
                assertThat(values.get(i).equals(values.get(j)))
                    .as("seed %d: %s vs %s", seed, strings.get(i), strings.get(j))
                    .isEqualTo(same);
                assertThat(values.get(i).contentEquals(strings.get(j))).isEqualTo(same);
                if (same)
                {
                    assertThat(values.get(i).longHash()).isEqualTo(values.get(j).longHash());
                }
            }
        }
    }

    @Test
    void valuesSplitDifferentlyAreEqual()
    {
        KvValue left = KvValue.of("ab").append("cd").append("e");
        KvValue right = KvValue.of("a").append("bcd").append("").append("e");
        assertThat(left).isEqualTo(right).hasSameHashCodeAs(right);
        assertThat(left).isNotEqualTo(KvValue.of("abcdf"));
        assertThat(KvValue.of("")).isEqualTo(KvValue.EMPTY);
    }
}
