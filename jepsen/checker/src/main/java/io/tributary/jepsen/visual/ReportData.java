package io.tributary.jepsen.visual;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.checker.FailurePoint;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.checker.PartialLinearization;
import io.tributary.jepsen.checker.PartitionAnalysis;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data behind the report, as JSON-ready maps and lists. Times become ranks per partition (the
 * timeline shows order, not duration, and nanosecond clocks overflow JavaScript's exact integers); the
 * raw times go along as text for the tooltips. State descriptions repeat a lot, so they are kept once in
 * a table and referred to by index. Not thread-safe: one instance per report.
 */
final class ReportData
{
    private final List<String> stateTable = new ArrayList<>();
    private final Map<String, Integer> stateIndex = new HashMap<>();

    <I, O> Map<String, Object> of(final Analysis<I, O> analysis, final String title)
    {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", title);
        data.put("result", analysis.result().name());
        data.put("unknownReason", analysis.unknownReason());
        data.put("elapsedMs", analysis.elapsed().toMillis());
        data.put("operations", analysis.operationCount());
        List<Object> partitions = new ArrayList<>();
        for (final PartitionAnalysis<I, O> partition : analysis.partitions())
        {
            partitions.add(partition(partition));
        }
        data.put("partitions", partitions);
        data.put("states", stateTable);
        return data;
    }

    private <I, O> Map<String, Object> partition(final PartitionAnalysis<I, O> partition)
    {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("index", partition.index());
        data.put("result", partition.result().name());
        data.put("unknownReason", partition.unknownReason());
        data.put("complete", partition.explanationComplete());
        data.put("cacheEntries", partition.cacheEntries());
        data.put("initial", state(partition.initialState()));
        data.put("ops", operations(partition));
        List<Object> linearizations = new ArrayList<>();
        for (final PartialLinearization linearization : partition.linearizations())
        {
            Map<String, Object> lin = new LinkedHashMap<>();
            lin.put("ops", linearization.operations());
            List<Integer> after = new ArrayList<>(linearization.statesAfter().size());
            for (final String state : linearization.statesAfter())
            {
                after.add(state(state));
            }
            lin.put("after", after);
            linearizations.add(lin);
        }
        data.put("lins", linearizations);
        List<Object> failures = new ArrayList<>();
        for (final FailurePoint failure : partition.failures())
        {
            failures.add(failure(failure));
        }
        data.put("failures", failures);
        return data;
    }

    private <I, O> List<Object> operations(final PartitionAnalysis<I, O> partition)
    {
        List<Operation<I, O>> operations = partition.operations();
        long[] times = distinctFiniteTimes(operations);
        List<Object> ops = new ArrayList<>(operations.size());
        for (int id = 0; id < operations.size(); id++)
        {
            Operation<I, O> op = operations.get(id);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("c", op.clientId());
            data.put("s", Arrays.binarySearch(times, op.callTime()));
            data.put("e", op.isIndeterminate() ? null : Arrays.binarySearch(times, op.returnTime()));
            data.put("st", Long.toString(op.callTime()));
            data.put("et", op.isIndeterminate() ? "never (indeterminate)" : Long.toString(op.returnTime()));
            data.put("d", id < partition.operationDescriptions().size()
                ? partition.operationDescriptions().get(id) : op.input() + " -> " + op.output());
            ops.add(data);
        }
        return ops;
    }

    private static <I, O> long[] distinctFiniteTimes(final List<Operation<I, O>> operations)
    {
        long[] times = new long[2 * operations.size()];
        int n = 0;
        for (final Operation<I, O> op : operations)
        {
            times[n++] = op.callTime();
            if (!op.isIndeterminate())
            {
                times[n++] = op.returnTime();
            }
        }
        return Arrays.stream(times, 0, n).sorted().distinct().toArray();
    }

    private Map<String, Object> failure(final FailurePoint failure)
    {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("lin", failure.linearization());
        data.put("state", state(failure.state()));
        data.put("deadline", failure.deadlineOperation());
        List<Object> candidates = new ArrayList<>();
        for (final FailurePoint.Candidate candidate : failure.candidates())
        {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("op", candidate.operation());
            c.put("why", candidate.reason());
            candidates.add(c);
        }
        data.put("candidates", candidates);
        return data;
    }

    private int state(final String description)
    {
        return stateIndex.computeIfAbsent(description, d ->
        {
            stateTable.add(d);
            return stateTable.size() - 1;
        });
    }
}
