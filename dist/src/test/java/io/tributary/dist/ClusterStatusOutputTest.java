package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tributary.client.Admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code cluster status} output from a made-up status: leaders, preferred leaders, per-node counts, imbalance. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClusterStatusOutputTest
{
    private static Admin.ShardStatus shard(final int shard, final String leader,
        final String... replicasInPlacementOrder)
    {
        final List<Admin.ReplicaStatus> replicas = Arrays.stream(replicasInPlacementOrder)
            .map(id -> new Admin.ReplicaStatus(id, id.equals(leader), 0, 10, 20, 0, 0, null, 1)).toList();
        return new Admin.ShardStatus("s", shard, leader, 10, replicas);
    }

    private static String print(final Admin.ClusterStatus status)
    {
        final StringWriter text = new StringWriter();
        ClusterCommand.printStatus(new PrintWriter(text, true), status);
        return text.toString();
    }

    private static final List<Admin.NodeInfo> NODES = List.of(new Admin.NodeInfo("n1", "127.0.0.1:9871", "ACTIVE"),
        new Admin.NodeInfo("n2", "127.0.0.1:9872", "ACTIVE"), new Admin.NodeInfo("n3", "127.0.0.1:9873", "ACTIVE"),
        new Admin.NodeInfo("n4", "127.0.0.1:9874", "REGISTERED"));

    @Test
    void balancedLeadershipShowsCountsAndNoMarks()
    {
        final String out = print(new Admin.ClusterStatus(NODES, Map.of("s", List.of(shard(0, "n1", "n1", "n2", "n3"),
            shard(1, "n2", "n2", "n3", "n1"), shard(2, "n3", "n3", "n1", "n2")))));
        assertThat(out).contains("  n1       127.0.0.1:9871         ACTIVE     leads 1, preferred for 1\n")
            .contains("  n4       127.0.0.1:9874         REGISTERED leads 0, preferred for 0\n")
            .contains("stream s:\n")
            .contains("SHARD LEADER    NEXT OFFSET  REPLICAS (applied index, lag in records)")
            .contains("  1     n2                 10  n2* (20, lag 0)  n3 (20, lag 0)  n1 (20, lag 0)  n2\n")
            .contains("leadership: every led shard is led by its preferred replica")
            .doesNotContain("imbalanced").doesNotContain("not leading");
    }

    @Test
    void aShardLedByAnotherReplicaIsMarkedOnTheShardTheNodeAndTheSummary()
    {
        final String out = print(new Admin.ClusterStatus(NODES, Map.of("s", List.of(shard(0, "n1", "n1", "n2", "n3"),
            shard(1, "n1", "n2", "n3", "n1"), shard(2, null, "n3", "n1", "n2")))));
        assertThat(out).contains("  n1       127.0.0.1:9871         ACTIVE     leads 2, preferred for 1\n")
            .contains("  n2       127.0.0.1:9872         ACTIVE     leads 0, preferred for 1  << imbalanced: 1 of its "
                + "preferred" + " shards led elsewhere\n")
            .contains("  n3       127.0.0.1:9873         ACTIVE     leads 0, preferred for 1\n")
            .contains("  1     n1                 10  n2 (20, lag 0)  n3 (20, lag 0)  n1* (20, lag 0)  n2 (not "
                + "leading)\n")
            .contains("  2     -                  10  n3 (20, lag 0)  n1 (20, lag 0)  n2 (20, lag 0)   n3\n")
            .contains("leadership: 1 of 3 shards not led by their preferred replica");
    }
}
