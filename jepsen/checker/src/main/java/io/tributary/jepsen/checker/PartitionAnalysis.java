package io.tributary.jepsen.checker;

import java.util.List;

/**
 * What the checker found in one partition. Without explain mode only the first block is filled in;
 * explanations are empty lists and an empty initial state.
 *
 * @param index position of the partition in the model's partitioning
 * @param result this partition's verdict
 * @param unknownReason why the result is UNKNOWN ("timed out", ...); empty otherwise
 * @param operations the partition's operations; other fields refer to them by index
 * @param cacheEntries (linearized set, state) pairs the search explored
 * @param operationDescriptions {@link Model#describeOperation} of each operation, by index
 * @param initialState the model's initial state, described
 * @param linearizations for each operation the longest partial linearization found containing it,
 *     without duplicates, longest first and at most {@link #LINEARIZATIONS_MAX}; a complete linearization
 *     first if the result is OK
 * @param failures if ILLEGAL, where the longest partial linearizations got stuck (at most
 *     {@link #FAILURES_MAX})
 * @param explanationComplete false if the timeout cut the explanation short
 * @param <I> input
 * @param <O> output
 */
public record PartitionAnalysis<I, O>(
    int index,
    CheckResult result,
    String unknownReason,
    List<Operation<I, O>> operations,
    long cacheEntries,
    List<String> operationDescriptions,
    String initialState,
    List<PartialLinearization> linearizations,
    List<FailurePoint> failures,
    boolean explanationComplete)
{

    /** Kept per partition: enough to show each operation's context without a report of quadratic size. */
    public static final int LINEARIZATIONS_MAX = 64;
    /** Failure points computed per illegal partition, one per distinct longest prefix. */
    public static final int FAILURES_MAX = 8;

    public PartitionAnalysis
    {
        operations = List.copyOf(operations);
        operationDescriptions = List.copyOf(operationDescriptions);
        linearizations = List.copyOf(linearizations);
        failures = List.copyOf(failures);
    }

    /** The length of the longest partial linearization found, 0 if none was (or none was explained). */
    public int longestLength()
    {
        return linearizations.isEmpty() ? 0 : linearizations.get(0).length();
    }
}
