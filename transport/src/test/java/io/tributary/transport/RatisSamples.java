package io.tributary.transport;

import java.util.Random;
import java.util.UUID;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.ClientMessageEntryProto;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.FileChunkProto;
import org.apache.ratis.proto.RaftProtos.GroupAddRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotResult;
import org.apache.ratis.proto.RaftProtos.LeaderElectionManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.LeaderElectionPauseRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.ReplicationLevel;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotCreateRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.proto.RaftProtos.WriteRequestTypeProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;

import io.tributary.protocol.frame.MessageType;

/** Real Ratis protobuf messages of every carried type, with random contents. */
public final class RatisSamples
{
    public static final UUID GROUP = UUID.fromString("6f1c2a3e-0b1d-4c5e-9f00-112233445566");

    private RatisSamples()
    {
    }

    /**
     * @param payloadBytes size of the bulk data (log entries, snapshot chunk, client message).
     */
    public static MessageLite sample(final MessageType type, final Random random, final int payloadBytes)
    {
        return switch (type)
        {
            case REQUEST_VOTE_REQUEST -> RequestVoteRequestProto.newBuilder().setServerRequest(request(random))
                .setCandidateTerm(positive(random)).setCandidateLastEntry(termIndex(random))
                    .setPreVote(random.nextBoolean()).build();
            case REQUEST_VOTE_REPLY -> RequestVoteReplyProto.newBuilder().setServerReply(reply(random))
                .setTerm(positive(random))
                .setShouldShutdown(random.nextBoolean()).setLastEntry(termIndex(random)).build();
            case APPEND_ENTRIES_REQUEST -> appendEntries(random, payloadBytes);
            case APPEND_ENTRIES_REPLY -> AppendEntriesReplyProto.newBuilder().setServerReply(reply(random))
                .setTerm(positive(random))
                .setNextIndex(positive(random)).setResult(AppendEntriesReplyProto.AppendResult.INCONSISTENCY)
                .setFollowerCommit(positive(random)).setMatchIndex(positive(random)).setIsHearbeat(random.nextBoolean())
                    .build();
            case INSTALL_SNAPSHOT_REQUEST -> InstallSnapshotRequestProto.newBuilder().setServerRequest(request(random))
                .setLeaderTerm(positive(random))
                    .setSnapshotChunk(InstallSnapshotRequestProto.SnapshotChunkProto.newBuilder()
                    .setRequestId("snapshot-" + random.nextInt(1000)).setRequestIndex(random.nextInt(100))
                        .setTermIndex(termIndex(random))
                    .addFileChunks(FileChunkProto.newBuilder().setFilename("sm/shard.snapshot")
                        .setTotalSize(positive(random))
                        .setFileDigest(bytes(random, 16)).setChunkIndex(random.nextInt(1000))
                            .setOffset(positive(random))
                        .setData(bytes(random, payloadBytes)).setDone(random.nextBoolean()))
                    .setTotalSize(positive(random)).setDone(random.nextBoolean())).build();
            case INSTALL_SNAPSHOT_REPLY -> InstallSnapshotReplyProto.newBuilder().setServerReply(reply(random))
                .setTerm(positive(random))
                .setResult(InstallSnapshotResult.IN_PROGRESS).setRequestIndex(random.nextInt(100)).build();
            case READ_INDEX_REQUEST -> ReadIndexRequestProto.newBuilder().setServerRequest(request(random))
                .setClientRequest(clientRequest(random, payloadBytes)).build();
            case READ_INDEX_REPLY -> ReadIndexReplyProto.newBuilder().setServerReply(reply(random))
                .setReadIndex(positive(random)).build();
            case START_LEADER_ELECTION_REQUEST -> StartLeaderElectionRequestProto.newBuilder()
                .setServerRequest(request(random))
                .setLeaderLastEntry(termIndex(random)).build();
            case START_LEADER_ELECTION_REPLY -> StartLeaderElectionReplyProto.newBuilder().setServerReply(reply(random))
                .build();
            case CLIENT_REQUEST -> clientRequest(random, payloadBytes);
            case CLIENT_REPLY -> RaftClientReplyProto.newBuilder().setRpcReply(reply(random))
                .setMessage(ClientMessageEntryProto.newBuilder().setContent(bytes(random, payloadBytes)))
                    .setLogIndex(positive(random))
                .addCommitInfos(CommitInfoProto.newBuilder().setServer(peer(random)).setCommitIndex(positive(random)))
                    .build();
            case SET_CONFIGURATION_REQUEST -> SetConfigurationRequestProto.newBuilder().setRpcRequest(request(random))
                .addPeers(peer(random)).addPeers(peer(random)).setMode(SetConfigurationRequestProto.Mode.ADD).build();
            case GROUP_MANAGEMENT_REQUEST -> GroupManagementRequestProto.newBuilder().setRpcRequest(request(random))
                .setGroupAdd(GroupAddRequestProto.newBuilder()
                    .setGroup(RaftGroupProto.newBuilder().setGroupId(groupId())
                    .addPeers(peer(random))).setFormat(true)).build();
            case GROUP_LIST_REQUEST -> GroupListRequestProto.newBuilder().setRpcRequest(request(random)).build();
            case GROUP_LIST_REPLY -> GroupListReplyProto.newBuilder().setRpcReply(reply(random)).addGroupId(groupId())
                .addGroupId(RaftGroupIdProto.newBuilder().setId(RaftGroupId.randomId().toByteString()).build()).build();
            case GROUP_INFO_REQUEST -> GroupInfoRequestProto.newBuilder().setRpcRequest(request(random))
                .setGroupId(groupId()).build();
            case GROUP_INFO_REPLY -> GroupInfoReplyProto.newBuilder().setRpcReply(reply(random))
                .setGroup(RaftGroupProto.newBuilder().setGroupId(groupId()).addPeers(peer(random)))
                    .setIsRaftStorageHealthy(true)
                .addCommitInfos(CommitInfoProto.newBuilder().setServer(peer(random)).setCommitIndex(positive(random)))
                    .build();
            case TRANSFER_LEADERSHIP_REQUEST -> TransferLeadershipRequestProto.newBuilder()
                .setRpcRequest(request(random))
                .setNewLeader(peer(random)).build();
            case SNAPSHOT_MANAGEMENT_REQUEST -> SnapshotManagementRequestProto.newBuilder()
                .setRpcRequest(request(random))
                .setCreate(SnapshotCreateRequestProto.newBuilder().setCreationGap(positive(random))).build();
            case LEADER_ELECTION_MANAGEMENT_REQUEST -> LeaderElectionManagementRequestProto.newBuilder()
                .setRpcRequest(request(random))
                .setPause(LeaderElectionPauseRequestProto.getDefaultInstance()).build();
            case EXCEPTION_REPLY -> RaftNettyExceptionReplyProto.newBuilder().setRpcReply(reply(random))
                .setException(bytes(random, 64 + random.nextInt(200))).build();
            default -> throw new IllegalArgumentException(type + " is not a Ratis message");
        };
    }

