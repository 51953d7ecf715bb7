package io.tributary.raft.meta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.tributary.protocol.access.Grant;
import io.tributary.protocol.access.Role;

/** Issue #17, point 3: roles live in the metadata quorum and its snapshot; malformed ones change nothing. */
class GrantCommandTest
{
    @Test
    void grantsAreStoredOnceRevokedExactlyAndSurviveTheSnapshot()
    {
        final ClusterMetadata metadata = new ClusterMetadata();
        assertThat(metadata.apply("GRANT\tclient:alice\tproducer\tsensors.*")).isEqualTo("OK\tgranted");
        assertThat(metadata.apply("GRANT\tclient:alice\tproducer\tsensors.*")).isEqualTo("OK\talready granted");
        assertThat(metadata.apply("GRANT\tclient:bob\tconsumer\torders")).startsWith("OK");
        assertThat(metadata.grants()).containsExactly(new Grant("client:alice", Role.PRODUCER, "sensors.*"),
            new Grant("client:bob", Role.CONSUMER, "orders"));

        final ClusterMetadata restored = ClusterMetadata.deserialize(metadata.serialize());
        assertThat(restored.grants()).isEqualTo(metadata.grants());

        assertThat(metadata.apply("REVOKE\tclient:alice\tproducer\tsensors")).startsWith("ERR")
            .contains("no grant 'client:alice producer sensors'").contains("client:alice producer sensors.*");
        assertThat(metadata.apply("REVOKE\tclient:alice\tproducer\tsensors.*")).isEqualTo("OK\trevoked");
        assertThat(metadata.grants()).containsExactly(new Grant("client:bob", Role.CONSUMER, "orders"));
    }

    @Test
    void malformedGrantsAreRefusedWithTheReasonAndChangeNothing()
    {
        final ClusterMetadata metadata = new ClusterMetadata();
        final String before = metadata.serialize();
        assertThat(metadata.apply("GRANT\talice\tproducer\t*")).startsWith("ERR").contains("client:NAME");
        assertThat(metadata.apply("GRANT\tclient:alice\towner\t*")).startsWith("ERR").contains("unknown role 'owner'");
        assertThat(metadata.apply("GRANT\tclient:alice\tproducer\tsen*sors")).startsWith("ERR")
            .contains("stream pattern");
        assertThat(metadata.apply("GRANT\tclient:alice\tcluster-admin\tsensors")).startsWith("ERR")
            .contains("every stream");
        assertThat(metadata.apply("GRANT\tclient:a b\tproducer\t*")).startsWith("ERR").contains("1 to 128");
        assertThat(metadata.apply("GRANT\tclient:alice\tproducer")).startsWith("ERR").contains("takes 3 fields");
        assertThat(metadata.serialize()).isEqualTo(before);
    }
}
