package io.tributary.jepsen.checker;

import java.util.List;

/**
 * Where a longest partial linearization of an illegal partition gets stuck.
 *
 * @param linearization index into {@link PartitionAnalysis#linearizations()} of the stuck prefix, or -1
 *     if no operation at all could be linearized first (the stuck prefix is empty)
 * @param state the model's state after that prefix, described
 * @param deadlineOperation the unlinearized operation that returns first: it had to be linearized before
 *     its return, and nothing that could come before it fits
 * @param candidates the operations that could have come next in real time (called before the deadline
 *     operation returned), each with why it could not
 */
public record FailurePoint(int linearization, String state, int deadlineOperation, List<Candidate> candidates)
{

    public FailurePoint
    {
        candidates = List.copyOf(candidates);
    }

    /**
     * An operation that could not be linearized next.
     *
     * @param operation index into {@link PartitionAnalysis#operations()}
     * @param reason why, for a human
     */
    public record Candidate(int operation, String reason)
{
    }
}
