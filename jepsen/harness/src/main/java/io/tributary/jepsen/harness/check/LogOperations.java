package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.history.Completion;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.internal.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The log workload's operations, decoded from a history and grouped by shard. Only what the checks use is
 * kept: every append (its outcome matters for loss and phantoms) and the reads that completed ok.
 */
final class LogOperations
{
    static final String APPEND = "append";
    static final String READ = "read";
    static final String FINAL_READ = "final-read";

    /**
     * An append.
     *
     * @param offset the offset its ok gave; null unless ok
     */
    record Append(String shard, long value, PairedOperation op, Long offset)
    {
        boolean ok()
        {
            return op.completion() == Completion.OK;
        }
    }

    /**
     * A read that completed ok.
     *
     * @param end the shard's next offset the read saw at some moment, or null if it stopped early
     * @param consumer made through the Consumer API ({@code "api":"consumer"} on the invoke), which tells
     *                 the process no applied index, so the process's later follower reads are not bound by it
     */
    record Read(String shard, PairedOperation op, boolean linearizable, boolean isFinal, long from, List<Long> values,
                Long end, boolean consumer)
    {
        /** The shard had at least this many entries when the read completed: it saw them. */
        long lengthSeen()
        {
            return from + values.size();
        }
    }

    /** Per shard, in the order of the shard names. */
    final Map<String, List<Append>> appends = new TreeMap<>();
    final Map<String, List<Read>> reads = new TreeMap<>();
    /** Per operation name, per outcome (ok, fail, info): how many. */
    final Map<String, Map<String, Long>> outcomes = new LinkedHashMap<>();

    static LogOperations decode(final HistoryFile history)
    {
        LogOperations out = new LogOperations();
        Map<Long, PairedOperation> appendedBy = new HashMap<>();
        for (final PairedOperation op : history.operations())
        {
            out.outcomes.computeIfAbsent(op.f(), k -> new LinkedHashMap<>()).merge(outcomeName(op), 1L, Long::sum);
            String shard = shardOf(op);
            switch (op.f())
            {
                case APPEND:
                    Append append = append(op, shard);
                    PairedOperation earlier = appendedBy.putIfAbsent(append.value(), op);
                    if (earlier != null)
                    {
                        throw malformed(op, "value " + append.value() + " is appended again (first at line "
                            + earlier.invokeLine() + "); the checks need values unique per run");
                    }
                    out.appends.computeIfAbsent(shard, k -> new ArrayList<>()).add(append);
                    break;
                case READ:
                case FINAL_READ:
                    if (op.completion() == Completion.OK)
                    {
                        out.reads.computeIfAbsent(shard, k -> new ArrayList<>()).add(read(op, shard));
                    }
                    break;
                default:
                    throw malformed(op, "the log workload has no operation " + op.f()
                        + "; expected append, read or final-read");
            }
        }
        return out;
    }

    static String outcomeName(final PairedOperation op)
    {
        switch (op.completion())
        {
            case OK: return "ok";
            case FAILED: return "fail";
            default: return "info";
        }
    }

    private static String shardOf(final PairedOperation op)
    {
        if (op.key() == null)
        {
            throw malformed(op, "expected the shard number as the key, found none");
        }
        return String.valueOf(op.key());
    }

    private static Append append(final PairedOperation op, final String shard)
    {
        long value = asLong(op, op.invokeValue(), "the appended value on the invoke");
        Long offset = null;
        if (op.completion() == Completion.OK)
        {
            offset = asLong(op, op.completionValue(), "the offset on the ok");
            if (offset < 0)
            {
                throw malformed(op, "expected an offset >= 0 on the ok, found " + offset);
            }
        }
        return new Append(shard, value, op, offset);
    }

    private static Read read(final PairedOperation op, final String shard)
    {
        Map<?, ?> result = asMap(op, op.completionValue(), "{\"from\":F,\"values\":[...],\"end\":E|null} on the ok");
        long from = asLong(op, result.get("from"), "\"from\" in the ok value");
        if (!(result.get("values") instanceof List))
        {
            throw malformed(op, "expected \"values\" to be a list, found " + Json.write(result.get("values")));
        }
        List<Long> values = new ArrayList<>();
        for (final Object value : (List<?>) result.get("values"))
        {
            values.add(asLong(op, value, "integers in \"values\""));
        }
        Long end = result.get("end") == null ? null : asLong(op, result.get("end"), "\"end\" in the ok value");
        if (end != null && end != from + values.size())
        {
            throw malformed(op, "\"end\" " + end + " is not from + number of values = " + (from + values.size())
                + "; a read that reached the end returns every value up to it");
        }
        boolean isFinal = FINAL_READ.equals(op.f());
        boolean linearizable = isFinal || "linearizable".equals(consistencyOf(op));
        boolean consumer = op.invokeValue() instanceof Map
            && "consumer".equals(((Map<?, ?>) op.invokeValue()).get("api"));
        return new Read(shard, op, linearizable, isFinal, from, List.copyOf(values), end, consumer);
    }

    private static String consistencyOf(final PairedOperation op)
    {
        if (!(op.invokeValue() instanceof Map))
        {
            throw malformed(op, "expected {\"from\":F,\"consistency\":\"linearizable|follower\"} on the invoke, found "
                + Json.write(op.invokeValue()));
        }
        Object consistency = ((Map<?, ?>) op.invokeValue()).get("consistency");
        if (!"linearizable".equals(consistency) && !"follower".equals(consistency))
        {
            throw malformed(op, "expected \"consistency\" linearizable or follower, found " + Json.write(consistency));
        }
        return (String) consistency;
    }

    private static long asLong(final PairedOperation op, final Object value, final String what)
    {
        if (!(value instanceof Long))
        {
            throw malformed(op, "expected " + what + " to be an integer, found " + Json.write(value));
        }
        return (Long) value;
    }

    private static Map<?, ?> asMap(final PairedOperation op, final Object value, final String what)
    {
        if (!(value instanceof Map))
        {
            throw malformed(op, "expected " + what + ", found " + Json.write(value));
        }
        return (Map<?, ?>) value;
    }

    /** A malformed operation: the message names the file and lines. */
    static IllegalArgumentException malformed(final PairedOperation op, final String detail)
    {
        return new IllegalArgumentException(op.error(detail).getMessage());
    }
}
