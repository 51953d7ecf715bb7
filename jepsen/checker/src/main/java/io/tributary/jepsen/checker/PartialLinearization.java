package io.tributary.jepsen.checker;

import java.util.List;

/**
 * A sequence of a partition's operations that the model accepts in that order, respecting real time.
 *
 * @param operations indexes into {@link PartitionAnalysis#operations()}, in linearization order
 * @param statesAfter the model's state after each of them, described; may be empty if the timeout hit
 *     while explaining
 */
public record PartialLinearization(List<Integer> operations, List<String> statesAfter)
{

    public PartialLinearization
    {
        operations = List.copyOf(operations);
        statesAfter = List.copyOf(statesAfter);
        if (!statesAfter.isEmpty() && statesAfter.size() != operations.size())
        {
            throw new IllegalArgumentException(statesAfter.size() + " states for " + operations.size() + " operations");
        }
    }

    public int length()
    {
        return operations.size();
    }
}
