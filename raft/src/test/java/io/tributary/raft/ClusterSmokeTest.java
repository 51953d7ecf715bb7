package io.tributary.raft;


import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.RaftSettings;
import io.tributary.raft.node.RunningCluster;
import io.tributary.raft.protocol.ShardEntryDescriptor;
import io.tributary.raft.protocol.ShardProtocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three node processes replicate appends and serve reads; run once per transport by its subclasses. */
abstract class ClusterSmokeTest
{
    @TempDir
    Path dir;

    /** The Raft transport of the nodes and of every client here. */
    abstract String transport();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void threeNodeProcessesCreateAStreamAndReplicateAppends() throws Exception
    {
        // The other cluster tests run the default (fsync); this one the faster mode, so both start and replicate.
        try (RunningCluster cluster = RunningCluster.builder(dir).transport(transport())
            .config("durability", "nofsync").start())
        {
            final MetadataClient metadata = cluster.metadata();
            cluster.createStream("smoke", 2, 3);
            final String[] lines = metadata.query("DESCRIBE", "smoke").split("\n");
            final String[] shard0 = lines[1].split("\t");
            final Map<String, String> peers = new LinkedHashMap<>();
            for (final String peer : shard0[2].split(","))
            {
                peers.put(peer.substring(0, peer.indexOf('=')), peer.substring(peer.indexOf('=') + 1));
            }
            final RaftGroupId groupId = RaftGroupId.valueOf(UUID.fromString(shard0[1]));
            try (RaftClient client = RaftSettings.newClient(RaftSettings.group(groupId, peers), transport(), 10_000,
                RaftSettings.retryPolicy(20, 250)))
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
                final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
                builder.tryAppend(1L, "k".getBytes(), "hello".getBytes());
                final int length = builder.build();
                final Message entry = Message.valueOf(UnsafeByteOperations.unsafeWrap(
                    ShardEntryDescriptor.encodeSingle(buffer, 0, length, null, null)));
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                RaftClientReply reply;
                while (true)
                {
                    try
                    {
                        reply = client.io().send(entry);
                        break;
                    }
                    catch (final LeaderSteppingDownException
                        | TransferLeadershipException e)
                    {
                        // The controller moves a new shard's leadership to its preferred replica, and Ratis's
                        // blocking client does not retry a leader that is handing over: resend, as a producer does.
                        if (System.nanoTime() > deadlineNs)
                        {
                            throw e;
                        }
                        LockSupport.parkNanos(100_000_000L);
                    }
                }
                assertThat(reply.isSuccess()).as(String.valueOf(reply.getException())).isTrue();
                final byte[] bytes = reply.getMessage().getContent().toByteArray();
                final ShardTestClient.AppendReply append = ShardTestClient.AppendReply.decode(bytes);
                assertThat(append.status()).isEqualTo(AppendStatus.APPENDED);
                assertThat(append.baseOffset()).isEqualTo(0);

                final RaftClientReply read = client.io()
                    .sendReadOnly(Message.valueOf(UnsafeByteOperations.unsafeWrap(
                    ShardProtocol.encodeRead(0, 1 << 16, 0, (byte)0))));
                final byte[] readBytes = read.getMessage().getContent().toByteArray();
                final UnsafeBuffer in = new UnsafeBuffer(readBytes);
                assertThat(in.getByte(1)).isEqualTo(ShardProtocol.READ_OK);
                final RecordBatchFlyweight batch = new RecordBatchFlyweight()
                    .wrap(in, ShardProtocol.READ_REPLY_HEADER_LENGTH);
                assertThat(batch.nextRecord()).isTrue();
                assertThat(batch.record().valueAsString()).isEqualTo("hello");
            }
            assertThat(cluster.processes().stop("n1")).as("SIGTERM exits 0").isEqualTo(0);
        }
    }
}
