package io.tributary.jepsen.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Helpers for {@link Model#partition} and {@link Model#partitionEvents} when operations on different keys
 * are independent (a key-value store by key, a log by shard). Parts come in the order their keys first
 * appear; a {@code null} key is a key like any other.
 */
public final class Partitions
{
    private Partitions()
{
    }

    public static <I, O, K> List<List<Operation<I,
        O>>> byKey(final List<Operation<I, O>> history, final Function<I, K> keyOf)
    {
        Map<K, List<Operation<I, O>>> parts = new LinkedHashMap<>();
        for (final Operation<I, O> op : history)
        {
            parts.computeIfAbsent(keyOf.apply(op.input()), k -> new ArrayList<>()).add(op);
        }
        return new ArrayList<>(parts.values());
    }

    /** Splits events by the key of their call's input; a return goes where its call went. */
    public static <I, O, K> List<List<Event<I,
        O>>> eventsByKey(final List<Event<I, O>> history, final Function<I, K> keyOf)
    {
        Map<K, List<Event<I, O>>> parts = new LinkedHashMap<>();
        Map<Integer, K> keyById = new HashMap<>();
        for (final Event<I, O> event : history)
        {
            K key;
            if (event.isCall())
            {
                key = keyOf.apply(event.input());
                keyById.put(event.id(), key);
            }
            else if (keyById.containsKey(event.id()))
            {
                key = keyById.get(event.id());
            }
            else
            {
                throw new IllegalArgumentException("return of id " + event.id() + " (client " + event.clientId()
                    + ") comes before its call; events must be in order");
            }
            parts.computeIfAbsent(key, k -> new ArrayList<>()).add(event);
        }
        return new ArrayList<>(parts.values());
    }
}
