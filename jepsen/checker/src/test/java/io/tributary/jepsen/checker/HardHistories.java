package io.tributary.jepsen.checker;

import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.RegisterModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Histories that take the search exponential time: {@code n} concurrent writes of distinct values, then a
 * read of a value nobody wrote. To prove it illegal the search must try every subset of the writes with
 * every last write, about {@code n * 2^n} states, which memoization cannot shorten.
 */
final class HardHistories
{
    private HardHistories()
{
    }

    static List<Operation<RegisterModel.Input, RegisterModel.Output>> register(final int writes)
    {
        List<Operation<RegisterModel.Input, RegisterModel.Output>> history = new ArrayList<>();
        for (int i = 0; i < writes; i++)
        {
            history.add(new Operation<>(i, RegisterModel.Input.write((long) i), i, RegisterModel.Output.ok(), 1000
                + i));
        }
        history.add(new Operation<>(writes, RegisterModel.Input.read(), 5000, RegisterModel.Output.read(-1L), 5001));
        return history;
    }

    static List<Operation<KvModel.Input, KvModel.Output>> kv(final String key, final int puts)
    {
        List<Operation<KvModel.Input, KvModel.Output>> history = new ArrayList<>();
        for (int i = 0; i < puts; i++)
        {
            history.add(new Operation<>(i, KvModel.Input.put(key, "v" + i), i, KvModel.Output.ok(), 1000 + i));
        }
        history.add(new Operation<>(puts, KvModel.Input.get(key), 5000, KvModel.Output.got("nobody wrote this"), 5001));
        return history;
    }
}
