package io.tributary.raft.node;

import java.util.ArrayList;
import java.util.List;

/**
 * The configurations a membership change passes through while it adds replicas. Ratis refuses a
 * configuration in which the new peers are at least as many as the current peers it keeps
 * ("changes a majority set", RATIS-1912: a majority of empty logs could elect among themselves
 * forever), except one peer growing to two. So a change that adds many replicas at once (a
 * 2-replica shard moved to two other nodes, a 3-replica shard moved wholesale) is split: each
 * step adds fewer peers than the configuration already holds, so it about doubles per step
 * (2 -> 3 -> 5), and Ratis stages each step's new peers until they have caught up. Etcd's
 * learners and Kafka's reassignment add replicas the same way, before any leaves.
 */
final class MembershipSteps
{
    private MembershipSteps()
    {
    }

    /**
     * @param members the group's current members.
     * @param desired the replicas it should have.
     * @return the configurations to set one after the other, each the one before plus new peers;
     *     the last holds every member and every desired replica. Empty when nothing is added.
     */
    static List<List<String>> additions(final List<String> members, final List<String> desired)
    {
        final List<String> added = desired.stream().filter(id -> !members.contains(id)).distinct().toList();
        final List<List<String>> steps = new ArrayList<>();
        final List<String> configuration = new ArrayList<>(members);
        int next = 0;
        while (next < added.size())
        {
            // Fewer new peers than kept ones; a single peer may take one more (Ratis's exception).
            final int room = Math.max(1, configuration.size() - 1);
            final int end = Math.min(added.size(), next + room);
            configuration.addAll(added.subList(next, end));
            steps.add(List.copyOf(configuration));
            next = end;
        }
        return steps;
    }
}
