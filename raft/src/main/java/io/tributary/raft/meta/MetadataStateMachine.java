package io.tributary.raft.meta;

import io.tributary.engine.ShardLog;
import io.tributary.raft.storage.DurableFiles;

import io.tributary.raft.storage.SnapshotStorage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The metadata quorum's state machine (KRaft-like: no ZooKeeper): commands are tab-separated
 * text lines, applied to {@link ClusterMetadata}. Low rate, so text is worth its readability.
 *
 * <p>Queries: {@code DESCRIBE name}, {@code LIST}, {@code NODES}, {@code STATE}, {@code LEADER} (the metadata
 * group's leader as the answering replica knows it: the node that runs the controller).
 */
public final class MetadataStateMachine extends BaseStateMachine
{
    /** The metadata group's fixed id. */
    public static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes("tributary-metadata".getBytes(StandardCharsets.UTF_8)));

    private final SnapshotStorage storage = new SnapshotStorage();
    private ClusterMetadata metadata = new ClusterMetadata();

    @Override
    public void initialize(final RaftServer server, final RaftGroupId groupId, final RaftStorage raftStorage)
        throws IOException
    {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load();
    }

    @Override
    public void reinitialize() throws IOException
    {
        load();
    }

    private void load() throws IOException
    {
        final SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null)
        {
            return;
        }
        final File file = snapshot.getFile().getPath().toFile();
        MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        final ClusterMetadata loaded =
            ClusterMetadata.deserialize(Files.readString(file.toPath(), StandardCharsets.UTF_8));
        synchronized (this)
        {
            metadata = loaded;
        }
        updateLastAppliedTermIndex(snapshot.getTermIndex());
    }

    @Override
    public StateMachineStorage getStateMachineStorage()
    {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(final TransactionContext trx)
    {
        final LogEntryProto entry = trx.getLogEntry();
        final String command = entry.getStateMachineLogEntry().getLogData().toStringUtf8();
        final String reply;
        synchronized (this)
        {
            reply = metadata.apply(command);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(reply));
    }

    @Override
    public CompletableFuture<Message> query(final Message request)
    {
        final String[] f = request.getContent().toStringUtf8().split("\t", -1);
        synchronized (this)
        {
            return CompletableFuture.completedFuture(Message.valueOf(answer(f)));
        }
    }

    private String answer(final String[] f)
    {
        switch (f[0])
        {
            case "DESCRIBE":
                return describe(f.length > 1 ? f[1] : "");
            case "LIST":
                return "OK\n" + metadata.streams().values().stream().filter(s -> !s.deleting())
                    .map(s -> s.name() + "\t" + s.shards() + "\t" + s.replicationFactor())
                        .collect(Collectors.joining("\n"));
            case "NODES":
                return "OK\n" + metadata.nodes().values().stream()
                    .map(n -> n.id() + "\t" + n.address() + "\t" + n.state())
                    .collect(Collectors.joining("\n"));
            case "STATE":
                return "OK\n" + metadata.serialize();
            case "LEADER":
                return "OK\n" + leader();
            case "GRANTS":
                return "OK\n" + metadata.grants().stream().map(g -> String.join("\t", g.fields()))
                    .collect(Collectors.joining("\n"));
            default:
                return "ERR\tunknown metadata query '" + f[0] + "'";
        }
    }

    /** This group's leader as this replica knows it, or "" when it knows none. */
    private String leader()
    {
        try
        {
            final RaftServer.Division division = getServer().getNow(null).getDivision(getGroupId());
            if (division.getInfo().isLeader())
            {
                return getId().toString();
            }
            final RaftPeerId leader = division.getInfo().getLeaderId();
            return leader == null ? "" : leader.toString();
        }
        catch (final IOException | RuntimeException e)
        {
            return "";
        }
    }

    /**
     * {@code OK\tid\tshards\trf\tretentionBytes\tretentionMs}, then one line per shard:
     * {@code shard\tgroupId\tpeer=host:port,...} (current replicas).
     */
    private String describe(final String name)
    {
        final ClusterMetadata.Stream stream = metadata.streams().get(name);
        if (stream == null || stream.deleting())
        {
            return "ERR\tunknown stream '" + name + "'" + (metadata.streams().isEmpty() ? "; create it first"
                : "; known streams: " + metadata.streams().keySet());
        }
        final StringBuilder out = new StringBuilder("OK\t").append(stream.id()).append('\t').append(stream.shards())
            .append('\t').append(stream.replicationFactor()).append('\t').append(stream.retentionBytes()).append('\t')
            .append(stream.retentionMs());
        for (int shard = 0; shard < stream.shards(); shard++)
        {
            final List<String> peers = metadata.replicasOf(stream.id(), shard);
            out.append('\n').append(shard).append('\t').append(ClusterMetadata.groupIdOf(stream.id(), shard).getUuid())
                .append('\t').append(peers.stream().map(p -> p + "=" + addressOf(p)).collect(Collectors.joining(",")));
        }
        return out.toString();
    }

    private String addressOf(final String peer)
    {
        final ClusterMetadata.Node node = metadata.nodes().get(peer);
        return node == null ? "" : node.address();
    }

    /** A copy of the metadata for the controller. */
    public synchronized ClusterMetadata snapshotOfState()
    {
        return ClusterMetadata.deserialize(metadata.serialize());
    }

    @Override
    public long takeSnapshot() throws IOException
    {
        final String text;
        final TermIndex applied;
        synchronized (this)
        {
            text = metadata.serialize();
            applied = getLastAppliedTermIndex();
        }
        if (applied == null || applied.getIndex() < 0)
        {
            return -1;
        }
        // Ratis purges the metadata log up to the index returned: the snapshot must be on the disk first.
        final File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        DurableFiles.writeAtomically(file.toPath(), text.getBytes(StandardCharsets.UTF_8), ShardLog.FDATASYNC);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(),
            DurableFiles.saveChecksum(file, ShardLog.FDATASYNC)), applied));
        return applied.getIndex();
    }
}
