package io.tributary.jepsen.checker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a check: the verdict, and what was found in each partition.
 *
 * @param result ILLEGAL if any partition is illegal; otherwise UNKNOWN if any partition is unknown;
 *     otherwise OK
 * @param partitions one per partition, in the model's partition order
 * @param explained whether explanations were computed ({@link CheckOptions#explain()})
 * @param elapsed wall time of the check
 * @param <I> input
 * @param <O> output
 */
public record Analysis<I, O>(CheckResult result, List<PartitionAnalysis<I, O>> partitions, boolean explained,
                             Duration elapsed)
{

    public Analysis
    {
        partitions = List.copyOf(partitions);
    }

    /** The first partition with this result, if any. */
    public Optional<PartitionAnalysis<I, O>> firstWith(final CheckResult wanted)
    {
        return partitions.stream().filter(p -> p.result() == wanted).findFirst();
    }

    /** Why the result is UNKNOWN, or an empty string. */
    public String unknownReason()
    {
        if (result != CheckResult.UNKNOWN)
        {
            return "";
        }
        return firstWith(CheckResult.UNKNOWN).map(PartitionAnalysis::unknownReason).orElse("");
    }

    /** This analysis with another wall time (a check made in two passes counts both). */
    public Analysis<I, O> withElapsed(final Duration newElapsed)
    {
        return new Analysis<>(result, partitions, explained, newElapsed);
    }

    public int operationCount()
    {
        return partitions.stream().mapToInt(p -> p.operations().size()).sum();
    }
}
