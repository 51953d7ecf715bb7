package io.tributary.transport.rpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Lets the process above the transport hold back the log entries peers send to one of its Raft
 * servers: a node whose data disk is below its reserve refuses appendEntries that carry entries
 * (heartbeats still pass, so no election starts), and the leader resends them once the gate
 * opens. Without it a follower's Raft log meets the full disk, and Ratis fails that log for good.
 * The transport knows nothing of disks: a gate is only "null to accept, or why not".
 */
public final class LogWriteGate
{
    private static final Map<String, Supplier<String>> GATES = new ConcurrentHashMap<>();

    private LogWriteGate()
    {
    }

    /**
     * Installs the gate of the Raft server {@code serverId}: it answers null to accept entries, or why it refuses them.
     */
    public static void register(final String serverId, final Supplier<String> refusal)
    {
        GATES.put(serverId, refusal);
    }

    public static void unregister(final String serverId)
    {
        GATES.remove(serverId);
    }

    /** Null when {@code serverId} accepts log entries now, else why not. */
    public static String refusal(final String serverId)
    {
        final Supplier<String> gate = GATES.get(serverId);
        return gate == null ? null : gate.get();
    }
}
