package io.tributary.raft.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.access.AuditRecord;

import org.junit.jupiter.api.Test;

/**
 * Issue #14, point 6: no value in a metadata command can break its parsing or the snapshot's. A
 * node id holding a line break used to be stored, and the snapshot (one line per node) then read
 * back as a different cluster on every replica.
 */
class MetadataCommandTest
{
    @Test
    void valuesThatWouldBreakTheCommandOrTheSnapshotAreRefusedAndNothingChanges()
    {
        final ClusterMetadata metadata = new ClusterMetadata();
        assertThat(metadata.apply("REGISTER\tn1\t10.0.0.1:7826\ttrue")).startsWith("OK");
        final String before = metadata.serialize();

        assertThat(metadata.apply("REGISTER\tn2\nNODE\tevil\t1.2.3.4:1\tACTIVE\t10.0.0.2:7826\tfalse"))
            .startsWith("ERR").contains("line break");
        assertThat(metadata.apply("REGISTER\tn 2\t10.0.0.2:7826\tfalse")).startsWith("ERR").contains("node id");
        assertThat(metadata.apply("REGISTER\tn2\t10.0.0.2:7826?term-length=1\tfalse")).startsWith("ERR")
            .contains("address");
        assertThat(metadata.apply("REGISTER\tn2\t10.0.0.2:99999\tfalse")).startsWith("ERR").contains("65535");
        assertThat(metadata.apply("REGISTER\tn2\t10.0.0.2:7826\tfalse\textra")).startsWith("ERR")
            .contains("takes 3 fields");
        assertThat(metadata.apply("SET_REPLICAS\t1/0\tn1,ghost")).startsWith("ERR").contains("ghost");
        assertThat(metadata.serialize()).as("nothing refused changed the metadata").isEqualTo(before);

        assertThat(metadata.apply("REGISTER\tn2\t[::1]:7826\tfalse")).startsWith("OK");
        assertThat(ClusterMetadata.deserialize(metadata.serialize()).nodes()).containsOnlyKeys("n1", "n2");
    }

    @Test
    void aStreamNeedsAsManyActiveNodesAsItsReplicationFactorButTheAuditTrailGrowsWithTheNodes()
    {
        final ClusterMetadata metadata = new ClusterMetadata();
        assertThat(metadata.apply("REGISTER\tn1\t10.0.0.1:7826\ttrue")).startsWith("OK");
        assertThat(metadata.apply("REGISTER\tn2\t10.0.0.2:7826\ttrue")).startsWith("OK");

        assertThat(metadata.apply("CREATE_STREAM\tsensors\t1\t3\t-1\t-1")).startsWith("ERR")
            .contains("needs 3 active nodes; the cluster has 2");
        assertThat(metadata.apply("CREATE_STREAM\t" + AuditRecord.STREAM + "\t1\t3\t-1\t-1")).startsWith("OK");
        final long audit = metadata.streams().get(AuditRecord.STREAM).id();
        assertThat(metadata.targetPlacement().get(new Placement.ShardId(audit, 0))).containsExactlyInAnyOrder("n1",
            "n2");

        assertThat(metadata.apply("REGISTER\tn3\t10.0.0.3:7826\ttrue")).startsWith("OK");
        assertThat(metadata.targetPlacement().get(new Placement.ShardId(audit, 0)))
            .as("the trail's placement grows to its factor as nodes join").containsExactlyInAnyOrder("n1", "n2", "n3");
    }

    @Test
    void theClientRefusesAFieldHoldingASeparator()
    {
        assertThat(MetadataClient.encode("CREATE_STREAM", "s", "1", "3", "-1", "-1"))
            .isEqualTo("CREATE_STREAM\ts\t1\t3\t-1\t-1");
        assertThatThrownBy(() -> MetadataClient.encode("REGISTER", "n1\tn2", "h:1", "false"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 1");
        assertThatThrownBy(() -> MetadataClient.encode("DELETE_STREAM", "a\nb"))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
