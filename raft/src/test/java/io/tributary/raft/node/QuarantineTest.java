package io.tributary.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletionException;

import io.tributary.raft.shard.DamagedReplicaException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which group a failed start names as damaged, from each way Ratis and the state machine say it. */
class QuarantineTest
{
    private static final UUID A = UUID.fromString("dec279a4-414e-381d-920f-a00e1e1311f4");
    private static final UUID B = UUID.fromString("ca61a659-efff-3a77-a29d-f471c615fcf5");

    @TempDir
    Path dataDir;

    @Test
    void theGroupIsFoundFromEachKindOfFailureAndNotFromOthers() throws IOException
    {
        final Path raft = dataDir.resolve("raft");
        segment(raft, A, "log_136-141");
        segment(raft, A, "log_142-243");
        segment(raft, B, "log_0-17");
        segment(raft, B, "log_inprogress_18");

        assertThat(Quarantine.damagedGroup(new CompletionException(new DamagedReplicaException(B, "cut", null)), raft))
            .isEqualTo(B);
        // Ratis's gap check names only segments (seen in a Jepsen run: no group in the whole chain).
        assertThat(Quarantine.damagedGroup(new
            CompletionException(new IllegalStateException("Found a gap between logs: the last"
            + " log segment log-136_139 ended at 139 but the next log segment log-142_243 started at 142")), raft))
                .isEqualTo(A);
        assertThat(Quarantine.damagedGroup(new
            CompletionException(new IllegalStateException("Found a gap between logs: the last"
            + " log segment log-0_8 ended at 8 but the next log segment log_inprogress_18 started at 18")), raft))
                .isEqualTo(B);
        // A checksum failure names the group Ratis's way (the last 12 hex digits).
        assertThat(Quarantine.damagedGroup(new IllegalStateException("n1@group-A00E1E1311F4: Failed to initRaftLog.",
            new IOException("ChecksumException: Log entry corrupted")), raft)).isEqualTo(A);
        // A segment cut inside an entry's length prefix (Jepsen run 105): protobuf's own exception, the group in
        // Ratis's message.
        assertThat(Quarantine.damagedGroup(new CompletionException(new IllegalStateException(
            "n2@group-F471C615FCF5: Failed to initRaftLog.", new org.apache.ratis.thirdparty.com.google.protobuf
                .InvalidProtocolBufferException("While parsing a protocol message, the input ended unexpectedly in the "
                    + "middle" + " of a field."))), raft)).isEqualTo(B);
        // Not damage: a log the node may not read is no reason to set the copy aside.
        assertThat(Quarantine.damagedGroup(new IllegalStateException("n1@group-A00E1E1311F4: Failed to initRaftLog.",
            new AccessDeniedException("log_136-141")), raft)).isNull();
        // Not damage: a port in use is no reason to set a copy aside.
        assertThat(Quarantine.damagedGroup(new IOException("n1@group-A00E1E1311F4: Address already in use"), raft))
            .isNull();
    }

    @Test
    void settingAsideMovesTheRaftFolderAndTheShardLogTogether() throws IOException
    {
        segment(dataDir.resolve("raft"), A, "log_0-5");
        Files.createDirectories(dataDir.resolve("shards").resolve(A.toString()));
        Files.writeString(dataDir.resolve("shards").resolve(A.toString()).resolve("20261205-05F.cq4"), "queue");
        final Path aside = Quarantine.setAside(dataDir, A);
        assertThat(aside.getParent()).isEqualTo(dataDir.resolve("quarantine"));
        assertThat(aside.resolve("raft").resolve("current").resolve("log_0-5")).exists();
        assertThat(aside.resolve("shards").resolve("20261205-05F.cq4")).hasContent("queue");
        assertThat(dataDir.resolve("raft").resolve(A.toString())).doesNotExist();
        assertThat(dataDir.resolve("shards").resolve(A.toString())).doesNotExist();
    }

    private static void segment(final Path raft, final UUID group, final String name) throws IOException
    {
        final Path current = Files.createDirectories(raft.resolve(group.toString()).resolve("current"));
        Files.write(current.resolve(name), new byte[] {1});
    }
}
