package io.tributary.raft.shard;

import io.tributary.engine.ShardLog;
import io.tributary.raft.protocol.RatisMessages;
import io.tributary.raft.protocol.ShardProtocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * A catch-up's reads from a peer of the shard: its position, its base state (chunk by chunk) and its batches. Each is
 * an ordinary linearizable read, sent to the leader that notified the catch-up: a follower would serve it through a
 * ReadIndex round trip to the leader, which Ratis's Netty transport does not carry (no such request), so each read
 * there waited out a 10 s request timeout before the client tried another peer (a new replica took 20-60 s to catch
 * up). When that leader no longer leads, the reads fail and the new leader notifies again. Not thread-safe: one
 * catch-up.
 */
final class PeerFetch
{
    /** How many times a base state is fetched again when the peer replaced it meanwhile. */
    private static final int BASE_STATE_ATTEMPTS = 5;
    /** A batch read asks for this much at a time. */
    private static final int BATCH_READ_BYTES = 4 << 20;

    private final RaftClient client;
    private final RaftPeerId leader;
    private final RaftGroupId groupId;
    private final int baseStateChunkBytes;

    /**
     * @param leader              the leader that notified the catch-up, or null to let the client choose.
     * @param baseStateChunkBytes the size of a base-state chunk to ask for.
     */
    PeerFetch(final RaftClient client, final RaftPeerId leader, final RaftGroupId groupId,
        final int baseStateChunkBytes)
    {
        this.client = client;
        this.leader = leader;
        this.groupId = groupId;
        this.baseStateChunkBytes = baseStateChunkBytes;
    }

    /**
     * The peers to fetch from: every other member of the group (never this one, whose reads wait for the very install
     * in progress), or the leader named in the notification while the configuration is still unknown here.
     */
    static RaftGroup peersOf(final RaftGroup group, final RaftPeerId self, final RaftProtos.RoleInfoProto roleInfo)
        throws IOException
    {
        final List<RaftPeer> others = new ArrayList<>();
        for (final RaftPeer peer : group.getPeers())
        {
            if (!peer.getId().equals(self))
            {
                others.add(peer);
            }
        }
        if (others.isEmpty() && roleInfo.hasFollowerInfo() && roleInfo.getFollowerInfo().hasLeaderInfo())
        {
            final RaftProtos.RaftPeerProto leader = roleInfo.getFollowerInfo().getLeaderInfo().getId();
            others.add(RaftPeer.newBuilder().setId(leader.getId()).setAddress(leader.getAddress()).build());
        }
        if (others.isEmpty())
        {
            throw new IOException("no other member of " + group.getGroupId()
                + " is known yet to catch up from; Ratis will notify again");
        }
        return RaftGroup.valueOf(group.getGroupId(), others);
    }

    /** The leader that notified this catch-up, or null when the notification named none. */
    static RaftPeerId notifyingLeader(final RaftProtos.RoleInfoProto roleInfo)
    {
        return roleInfo.hasFollowerInfo() && roleInfo.getFollowerInfo().hasLeaderInfo()
            ? RaftPeerId.valueOf(roleInfo.getFollowerInfo().getLeaderInfo().getId().getId()) : null;
    }

    /** A peer's whole base state, and the applied position it was taken at. */
    record BaseState(long appliedTerm, long appliedIndex, byte[] bytes, int chunks)
    {
    }

    /** The peer's position: its first and next offsets, key horizon and applied term and index. */
    ShardProtocol.Position position() throws IOException
    {
        final byte[] reply = read(ShardProtocol.encodePosition());
        return ShardProtocol.decodePositionReply(new UnsafeBuffer(reply), reply.length);
    }

    /**
     * Fetches the peer's base state chunk by chunk. When the peer no longer holds the state being fetched (it took a
     * new one for another replica long after, or leadership moved), starts again, a few times.
     */
    BaseState baseState() throws IOException
    {
        IOException stale = null;
        for (int attempt = 0; attempt < BASE_STATE_ATTEMPTS; attempt++)
        {
            byte[] state = null;
            long appliedIndex = -1;
            long appliedTerm = 0;
            int have = 0;
            int chunks = 0;
            while (state == null || have < state.length)
            {
                chunks++;
                final byte[] reply = read(ShardProtocol.encodeBaseState(appliedIndex, have, baseStateChunkBytes));
                final ShardProtocol.BaseStateChunk chunk = ShardProtocol.decodeBaseStateReply(new UnsafeBuffer(reply),
                    reply.length);
                if (chunk.stale())
                {
                    stale = new IOException("the peer no longer holds the base state of " + groupId
                        + " at applied index " + appliedIndex + " (" + have + " bytes fetched)");
                    break;
                }
                if (state == null)
                {
                    state = new byte[(int)chunk.stateLength()];
                    appliedIndex = chunk.appliedIndex();
                    appliedTerm = chunk.appliedTerm();
                }
                if (chunk.appliedIndex() != appliedIndex || chunk.stateLength() != state.length
                    || chunk.fromByte() != have || (chunk.chunkLength() == 0 && have < state.length))
                {
                    throw new IOException("a base-state chunk of " + groupId
                        + " does not continue the state being fetched: applied index " + chunk.appliedIndex()
                        + " (fetching " + appliedIndex + "), " + chunk.chunkLength() + " bytes from " + chunk.fromByte()
                        + " of " + chunk.stateLength() + " (have " + have + " of " + state.length + ")");
                }
                chunk.buffer().getBytes(chunk.chunkOffset(), state, have, chunk.chunkLength());
                have += chunk.chunkLength();
            }
            if (state != null && have == state.length)
            {
                return new BaseState(appliedTerm, appliedIndex, state, chunks);
            }
        }
        throw stale;
    }

    /** Fetches the peer's batches from {@code into}'s next offset and stores them verbatim; returns how many. */
    int batchesInto(final ShardLog into) throws IOException
    {
        final byte[] reply = read(ShardProtocol.encodeRead(into.nextOffset(), BATCH_READ_BYTES, 0, (byte)0));
        final UnsafeBuffer in = new UnsafeBuffer(reply);
        if (in.getByte(1) != ShardProtocol.READ_OK)
        {
            throw new IOException("the leader refused to serve offset " + into.nextOffset() + ": "
                + in.getStringWithoutLengthUtf8(ShardProtocol.READ_REPLY_HEADER_LENGTH, in.getInt(4))
                + (in.getByte(1) == ShardProtocol.READ_OUT_OF_RANGE ? " (its retention moved on meanwhile: Ratis "
                    + "notifies the catch-up again, which starts from the leader's new first offset)" : ""));
        }
        final int end = ShardProtocol.READ_REPLY_HEADER_LENGTH + in.getInt(4);
        int batches = 0;
        for (int at = ShardProtocol.READ_REPLY_HEADER_LENGTH; at < end; at += in.getInt(at))
        {
            into.appendStored(in, at, in.getInt(at));
            batches++;
        }
        return batches;
    }

    private byte[] read(final byte[] request) throws IOException
    {
        final Message message = RatisMessages.wrap(request);
        final RaftClientReply reply = leader == null ? client.io().sendReadOnly(message)
            : client.io().sendReadOnly(message, leader);
        if (!reply.isSuccess())
        {
            throw new IOException("a catch-up read failed at " + (leader == null ? "the group" : leader) + ": "
                + reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }
}
