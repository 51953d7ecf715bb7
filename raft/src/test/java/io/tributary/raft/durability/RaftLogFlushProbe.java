package io.tributary.raft.durability;

import io.tributary.raft.node.NodeConfig;
import io.tributary.raft.node.RaftSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.LogProtoUtils;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.segmented.SegmentedRaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;

/**
 * Runs in a child JVM whose default file system is {@link PassThroughFileSystemProvider}: writes a
 * Ratis segmented log with the node's own Raft settings (durability fsync), holds one force of the
 * log, writes more entries meanwhile, releases that force alone and prints how far Ratis then
 * counts the log as flushed against how far that force could have made it durable.
 * <p>
 * Arguments: a folder and a mode, {@code node-fsync} (the node's settings) or {@code async-flush}
 * (the same with Ratis's {@code log.async-flush.enabled}).
 */
public final class RaftLogFlushProbe
{
    private static final int ENTRIES = 11;
    private static final long WAIT_MS = 20_000;

    private RaftLogFlushProbe()
    {
    }

    public static void main(final String[] args)
    {
        // Ratis's log threads are not daemons, and one may be held in a force: a failure must still end the JVM.
        int status = 0;
        try
        {
            run(args);
        }
        catch (final Throwable e)
        {
            e.printStackTrace(System.out);
            status = 1;
        }
        finally
        {
            PassThroughFileSystemProvider.gate().disarm();
        }
        System.out.flush();
        System.exit(status);
    }

    private static void run(final String[] args) throws Exception
    {
        if (args.length != 2 || !(args[1].equals("node-fsync") || args[1].equals("async-flush")))
        {
            throw new IllegalArgumentException("usage: RaftLogFlushProbe FOLDER node-fsync|async-flush");
        }
        if (!PassThroughFileSystemProvider.installed())
        {
            throw new IllegalStateException("start this JVM with -Djava.nio.file.spi.DefaultFileSystemProvider="
                + PassThroughFileSystemProvider.class.getName());
        }
        final Path dir = Path.of(args[0]);
        final String mode = args[1];
        final RaftProperties properties = RaftSettings.server(NodeConfig.of(nodeProperties(dir)));
        if (RaftServerConfigKeys.Log.asyncFlushEnabled(properties)
            || RaftServerConfigKeys.Log.unsafeFlushEnabled(properties))
        {
            throw new
                IllegalStateException("durability=fsync must flush synchronously; the node's Raft settings enable "
                + "async flush " + RaftServerConfigKeys.Log.asyncFlushEnabled(properties) + ", unsafe flush "
                + RaftServerConfigKeys.Log.unsafeFlushEnabled(properties));
        }
        if (mode.equals("async-flush"))
        {
            RaftServerConfigKeys.Log.setAsyncFlushEnabled(properties, true);
        }

        final RaftStorage storage = RaftStorage.newBuilder().setDirectory(dir.resolve("raft").toFile())
            .setOption(RaftStorage.StartupOption.FORMAT)
                .setStorageFreeSpaceMin(RaftServerConfigKeys.STORAGE_FREE_SPACE_MIN_DEFAULT)
            .build();
        storage.initialize();
        final SegmentedRaftLog log = SegmentedRaftLog.newBuilder()
            .setMemberId(RaftGroupMemberId.valueOf(RaftPeerId.valueOf("probe"), RaftGroupId.randomId()))
            .setStorage(storage).setProperties(properties).build();
        log.open(RaftLog.INVALID_LOG_INDEX, null);

        final ClientId clientId = ClientId.randomId();
        final LogEntryProto[] entries = new LogEntryProto[ENTRIES];
        for (int i = 0; i < ENTRIES; i++)
        {
            entries[i] = LogProtoUtils.toLogEntryProto(LogProtoUtils.toStateMachineLogEntryProto(clientId, 1,
                StateMachineLogEntryProto.Type.WRITE, ByteString.copyFrom(new byte[100]), null), 1, i);
        }

        final ForceGate gate = PassThroughFileSystemProvider.gate();
        log.appendEntry(entries[0]);
        awaitIndex("entry 0 flushed", log::getFlushIndex, 0);
        // Where each entry ends in the segment: Ratis writes its length (varint), the entry and a CRC.
        final long[] endOf = new long[ENTRIES];
        endOf[0] = gate.writtenPosition();
        for (int i = 1; i < ENTRIES; i++)
        {
            final int size = entries[i].getSerializedSize();
            endOf[i] = endOf[i - 1] + CodedOutputStream.computeUInt32SizeNoTag(size) + size + 4;
        }

        gate.arm();
        log.appendEntry(entries[1]);
        final long heldAt = gate.awaitHeld(WAIT_MS);
        if (heldAt != endOf[1])
        {
            throw new IllegalStateException("the held force should start right after entry 1: at " + heldAt
                + ", entries end at " + Arrays.toString(endOf));
        }
        for (int i = 2; i < ENTRIES; i++)
        {
            log.appendEntry(entries[i]);
        }
        if (mode.equals("async-flush"))
        {
            // The force runs on Ratis's flush thread: the log writer goes on writing meanwhile.
            gate.awaitWritten(endOf[ENTRIES - 1], WAIT_MS);
        }
        final long flushedBefore = log.getFlushIndex();
        gate.releaseOne();
        awaitIndex("a flush index past " + flushedBefore, log::getFlushIndex, flushedBefore + 1);
        // Any later force is held: the flush index now is what the released force alone made it.
        final long flushIndex = log.getFlushIndex();
        final long forcedThroughIndex = lastEndingBy(endOf, heldAt);
        final long writtenThroughIndex = lastEndingBy(endOf, gate.writtenPosition());
        System.out.println("RESULT mode=" + mode + " forcedThroughIndex=" + forcedThroughIndex + " writtenThroughIndex="
            + writtenThroughIndex + " flushIndex=" + flushIndex);
        System.out.flush();
        gate.disarm();
        log.close();
        storage.close();
    }

    /** The last entry that ends at or before {@code position}. */
    private static int lastEndingBy(final long[] endOf, final long position)
    {
        int last = -1;
        while (last + 1 < endOf.length && endOf[last + 1] <= position)
        {
            last++;
        }
        return last;
    }

    private static Properties nodeProperties(final Path dir)
    {
        final Properties p = new Properties();
        p.setProperty("node.id", "probe");
        p.setProperty("node.port", "9871");
        p.setProperty("data.dir", dir.toString());
        p.setProperty("metadata.peers", "probe@127.0.0.1:9871");
        p.setProperty("durability", "fsync");
        return p;
    }

    private static void awaitIndex(final String what, final LongSupplier index, final long atLeast)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (index.getAsLong() < atLeast)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException(what + ": index " + index.getAsLong() + " after " + WAIT_MS + " ms");
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }
}
