package io.tributary.jepsen.harness.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts anomalies by kind and keeps a few examples of each. Examples are handed out round-robin over the
 * kinds, so a thousand lost appends do not hide the one stale read. Not thread-safe.
 */
final class Anomalies
{
    /** Examples kept in a result: enough to start debugging, few enough to read on a console. */
    static final int EXAMPLES_MAX = 20;

    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Map<String, List<String>> examples = new LinkedHashMap<>();

    /** Declares a kind so it is counted (as 0) even when nothing of it is found. */
    Anomalies declare(final String kind)
    {
        counts.putIfAbsent(kind, 0L);
        return this;
    }

    void add(final String kind, final String example)
    {
        counts.merge(kind, 1L, Long::sum);
        List<String> kept = examples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (kept.size() < EXAMPLES_MAX)
        {
            kept.add(kind + ": " + example);
        }
    }

    long count(final String kind)
    {
        return counts.getOrDefault(kind, 0L);
    }

    Map<String, Long> counts()
    {
        return new LinkedHashMap<>(counts);
    }

    /** At most {@link #EXAMPLES_MAX} examples, taking one of each kind in turn. */
    List<String> examples()
    {
        List<String> out = new ArrayList<>();
        for (int round = 0; out.size() < EXAMPLES_MAX; round++)
        {
            boolean any = false;
            for (final List<String> kept : examples.values())
            {
                if (round < kept.size() && out.size() < EXAMPLES_MAX)
                {
                    out.add(kept.get(round));
                    any = true;
                }
            }
            if (!any)
            {
                break;
            }
        }
        return out;
    }
}
