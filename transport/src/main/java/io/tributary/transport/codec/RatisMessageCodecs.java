package io.tributary.transport.codec;

import java.util.EnumMap;
import java.util.Map;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.LeaderElectionManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.com.google.protobuf.Parser;

import io.tributary.protocol.frame.MessageType;

/**
 * The one codec per {@link MessageType}: which Ratis protobuf each type carries. Created once
 * (static); every type has exactly one codec (checked at class load).
 * <p>
 * Admin requests that Ratis answers with a {@code RaftClientReply} (set configuration, group
 * management, transfer leadership, snapshot and leader-election management) are answered with
 * {@link MessageType#CLIENT_REPLY}. A server-side failure travels as
 * {@link MessageType#EXCEPTION_REPLY}: the reply header and the Java-serialized exception, the
 * format Ratis's Netty transport uses ({@code RaftNettyExceptionReplyProto}, in ratis-proto).
 */
public final class RatisMessageCodecs
{
    private static final ProtoCodec<?>[] BY_ID = new ProtoCodec<?>[256];
    private static final Map<MessageType, ProtoCodec<?>> BY_TYPE = new EnumMap<>(MessageType.class);

    public static final ProtoCodec<RequestVoteRequestProto> REQUEST_VOTE_REQUEST =
        add(MessageType.REQUEST_VOTE_REQUEST, RequestVoteRequestProto.class, RequestVoteRequestProto.parser());
    public static final ProtoCodec<RequestVoteReplyProto> REQUEST_VOTE_REPLY =
        add(MessageType.REQUEST_VOTE_REPLY, RequestVoteReplyProto.class, RequestVoteReplyProto.parser());
    public static final ProtoCodec<AppendEntriesRequestProto> APPEND_ENTRIES_REQUEST =
        add(MessageType.APPEND_ENTRIES_REQUEST, AppendEntriesRequestProto.class, AppendEntriesRequestProto.parser());
    public static final ProtoCodec<AppendEntriesReplyProto> APPEND_ENTRIES_REPLY =
        add(MessageType.APPEND_ENTRIES_REPLY, AppendEntriesReplyProto.class, AppendEntriesReplyProto.parser());
    public static final ProtoCodec<InstallSnapshotRequestProto> INSTALL_SNAPSHOT_REQUEST =
        add(MessageType.INSTALL_SNAPSHOT_REQUEST, InstallSnapshotRequestProto.class,
            InstallSnapshotRequestProto.parser());
    public static final ProtoCodec<InstallSnapshotReplyProto> INSTALL_SNAPSHOT_REPLY =
        add(MessageType.INSTALL_SNAPSHOT_REPLY, InstallSnapshotReplyProto.class, InstallSnapshotReplyProto.parser());
    public static final ProtoCodec<ReadIndexRequestProto> READ_INDEX_REQUEST =
        add(MessageType.READ_INDEX_REQUEST, ReadIndexRequestProto.class, ReadIndexRequestProto.parser());
    public static final ProtoCodec<ReadIndexReplyProto> READ_INDEX_REPLY =
        add(MessageType.READ_INDEX_REPLY, ReadIndexReplyProto.class, ReadIndexReplyProto.parser());
    public static final ProtoCodec<StartLeaderElectionRequestProto> START_LEADER_ELECTION_REQUEST =
        add(MessageType.START_LEADER_ELECTION_REQUEST, StartLeaderElectionRequestProto.class,
            StartLeaderElectionRequestProto.parser());
    public static final ProtoCodec<StartLeaderElectionReplyProto> START_LEADER_ELECTION_REPLY =
        add(MessageType.START_LEADER_ELECTION_REPLY, StartLeaderElectionReplyProto.class,
            StartLeaderElectionReplyProto.parser());
    public static final ProtoCodec<RaftClientRequestProto> CLIENT_REQUEST =
        add(MessageType.CLIENT_REQUEST, RaftClientRequestProto.class, RaftClientRequestProto.parser());
    public static final ProtoCodec<RaftClientReplyProto> CLIENT_REPLY =
        add(MessageType.CLIENT_REPLY, RaftClientReplyProto.class, RaftClientReplyProto.parser());
    public static final ProtoCodec<SetConfigurationRequestProto> SET_CONFIGURATION_REQUEST =
        add(MessageType.SET_CONFIGURATION_REQUEST, SetConfigurationRequestProto.class,
            SetConfigurationRequestProto.parser());
    public static final ProtoCodec<GroupManagementRequestProto> GROUP_MANAGEMENT_REQUEST =
        add(MessageType.GROUP_MANAGEMENT_REQUEST, GroupManagementRequestProto.class,
            GroupManagementRequestProto.parser());
    public static final ProtoCodec<GroupListRequestProto> GROUP_LIST_REQUEST =
        add(MessageType.GROUP_LIST_REQUEST, GroupListRequestProto.class, GroupListRequestProto.parser());
    public static final ProtoCodec<GroupListReplyProto> GROUP_LIST_REPLY =
        add(MessageType.GROUP_LIST_REPLY, GroupListReplyProto.class, GroupListReplyProto.parser());
    public static final ProtoCodec<GroupInfoRequestProto> GROUP_INFO_REQUEST =
        add(MessageType.GROUP_INFO_REQUEST, GroupInfoRequestProto.class, GroupInfoRequestProto.parser());
    public static final ProtoCodec<GroupInfoReplyProto> GROUP_INFO_REPLY =
        add(MessageType.GROUP_INFO_REPLY, GroupInfoReplyProto.class, GroupInfoReplyProto.parser());
    public static final ProtoCodec<TransferLeadershipRequestProto> TRANSFER_LEADERSHIP_REQUEST =
        add(MessageType.TRANSFER_LEADERSHIP_REQUEST, TransferLeadershipRequestProto.class,
            TransferLeadershipRequestProto.parser());
    public static final ProtoCodec<SnapshotManagementRequestProto> SNAPSHOT_MANAGEMENT_REQUEST =
        add(MessageType.SNAPSHOT_MANAGEMENT_REQUEST, SnapshotManagementRequestProto.class,
            SnapshotManagementRequestProto.parser());
    public static final ProtoCodec<LeaderElectionManagementRequestProto> LEADER_ELECTION_MANAGEMENT_REQUEST =
        add(MessageType.LEADER_ELECTION_MANAGEMENT_REQUEST, LeaderElectionManagementRequestProto.class,
            LeaderElectionManagementRequestProto.parser());
    public static final ProtoCodec<RaftNettyExceptionReplyProto> EXCEPTION_REPLY =
        add(MessageType.EXCEPTION_REPLY, RaftNettyExceptionReplyProto.class, RaftNettyExceptionReplyProto.parser());

    static
    {
        for (final MessageType type : MessageType.ratisTypes())
        {
            if (BY_TYPE.get(type) == null)
            {
                throw new IllegalStateException("message type " + type + " has no codec: add it to RatisMessageCodecs");
            }
        }
    }

    private RatisMessageCodecs()
    {
    }

    private static <M extends MessageLite> ProtoCodec<M> add(final MessageType type, final Class<M> messageClass,
        final Parser<M> parser)
    {
        final ProtoCodec<M> codec = new ProtoCodec<>(type, messageClass, parser);
        if (BY_TYPE.put(type, codec) != null)
        {
            throw new IllegalStateException("two codecs for message type " + type);
        }
        BY_ID[type.id() & 0xFF] = codec;
        return codec;
    }

    /** The codec of {@code type}; never null. */
    public static ProtoCodec<?> codec(final MessageType type)
    {
        return BY_ID[type.id() & 0xFF];
    }

    /** The codec carrying {@code messageClass}, or null (each message class has one type). */
    public static ProtoCodec<?> codecOf(final Class<?> messageClass)
    {
        for (final ProtoCodec<?> codec : BY_TYPE.values())
        {
            if (codec.messageClass() == messageClass)
            {
                return codec;
            }
        }
        return null;
    }
}
