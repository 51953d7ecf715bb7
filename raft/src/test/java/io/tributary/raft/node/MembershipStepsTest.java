package io.tributary.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.ratis.server.impl.RatisMembershipRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every step of a membership change is one Ratis accepts, for every move among up to seven nodes. */
@Timeout(60)
class MembershipStepsTest
{
    private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5", "n6", "n7");

    @Test
    void theMoveCiSawRefusedGoesInStepsRatisAccepts()
    {
        // The audit shard of CI runs 51 and 55: on {n1, n3}, placed on {n4, n5} once five nodes were active.
        final List<String> members = List.of("n1", "n3");
        final List<String> desired = List.of("n4", "n5");
        assertThat(RatisMembershipRule.refuses(members, List.of("n1", "n3", "n4", "n5")))
            .as("Ratis refuses the whole union in one step").isTrue();

        final List<List<String>> steps = MembershipSteps.additions(members, desired);

        assertThat(steps).containsExactly(List.of("n1", "n3", "n4"), List.of("n1", "n3", "n4", "n5"));
        assertAccepted(members, steps);
    }

    @Test
    void aWholesaleMoveOfThreeReplicasTakesTwoSteps()
    {
        final List<List<String>> steps = MembershipSteps.additions(List.of("n1", "n2", "n3"),
            List.of("n4", "n5", "n6"));

        assertThat(steps).containsExactly(List.of("n1", "n2", "n3", "n4", "n5"),
            List.of("n1", "n2", "n3", "n4", "n5", "n6"));
        assertAccepted(List.of("n1", "n2", "n3"), steps);
    }

    @Test
    void oneReplicaAddedIsOneStepAndNoneAddedIsNoStep()
    {
        assertThat(MembershipSteps.additions(List.of("n1", "n2", "n3"), List.of("n1", "n2", "n4")))
            .containsExactly(List.of("n1", "n2", "n3", "n4"));
        assertThat(MembershipSteps.additions(List.of("n1", "n2", "n3"), List.of("n2", "n1"))).isEmpty();
        assertThat(MembershipSteps.additions(List.of("n1"), List.of("n2", "n3", "n4")))
            .containsExactly(List.of("n1", "n2"), List.of("n1", "n2", "n3"), List.of("n1", "n2", "n3", "n4"));
    }

    @Test
    void everyMoveAmongSevenNodesEndsWithEveryReplicaAndEachStepIsAccepted()
    {
        int moves = 0;
        for (int from = 1; from < 1 << NODES.size(); from++)
        {
            for (int to = 1; to < 1 << NODES.size(); to++)
            {
                final List<String> members = subset(from);
                final List<String> desired = subset(to);
                final List<List<String>> steps = MembershipSteps.additions(members, desired);
                assertAccepted(members, steps);
                final Set<String> union = new LinkedHashSet<>(members);
                union.addAll(desired);
                final List<String> last = steps.isEmpty() ? members : steps.get(steps.size() - 1);
                assertThat(last).as("the last step of %s -> %s", members, desired)
                    .containsExactlyInAnyOrderElementsOf(union);
                moves++;
            }
        }
        assertThat(moves).isEqualTo(127 * 127);
    }

    private static void assertAccepted(final List<String> members, final List<List<String>> steps)
    {
        List<String> current = members;
        for (final List<String> step : steps)
        {
            assertThat(step).as("a step keeps every member of the one before").containsAll(current);
            assertThat(RatisMembershipRule.refuses(current, step)).as("Ratis refuses %s -> %s", current, step)
                .isFalse();
            current = step;
        }
    }

    private static List<String> subset(final int bits)
    {
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < NODES.size(); i++)
        {
            if ((bits & 1 << i) != 0)
            {
                ids.add(NODES.get(i));
            }
        }
        return ids;
    }
}
