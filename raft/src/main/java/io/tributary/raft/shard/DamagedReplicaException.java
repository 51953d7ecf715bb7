package io.tributary.raft.shard;

import java.io.IOException;
import java.util.UUID;

/**
 * This node's copy of one shard cannot be trusted: its shard log is damaged where no Raft entry
 * can rebuild it, or its Raft log lost entries the state machine had not applied. Names the
 * group, so the node can set that copy aside and start without it; the controller's membership
 * audit then takes the node out of the group and brings it back as a new member that copies the
 * shard from its peers (docs/ARCHITECTURE.md, "Disk faults").
 */
public final class DamagedReplicaException extends IOException
{
    private final UUID groupId;

    public DamagedReplicaException(final UUID groupId, final String message, final Throwable cause)
    {
        super(message, cause);
        this.groupId = groupId;
    }

    /** The shard's Raft group. */
    public UUID groupId()
    {
        return groupId;
    }
}
