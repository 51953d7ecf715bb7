package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.retry.RetryPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.meta.MetadataStateMachine;
import io.tributary.raft.node.RaftSettings;
import io.tributary.raft.node.RunningCluster;

/**
 * Three node JVMs with TLS on (Aeron): the metadata commands an attacker would send on the Raft path (re-register a
 * node at its own address, delete a stream) get no effect without a node certificate of the cluster's CA: sent in
 * clear, with a client certificate, or with a node certificate another CA signed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostilePeerTest
{
    private RunningCluster running;
    private Path certs;
    private Path dir;

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        this.dir = dir;
        certs = dir.resolve("certs");
        final DevCertificates authority = DevCertificates.createAuthority(certs, "test CA", Duration.ofDays(1));
        for (int i = 1; i <= 3; i++)
        {
            authority.issueNode(certs, "n" + i, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        }
        authority.issueClient(certs, "alice", Duration.ofDays(1));
        running = RunningCluster.builder(dir.resolve("cluster")).tls(certs).start();
        running.createStream("guarded", 1, 3);
    }

    @AfterAll
    void stop() throws Exception
    {
        if (running != null)
        {
            running.close();
        }
    }

    @Test
    void withoutANodeCertificateNoMetadataCommandHasAnEffect() throws Exception
    {
        final String nodesBefore = running.metadata().query("NODES");
        final DevCertificates stranger = DevCertificates.createAuthority(dir.resolve("stranger"), "other CA",
            Duration.ofDays(1));
        final DevCertificates.Issued forged = stranger.issueNode(dir.resolve("stranger"), "n2",
            List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        final List<TlsSettings> hostile = List.of(
            TlsSettings.disabled(),
            TlsSettings.of(certs.resolve("ca.pem"), certs.resolve("alice.pem"), certs.resolve("alice.key")),
            TlsSettings.of(certs.resolve("ca.pem"), forged.certFile(), forged.keyFile()));
        for (final TlsSettings tls : hostile)
        {
            // A Raft client of the metadata group, as MetadataClient's but without its retries: each refusal is final.
            try (RaftClient attacker = RaftSettings.newClient(RaftSettings.group(MetadataStateMachine.GROUP_ID,
                running.processes().metadataPeers()), "aeron", tls, 1_000, RetryPolicies.noRetry()))
            {
                assertThatThrownBy(() -> attacker.io().send(Message.valueOf("REGISTER\tn2\t10.6.6.6:6666\tfalse")))
                    .as("re-registering n2 with %s", tls).isNotNull();
                assertThatThrownBy(() -> attacker.io().send(Message.valueOf("DELETE_STREAM\tguarded")))
                    .as("deleting a stream with %s", tls).isNotNull();
            }
        }
        assertThat(running.metadata().query("NODES")).isEqualTo(nodesBefore).doesNotContain("10.6.6.6");
        assertThat(running.metadata().query("LIST")).contains("guarded");
        assertThat(running.metadata().placed("guarded")).isTrue();
    }
}
