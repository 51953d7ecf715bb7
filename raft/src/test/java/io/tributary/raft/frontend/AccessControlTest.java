package io.tributary.raft.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.protocol.access.AuditRecord;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.raft.meta.ClusterMetadata;

/** Issue #17, point 3: what each role allows, deny by default, and the bootstrap admins and nodes. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AccessControlTest
{
    private static final PeerIdentity ALICE = PeerIdentity.parse("client:alice");
    private static final PeerIdentity BOB = PeerIdentity.parse("client:bob");

    private static AccessControl withGrants(final String... commands)
    {
        final ClusterMetadata metadata = new ClusterMetadata();
        for (final String command : commands)
        {
            assertThat(metadata.apply(command)).startsWith("OK");
        }
        final AccessControl access = AccessControl.enforcing(Set.of("client:root"));
        access.update(metadata, System.nanoTime());
        return access;
    }

    @Test
    void aPrincipalWithoutARoleMayDoNothingAndIsToldWhatItNeeds()
    {
        final AccessControl access = withGrants();
        assertThat(access.check(BOB, AccessControl.Action.PRODUCE, "orders")).isEqualTo("client:bob may not produce "
            + "to stream 'orders': it needs producer on it (access denied; a cluster admin grants roles with "
            + "'tributary acl grant --principal client:bob --role ROLE --stream PATTERN')");
        for (final AccessControl.Action action : AccessControl.Action.values())
        {
            assertThat(access.check(BOB, action, "orders")).as(action.name()).isNotNull();
        }
        assertThat(access.check(null, AccessControl.Action.LIST, null)).contains("without a certificate");
    }

    @Test
    void eachRoleAllowsItsOwnActionsOnTheStreamsItsPatternNames()
    {
        final AccessControl access = withGrants("GRANT\tclient:alice\tproducer\tsensors.*",
            "GRANT\tclient:alice\tconsumer\torders", "GRANT\tclient:bob\tstream-admin\torders");
        assertThat(access.check(ALICE, AccessControl.Action.PRODUCE, "sensors.north")).isNull();
        assertThat(access.check(ALICE, AccessControl.Action.PRODUCE, "orders")).contains("needs producer");
        assertThat(access.check(ALICE, AccessControl.Action.CONSUME, "orders")).isNull();
        assertThat(access.check(ALICE, AccessControl.Action.CONSUME, "sensors.north")).contains("needs consumer");
        assertThat(access.check(ALICE, AccessControl.Action.DESCRIBE, "sensors.north")).isNull();
        assertThat(access.check(ALICE, AccessControl.Action.DESCRIBE, "payments")).isNotNull();
        assertThat(access.check(ALICE, AccessControl.Action.PRODUCE_ANYWHERE, null)).isNull();
        assertThat(access.check(ALICE, AccessControl.Action.MANAGE_STREAM, "orders")).contains("stream-admin");
        assertThat(access.check(ALICE, AccessControl.Action.MANAGE_CLUSTER, null)).contains("cluster-admin");
        assertThat(access.check(ALICE, AccessControl.Action.READ_GRANTS, null)).contains("auditor");

        assertThat(access.check(BOB, AccessControl.Action.MANAGE_STREAM, "orders")).isNull();
        assertThat(access.check(BOB, AccessControl.Action.MANAGE_STREAM, "orders2")).isNotNull();
        assertThat(access.check(BOB, AccessControl.Action.PRODUCE, "orders")).as("stream-admin does not produce")
            .isNotNull();
        assertThat(access.check(BOB, AccessControl.Action.PRODUCE_ANYWHERE, null)).isNotNull();
        assertThat(access.check(BOB, AccessControl.Action.LIST, null)).isNull();
    }

    @Test
    void clusterAdminsNodesAndTheBootstrapAdminsMayDoEverything()
    {
        final AccessControl access = withGrants("GRANT\tclient:alice\tcluster-admin\t*",
            "GRANT\tclient:bob\tauditor\t*");
        for (final AccessControl.Action action : AccessControl.Action.values())
        {
            assertThat(access.check(ALICE, action, "any")).as(action.name()).isNull();
            assertThat(access.check(PeerIdentity.parse("client:root"), action, "any")).as(action.name()).isNull();
            assertThat(access.check(PeerIdentity.parse("node:n1"), action, "any")).as(action.name()).isNull();
        }
        assertThat(access.check(PeerIdentity.parse("client:n1"), AccessControl.Action.LIST, null))
            .as("a client certificate named like a node is a client").isNotNull();
        assertThat(access.check(BOB, AccessControl.Action.READ_GRANTS, null)).isNull();
        assertThat(access.check(BOB, AccessControl.Action.MANAGE_CLUSTER, null)).isNotNull();
        assertThat(access.check(BOB, AccessControl.Action.CONSUME, "any")).isNotNull();
    }

    @Test
    void withSecurityOffEverythingIsAllowed()
    {
        final AccessControl access = AccessControl.disabled();
        assertThat(access.check(null, AccessControl.Action.MANAGE_CLUSTER, null)).isNull();
        assertThat(access.enabled()).isFalse();
    }

    @Test
    void theStreamOfEachShardGroupComesFromTheMetadata()
    {
        final ClusterMetadata metadata = new ClusterMetadata();
        assertThat(metadata.apply("REGISTER\tn1\t127.0.0.1:7001\ttrue")).startsWith("OK");
        assertThat(metadata.apply("CREATE_STREAM\torders\t2\t1\t-1\t-1")).startsWith("OK");
        final AccessControl access = AccessControl.enforcing(Set.of());
        assertThat(access.streamOf(ClusterMetadata.groupIdOf(1, 1).getUuid())).isNull();
        access.update(metadata, System.nanoTime());
        final long id = metadata.streams().get("orders").id();
        assertThat(access.streamOf(ClusterMetadata.groupIdOf(id, 0).getUuid())).isEqualTo("orders");
        assertThat(access.streamOf(ClusterMetadata.groupIdOf(id, 1).getUuid())).isEqualTo("orders");
        assertThat(access.streamOf(ClusterMetadata.groupIdOf(id, 2).getUuid())).isNull();
    }

    @Test
    void onlyAuditorsAndClusterAdminsReadTheAuditTrailAndNoClientNotEvenAnAdminWritesIt()
    {
        final AccessControl access = withGrants("GRANT\tclient:alice\tconsumer\t*",
            "GRANT\tclient:alice\tproducer\t*", "GRANT\tclient:alice\tstream-admin\t*",
            "GRANT\tclient:bob\tauditor\t*");
        final String trail = AuditRecord.STREAM;
        assertThat(access.check(ALICE, AccessControl.Action.CONSUME, trail)).as("consumer on *").isNotNull();
        assertThat(access.check(ALICE, AccessControl.Action.PRODUCE, trail)).as("producer on *").isNotNull();
        assertThat(access.check(ALICE, AccessControl.Action.MANAGE_STREAM, trail)).as("stream-admin on *").isNotNull();
        assertThat(access.check(ALICE, AccessControl.Action.CONSUME, "orders")).isNull();
        assertThat(access.check(BOB, AccessControl.Action.CONSUME, trail)).isNull();
        assertThat(access.check(BOB, AccessControl.Action.DESCRIBE, trail)).isNull();
        assertThat(access.check(BOB, AccessControl.Action.PRODUCE, trail)).isNotNull();
        assertThat(access.check(PeerIdentity.parse("node:n2"), AccessControl.Action.PRODUCE, trail)).isNull();
        final PeerIdentity admin = PeerIdentity.parse("client:root");
        assertThat(access.check(admin, AccessControl.Action.CONSUME, trail)).isNull();
        assertThat(access.check(admin, AccessControl.Action.PRODUCE, trail))
            .isEqualTo("client:root may not write to the audit trail (__audit): only the nodes do");
        assertThat(access.check(admin, AccessControl.Action.MANAGE_STREAM, trail)).as("an admin may delete it")
            .isNull();
        assertThat(access.check(admin, AccessControl.Action.PRODUCE, "orders")).isNull();
    }

    @Test
    void aFinalDenialIsAudited()
    {
        final AccessControl access = withGrants();
        final List<String> audited = new ArrayList<>();
        access.audit((who, source, action, resource, result, traceId) -> audited.add(who + " " + source + " " + action
            + " " + resource + " " + result + " trace " + traceId));
        assertThat(access.check(BOB, AccessControl.Action.PRODUCE, "orders")).isNotNull();
        assertThat(audited).as("a plain check is not a decision").isEmpty();
        final String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertThat(access.checkAfterRefresh(BOB, "10.0.0.7:5000", AccessControl.Action.MANAGE_STREAM, "orders",
            traceId)).contains("stream-admin");
        assertThat(audited).singleElement().asString().startsWith("client:bob 10.0.0.7:5000 manage_stream orders "
            + "denied: client:bob may not manage stream 'orders'").endsWith(" trace " + traceId);
    }
}