    public static AppendEntriesRequestProto appendEntries(final Random random, final int payloadBytes)
    {
        final AppendEntriesRequestProto.Builder builder = AppendEntriesRequestProto.newBuilder()
            .setServerRequest(request(random))
            .setLeaderTerm(positive(random)).setPreviousLog(termIndex(random)).setLeaderCommit(positive(random))
            .addCommitInfos(CommitInfoProto.newBuilder().setServer(peer(random)).setCommitIndex(positive(random)));
        int left = payloadBytes;
        long index = 1 + random.nextInt(1000);
        do
        {
            final int size = Math.min(left, 1 + random.nextInt(64 * 1024));
            builder.addEntries(LogEntryProto.newBuilder().setTerm(3).setIndex(index++)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(bytes(random, size))
                    .setClientId(bytes(random, 16)).setCallId(positive(random))));
            left -= size;
        }
        while (left > 0);
        return builder.build();
    }

    static RaftClientRequestProto clientRequest(final Random random, final int payloadBytes)
    {
        return RaftClientRequestProto.newBuilder().setRpcRequest(request(random))
            .setMessage(ClientMessageEntryProto.newBuilder().setContent(bytes(random, payloadBytes)))
            .setWrite(WriteRequestTypeProto.newBuilder().setReplication(ReplicationLevel.MAJORITY)).build();
    }

    static RaftRpcRequestProto request(final Random random)
    {
        return RaftRpcRequestProto.newBuilder()
            .setRequestorId(RaftPeerId.valueOf("n" + random.nextInt(5)).toByteString())
            .setReplyId(RaftPeerId.valueOf("n" + random.nextInt(5)).toByteString()).setRaftGroupId(groupId())
            .setCallId(positive(random)).build();
    }

    static RaftRpcReplyProto reply(final Random random)
    {
        return RaftRpcReplyProto.newBuilder().setRequestorId(RaftPeerId.valueOf("n" + random.nextInt(5)).toByteString())
            .setReplyId(RaftPeerId.valueOf("n" + random.nextInt(5)).toByteString()).setRaftGroupId(groupId())
            .setCallId(positive(random)).setSuccess(random.nextBoolean()).build();
    }

    static RaftGroupIdProto groupId()
    {
        return RaftGroupIdProto.newBuilder().setId(RaftGroupId.valueOf(GROUP).toByteString()).build();
    }

    static RaftPeerProto peer(final Random random)
    {
        final int n = random.nextInt(5);
        return RaftPeerProto.newBuilder().setId(RaftPeerId.valueOf("n" + n).toByteString())
            .setAddress("127.0.0.1:" + (9000 + n))
            .setPriority(random.nextInt(3)).build();
    }

    static TermIndexProto termIndex(final Random random)
    {
        return TermIndexProto.newBuilder().setTerm(positive(random)).setIndex(positive(random)).build();
    }

    static long positive(final Random random)
    {
        return random.nextLong() & Long.MAX_VALUE;
    }

    static ByteString bytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return ByteString.copyFrom(bytes);
    }
}
