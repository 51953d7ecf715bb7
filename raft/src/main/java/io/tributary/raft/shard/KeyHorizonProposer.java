package io.tributary.raft.shard;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.engine.ShardLog;
import io.tributary.raft.protocol.KeyHorizonEntryDescriptor;
import io.tributary.raft.protocol.RatisMessages;

import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a shard's leader, once its retention has deleted records past the key horizon, proposes its first retained offset
 * as the new horizon (a {@link KeyHorizonEntryDescriptor} entry), so that every replica forgets the same keys at the
 * same point of the shard's history. One proposal at a time; one that fails is proposed again at the next retention
 * pass. Never blocks.
 */
final class KeyHorizonProposer
{
    private static final Logger LOG = LoggerFactory.getLogger(KeyHorizonProposer.class);

    private final RaftServer server;
    private final RaftGroupId groupId;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();

    KeyHorizonProposer(final RaftServer server, final RaftGroupId groupId)
    {
        this.server = server;
        this.groupId = groupId;
    }

    /** Proposes the log's first offset as the horizon if it passed the current one and this replica leads. */
    void proposeIfBehind(final ShardLog shardLog)
    {
        if (shardLog == null || shardLog.firstOffset() <= shardLog.keyHorizon() || !inFlight.compareAndSet(false, true))
        {
            return;
        }
        final long horizon = shardLog.firstOffset();
        CompletableFuture<RaftClientReply> reply;
        try
        {
            final RaftServer.Division division = server.getDivision(groupId);
            if (!division.getInfo().isLeader())
            {
                inFlight.set(false);
                return;
            }
            final RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(division.getId())
                .setGroupId(groupId)
                .setCallId(callIds.incrementAndGet())
                .setMessage(RatisMessages.wrap(KeyHorizonEntryDescriptor.encode(horizon)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
            reply = ((RaftClientAsynchronousProtocol)division).submitClientRequestAsync(request);
        }
        catch (final IOException | RuntimeException e)
        {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((answer, error) ->
        {
            inFlight.set(false);
            if (error != null || !answer.isSuccess())
            {
                LOG.info("{} {}: key horizon {} not committed ({}); proposed again at the next retention pass",
                    server.getId(), groupId, horizon, error != null ? error.toString()
                    : String.valueOf(answer.getException()));
            }
        });
    }
}
