package io.tributary.raft.shard;

import io.tributary.engine.ShardLog;
import io.tributary.raft.protocol.RatisMessages;
import io.tributary.raft.protocol.ShardProtocol;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.server.protocol.TermIndex;

/**
 * Serves this replica's base state (producers, keys, key horizon at one applied position) in chunks to a replica
 * catching up after retention ({@link PeerFetch} is the other side). A new state is taken when asked for one, under
 * the apply lock so it matches its applied position, unless the one held is younger than {@link #REUSE_NS}: two
 * replicas catching up at once then share it rather than replace it under each other. The state is held until its
 * last chunk is served or it is older than {@link #HOLD_NS}. Thread-safe.
 */
final class BaseStateServer
{
    /** The largest chunk of a base state in one reply: far below the transports' message limits (32 MiB). */
    static final int CHUNK_BYTES_MAX = 4 << 20;
    private static final long REUSE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long HOLD_NS = TimeUnit.SECONDS.toNanos(120);

    private final Object applyLock;
    private final Supplier<ShardLog> log;
    private final Supplier<TermIndex> applied;
    private volatile Copy copy;

    /**
     * @param applyLock held while an entry is applied and its index recorded.
     * @param log       the shard's current log.
     * @param applied   the state machine's last applied term and index.
     */
    BaseStateServer(final Object applyLock, final Supplier<ShardLog> log, final Supplier<TermIndex> applied)
    {
        this.applyLock = applyLock;
        this.log = log;
        this.applied = applied;
    }

    /** A base state taken for replicas catching up after retention, held while they fetch it in chunks. */
    private record Copy(long appliedTerm, long appliedIndex, byte[] bytes, long takenNs)
    {
    }

    /** The chunk asked for, or "stale" when the state it continues is no longer held. */
    Message chunk(final ShardProtocol.BaseStateRequest request)
    {
        final long nowNs = System.nanoTime();
        Copy held = copy;
        if (held != null && nowNs - held.takenNs > HOLD_NS)
        {
            held = null;
        }
        if (request.appliedIndex() == -1 && (held == null || nowNs - held.takenNs > REUSE_NS))
        {
            synchronized (applyLock)
            {
                final TermIndex at = applied.get();
                held = new Copy(at.getTerm(), at.getIndex(), log.get().baseState().toBytes(), nowNs);
            }
        }
        if (held == null || (request.appliedIndex() != -1 && request.appliedIndex() != held.appliedIndex)
            || request.fromByte() > held.bytes.length)
        {
            copy = held;
            return RatisMessages.wrap(ShardProtocol.encodeBaseStateStale(request.appliedIndex()));
        }
        final int from = (int)request.fromByte();
        final int length = Math.min(Math.min(request.maxBytes(), CHUNK_BYTES_MAX), held.bytes.length - from);
        copy = from + length == held.bytes.length && request.appliedIndex() != -1 ? null : held;
        return RatisMessages.wrap(ShardProtocol.encodeBaseStateReply(held.appliedTerm, held.appliedIndex,
            held.bytes.length, from, held.bytes, from, length));
    }

}
